"""Why intake refuses a submission: each reason with its HTTP status and the message
that the sender sees (on ODK Collect, in the phone's language)."""

from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError


class IntakeError(DomainError):
    code = "intake_error"
    http_status = 400


class UnknownForm(IntakeError):
    code = "unknown_form"
    message = _(
        "The server does not know the form “%(form_id)s” version “%(version)s”. Get the latest forms."
    )
    http_status = 404


class FormClosed(IntakeError):
    code = "form_closed"
    message = _("The form “%(title)s” is closed and no longer accepts submissions.")
    http_status = 403


class NotAllowedToSubmit(IntakeError):
    code = "not_allowed_to_submit"
    message = _("You may not send the form “%(title)s”. Ask your coordinator.")
    http_status = 403


class AreaNotAllowed(IntakeError):
    code = "area_not_allowed"
    message = _(
        "The village “%(name)s” (%(code)s) is not one of your villages: "
        "you may send data for %(yours)s."
    )
    http_status = 403


class AreaUnknown(IntakeError):
    code = "area_unknown"
    message = _(
        "The village code “%(code)s” is unknown to the server. "
        "Get the latest forms and choose the village again."
    )
    http_status = 400


class AreaMissing(IntakeError):
    code = "area_missing"
    message = _(
        "The submission does not say which village it is about: the question “%(question)s” "
        "has no answer. Answer it and send the form again."
    )
    http_status = 400


class BadAttachmentName(IntakeError):
    code = "bad_attachment_name"
    message = _("The attachment name “%(name)s” is not allowed.")
    http_status = 400


class AttachmentNameTooLong(IntakeError):
    code = "attachment_name_too_long"
    message = _(
        "The file name “%(name)s…” is too long: the server keeps names of at most "
        "%(limit)s characters."
    )
    http_status = 400


class PhotoTooLarge(IntakeError):
    code = "photo_too_large"
    message = _(
        "The picture “%(name)s” has more pixels than the server accepts (at most %(limit)s "
        "megapixels). Take it again at a lower resolution, or choose a smaller image size "
        "in ODK Collect's settings."
    )
    http_status = 400


class AttachmentTwice(IntakeError):
    code = "attachment_twice"
    message = _("The file “%(name)s” is in the submission twice. Send it once.")
    http_status = 400


class AttachmentWrongType(IntakeError):
    code = "attachment_wrong_type"
    message = _("The file “%(name)s” is not a picture, but the question asks for one.")
    http_status = 400


class AttachmentMissing(IntakeError):
    code = "attachment_missing"
    message = _("These files are missing from the submission: %(names)s. Send it again.")
    http_status = 400


class InstanceConflict(IntakeError):
    code = "instance_conflict"
    message = _(
        "A different submission with the same ID (%(instance_id)s) was already received. "
        "The first one is kept."
    )
    http_status = 409


class InstanceIdTaken(IntakeError):
    """The instanceID is used by a submission the sender may not touch (another area's).

    The same answer whatever that submission holds, so that it reveals nothing of it.
    """

    code = "instance_id_taken"
    message = _("This submission's ID is already used on the server. Fill in a new form.")
    http_status = 409


class EditTargetUnknown(IntakeError):
    code = "edit_target_unknown"
    message = _("The submission you edited (%(instance_id)s) is not on the server.")
    http_status = 404


class EditTargetSuperseded(IntakeError):
    code = "edit_target_superseded"
    message = _("The submission you edited (%(instance_id)s) was already replaced by another edit.")
    http_status = 409
