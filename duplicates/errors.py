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


class PairDecidedBeforeMerge(PairAlreadyDecided):
    message = _("This pair was already decided (%(state)s); it cannot be merged now.")


class PairNotMerged(DuplicatesError):
    code = "pair_not_merged"
    message = _("This pair is not merged (%(state)s), so there is no merge to undo.")
    http_status = 409


class UnknownKeep(DuplicatesError):
    code = "unknown_keep"
    message = _("Choose which record to keep: left or right.")


class UndoReasonRequired(DuplicatesError):
    code = "undo_reason_required"
    message = _("Say why this merge is undone.")


class UnknownPairState(DuplicatesError):
    code = "unknown_pair_state"
    message = _("“%(state)s” is no state of a duplicate pair: choose open, dismissed or merged.")
