"""The registry's refusals: each a DomainError with a stable code and a message."""

from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError


class RegistryError(DomainError):
    code = "registry_error"


class VillageUnknown(RegistryError):
    """A household's village (``place/village``) is no village the server knows."""

    code = "village_unknown"
    message = _("The village “%(code)s” is not known, so the household cannot be merged.")


class ConflictNotFound(RegistryError):
    """Unknown, or outside the reader's areas: the same answer, so that ids tell nothing."""

    code = "conflict_not_found"
    message = _("There is no such conflict in your areas.")
    http_status = 404


class ConflictAlreadyResolved(RegistryError):
    code = "conflict_already_resolved"
    message = _("This conflict has already been resolved.")
    http_status = 409


class ResolutionReasonRequired(RegistryError):
    code = "resolution_reason_required"
    message = _("Say why you chose this value.")


class ResolutionValueRefused(RegistryError):
    """The value is neither the held nor the offered one (nor a valid date or sex)."""

    code = "resolution_value_refused"
    message = _("Choose the value held or the value offered.")


class ResolutionValueTaken(RegistryError):
    """The chosen NIK is another person's in the registry."""

    code = "resolution_value_taken"
    message = _("This value belongs to another person in the registry.")
    http_status = 409


class ApplicantUnknown(RegistryError):
    """A follow-up names nobody: no person picked that may be linked, no NIK, no name."""

    code = "applicant_unknown"
    message = _(
        "This submission names no one the registry can find: no person it picked can be "
        "linked, and it gives no NIK or name."
    )


class MergeReasonRequired(RegistryError):
    code = "merge_reason_required"
    message = _("Say why these two records are the same person or household.")


class MergeOfOneRecord(RegistryError):
    code = "merge_of_one_record"
    message = _("A record cannot be merged with itself.")


class RecordAlreadyMerged(RegistryError):
    """One of the two was merged into a third record before (or the kept one was)."""

    code = "record_already_merged"
    message = _(
        "One of these records has already been merged into another record, so it cannot be "
        "merged again."
    )
    http_status = 409


class MergeAlreadyUndone(RegistryError):
    code = "merge_already_undone"
    message = _("This merge has already been undone.")
    http_status = 409


class UnmergeBlocked(RegistryError):
    """A later change (another source, another merge) touched the rows the merge changed:
    undoing it would undo that change too. The message names none of that change's data."""

    code = "unmerge_blocked"
    message = _(
        "This merge cannot be undone: the records were changed after it, by a newer "
        "submission, import, conflict resolution or merge."
    )
    http_status = 409


class RecordMerged(RegistryError):
    """Not a refusal: the answer for a duplicate's old id, which redirects to the kept one."""

    code = "record_merged"
    message = _("This record was merged into another one, as a duplicate.")
    http_status = 302
