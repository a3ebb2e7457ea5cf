"""What arrived from the phones: a list and a detail page per submission."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import User
from intake.models import Submission
from intake.queries import submissions_visible_to


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _get_visible(user: User, pk: int) -> Submission:
    try:
        return submissions_visible_to(user).get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404("No such submission") from None


@require_GET
def submission_list(request: HttpRequest) -> HttpResponse:
    submissions = submissions_visible_to(_user(request)).order_by("-received_at")
    form_id = request.GET.get("form")
    if form_id:
        submissions = submissions.filter(questionnaire__form_id=form_id)
    page = Paginator(submissions, 50).get_page(request.GET.get("page"))
    return render(request, "review/submission_list.html", {"page": page, "form_id": form_id})


@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _get_visible(_user(request), pk)
    return render(
        request,
        "review/submission_detail.html",
        {
            "submission": submission,
            "attachments": list(submission.attachments.all()),
            "xml_text": bytes(submission.xml).decode("utf-8", errors="replace"),
        },
    )


@require_GET
def submission_attachment(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    submission = _get_visible(_user(request), pk)
    attachment = submission.attachments.filter(filename=filename).first()
    if attachment is None:
        raise Http404("No such attachment")
    if request.GET.get("size") == "thumbnail" and attachment.thumbnail:
        response = FileResponse(attachment.thumbnail.open("rb"), content_type="image/jpeg")
    else:
        response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = f'inline; filename="{attachment.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
