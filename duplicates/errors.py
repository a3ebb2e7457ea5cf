"""The duplicates' refusals: each a DomainError with a stable code and a message for the
reviewer who decides a pair."""

from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError


class DuplicatesError(DomainError):
    code = "duplicates_error"


class UnknownPairKind(DuplicatesError):
    code = "unknown_pair_kind"
    message = _("“%(kind)s” is no kind of duplicate: choose person or household.")


class PairNotFound(DuplicatesError):
    code = "not_found"
    message = _("There is no such duplicate pair in your areas.")
    http_status = 404


class PairAlreadyDecided(DuplicatesError):
    code = "pair_already_decided"
    message = _("This pair was already decided (%(state)s); it cannot be dismissed now.")
    http_status = 409


class ReasonRequired(DuplicatesError):
    code = "reason_required"
    message = _("Say why these two records are not the same person or household.")
