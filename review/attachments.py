"""A review item's submissions (its edit chain) and their files, for the page and the API.

An edit from the phone is a new submission that supersedes the earlier one; the
item shows the newest. The earlier versions and their files stay readable: a
photo the agent replaced is still there to compare. Both the browser's file
URL and the API's serve a file through ``find_attachment``, which only looks
inside the item's own chain (the caller has already read the item through the
reader's scope, so another area's file is never reachable).
"""

from django.http import FileResponse
from django.urls import reverse

from intake.models import Attachment, Submission
from review.errors import AttachmentNotFound
from review.models import ReviewItem

# How far back an item's page and the API follow the chain of edits.
MAX_EARLIER_VERSIONS = 20


def submission_chain(item: ReviewItem) -> list[Submission]:
    """The item's submissions, newest first: the current one and the ones it edited."""
    chain = [item.submission]
    current = item.submission
    while current.supersedes_id is not None and len(chain) <= MAX_EARLIER_VERSIONS:
        earlier = (
            Submission.objects.defer("xml")
            .select_related("submitted_by")
            .filter(pk=current.supersedes_id)
            .first()
        )
        if earlier is None:
            break
        chain.append(earlier)
        current = earlier
    return chain


def find_attachment(item: ReviewItem, filename: str, submission: str = "") -> Attachment:
    """The file ``filename`` of the item's current submission, or of the earlier version
    ``submission`` (an id, as text from a URL) of its chain. Raises AttachmentNotFound."""
    submission_id = item.submission_id
    if submission:
        if not submission.isdigit() or int(submission) not in {
            s.pk for s in submission_chain(item)
        }:
            raise AttachmentNotFound()
        submission_id = int(submission)
    attachment = Attachment.objects.filter(submission_id=submission_id, filename=filename).first()
    if attachment is None:
        raise AttachmentNotFound()
    return attachment


def file_response(attachment: Attachment, *, thumbnail: bool) -> FileResponse:
    """The file (or its thumbnail) inline, never sniffed into another type."""
    if thumbnail and attachment.thumbnail:
        response = FileResponse(attachment.thumbnail.open("rb"), content_type="image/jpeg")
    else:
        response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = f'inline; filename="{attachment.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def attachment_list(
    item: ReviewItem, submission_id: int, *, url_name: str, earlier: bool = False
) -> list[dict[str, object]]:
    """The files of one submission of the item's chain, each with its URL (``url_name``:
    the page's or the API's file route) and its thumbnail's."""
    found: list[dict[str, object]] = []
    for attachment in Attachment.objects.filter(submission_id=submission_id).order_by("filename"):
        url = reverse(url_name, args=[item.pk, attachment.filename])
        if earlier:
            url = f"{url}?submission={submission_id}"
        joiner = "&" if earlier else "?"
        found.append(
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "url": url,
                "thumbnail_url": f"{url}{joiner}size=thumbnail" if attachment.thumbnail else None,
            }
        )
    return found
