"""A household's house photo as a response, for the page and the API alike.

The photo is an ``intake.Attachment`` of the submission that set it; a reader
of the registry reaches it only through the household (read through her
scope), never through the review queue's file URLs.
"""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError
from registry.models import Household


class PhotoNotFound(DomainError):
    code = "photo_not_found"
    message = _("This household has no photo.")
    http_status = 404


def photo_response(household: Household, *, thumbnail: bool) -> FileResponse:
    """The photo (or its thumbnail, when there is one) inline, never sniffed into another type.

    Raises PhotoNotFound when the household has none.
    """
    attachment = household.photo
    if attachment is None:
        raise PhotoNotFound()
    if thumbnail and attachment.thumbnail:
        response = FileResponse(attachment.thumbnail.open("rb"), content_type="image/jpeg")
    else:
        response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = f'inline; filename="household-{household.pk}-photo"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
