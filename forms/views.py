"""The questionnaire pages of district staff: upload, check, publish, deploy, archive."""

from django.contrib import messages
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Action, scope_for
from accounts.models import User
from areas.models import Area, AreaLevel
from forms.errors import FormsError
from forms.models import FormVersion, Questionnaire
from forms.permissions import (
    check_areas_manageable,
    get_questionnaire_for_manager,
    get_version_for_manager,
    require_form_manager,
)
from forms.queries import questionnaires_managed_by
from forms.versions import (
    archive_questionnaire,
    attach_form_media,
    create_questionnaire,
    discard_draft,
    missing_media,
    publish_form_version,
    restore_questionnaire,
    set_deployment,
    upload_form_version,
    version_key,
)
from forms.webforms import DeploymentForm, MediaUploadForm, NewQuestionnaireForm, WorkbookUploadForm


def _owner_areas(user: User) -> list[Area]:
    scope = scope_for(user, Action.MANAGE_FORMS)
    if scope.everywhere:
        return list(Area.objects.filter(level__in=[AreaLevel.PROVINCE, AreaLevel.REGENCY]))
    return list(Area.objects.filter(code__in=scope.roots))


def _deployable_areas(questionnaire: Questionnaire) -> QuerySet[Area]:
    """The owner area and its kecamatan: where a questionnaire is usually deployed."""
    owner = questionnaire.owner_area_id
    return Area.objects.filter(
        Q(code=owner) | Q(parent_id=owner) | Q(code__in=questionnaire.deployments.values("area_id"))
    ).order_by("code")


def _questionnaire_rows(user: User) -> list[dict[str, object]]:
    """The list's rows in a fixed number of queries, however many questionnaires."""
    # Only what the list shows of each version: not the XForm, the workbook or the warnings.
    versions = FormVersion.objects.only("pk", "questionnaire_id", "version", "status")
    questionnaires = questionnaires_managed_by(user).prefetch_related(
        Prefetch("versions", queryset=versions), "deployments"
    )
    rows: list[dict[str, object]] = []
    for q in questionnaires:
        published = [v for v in q.versions.all() if v.is_published]
        rows.append(
            {
                "questionnaire": q,
                "latest": max(published, key=lambda v: version_key(v.version), default=None),
                "draft": next((v for v in q.versions.all() if not v.is_published), None),
                "deployed": len(q.deployments.all()),
            }
        )
    return rows


@require_GET
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    user = require_form_manager(request.user)
    rows = _questionnaire_rows(user)
    form = NewQuestionnaireForm(owner_areas=_owner_areas(user))
    return render(request, "forms/questionnaire_list.html", {"rows": rows, "form": form})


@require_POST
def questionnaire_create(request: HttpRequest) -> HttpResponseBase:
    user = require_form_manager(request.user)
    owner_areas = _owner_areas(user)
    form = NewQuestionnaireForm(request.POST, request.FILES, owner_areas=owner_areas)
    error: FormsError | None = None
    if form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            version = create_questionnaire(
                workbook=upload.read(),
                filename=upload.name,
                owner_area=form.cleaned_data["owner_area"],
                user=user,
            )
        except FormsError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("Draft version %(version)s uploaded. Check it, then publish it.")
                % {"version": version.version},
            )
            return redirect("forms:detail", form_id=version.questionnaire.form_id)
    return render(
        request,
        "forms/questionnaire_list.html",
        {"rows": _questionnaire_rows(user), "form": form, "error": error},
        status=422,
    )


def _detail_context(user: User, questionnaire: Questionnaire) -> dict[str, object]:
    versions = list(
        questionnaire.versions.select_related("created_by", "published_by").prefetch_related(
            "media"
        )
    )
    draft = next((v for v in versions if not v.is_published), None)
    return {
        "questionnaire": questionnaire,
        "versions": versions,
        "draft": draft,
        "draft_missing_media": missing_media(draft) if draft else [],
        "upload_form": WorkbookUploadForm(),
        "media_form": MediaUploadForm(),
        "deployment_form": DeploymentForm(
            choices=_deployable_areas(questionnaire),
            initial={"areas": list(questionnaire.deployments.values_list("area_id", flat=True))},
        ),
    }


@require_GET
def questionnaire_detail(request: HttpRequest, form_id: str) -> HttpResponse:
    user = require_form_manager(request.user)
    questionnaire = get_questionnaire_for_manager(user, form_id)
    return render(request, "forms/questionnaire_detail.html", _detail_context(user, questionnaire))


def _detail_with_error(
    request: HttpRequest, user: User, questionnaire: Questionnaire, error: FormsError
) -> HttpResponse:
    context = _detail_context(user, questionnaire)
    context["error"] = error
    return render(request, "forms/questionnaire_detail.html", context, status=422)


@require_POST
def version_upload(request: HttpRequest, form_id: str) -> HttpResponseBase:
    user = require_form_manager(request.user)
    questionnaire = get_questionnaire_for_manager(user, form_id)
    form = WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_with_error(
            request, user, questionnaire, FormsError(_("Choose a workbook to upload."))
        )
    upload = form.cleaned_data["workbook"]
    # Which draft the upload replaces, to say so (the service replaces it, or changes nothing).
    earlier_draft = (
        questionnaire.versions.filter(status=FormVersion.Status.DRAFT)
        .values_list("version", flat=True)
        .first()
    )
    try:
        version = upload_form_version(
            questionnaire=questionnaire, workbook=upload.read(), filename=upload.name, user=user
        )
    except FormsError as exc:
        return _detail_with_error(request, user, questionnaire, exc)
    if earlier_draft is not None:
        messages.success(
            request,
            _(
                "Draft version %(version)s uploaded. It replaces the earlier draft "
                "%(earlier)s, which is no longer kept. Check it, then publish it."
            )
            % {"version": version.version, "earlier": earlier_draft},
        )
    else:
        messages.success(
            request,
            _("Draft version %(version)s uploaded. Check it, then publish it.")
            % {"version": version.version},
        )
    return redirect("forms:detail", form_id=form_id)


@require_POST
def media_upload(request: HttpRequest, form_id: str, version: str) -> HttpResponseBase:
    user = require_form_manager(request.user)
    form_version = get_version_for_manager(user, form_id, version)
    form = MediaUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_with_error(
            request, user, form_version.questionnaire, FormsError(_("Choose a file to attach."))
        )
    upload = form.cleaned_data["file"]
    try:
        attach_form_media(
            version=form_version, filename=upload.name, content=upload.read(), user=user
        )
    except FormsError as exc:
        return _detail_with_error(request, user, form_version.questionnaire, exc)
    messages.success(request, _("“%(name)s” attached.") % {"name": upload.name})
    return redirect("forms:detail", form_id=form_id)


@require_POST
def version_publish(request: HttpRequest, form_id: str, version: str) -> HttpResponseBase:
    user = require_form_manager(request.user)
    form_version = get_version_for_manager(user, form_id, version)
    try:
        publish_form_version(version=form_version, user=user)
    except FormsError as exc:
        return _detail_with_error(request, user, form_version.questionnaire, exc)
    messages.success(request, _("Version %(version)s is published.") % {"version": version})
    return redirect("forms:detail", form_id=form_id)


@require_http_methods(["GET", "POST"])
def version_discard(request: HttpRequest, form_id: str, version: str) -> HttpResponseBase:
    """GET asks to confirm; POST discards and says so."""
    user = require_form_manager(request.user)
    form_version = get_version_for_manager(user, form_id, version)
    if request.method == "GET":
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Discard draft version %(version)s?") % {"version": version},
                "consequence": _(
                    "The draft's workbook and its media files are deleted. The published "
                    "versions and the phones are not affected."
                ),
                "confirm_label": _("Discard the draft"),
                "cancel_url": reverse("forms:detail", kwargs={"form_id": form_id}),
                "is_danger": True,
            },
        )
    try:
        discard_draft(version=form_version, user=user)
    except FormsError as exc:
        return _detail_with_error(request, user, form_version.questionnaire, exc)
    messages.success(request, _("Draft version %(version)s was discarded.") % {"version": version})
    return redirect("forms:detail", form_id=form_id)


@require_http_methods(["GET", "POST"])
def questionnaire_archive(request: HttpRequest, form_id: str) -> HttpResponseBase:
    """GET asks to confirm archiving; POST archives (or restores) and says so."""
    user = require_form_manager(request.user)
    questionnaire = get_questionnaire_for_manager(user, form_id)
    if request.method == "GET":
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Archive “%(title)s”?") % {"title": questionnaire.title},
                "consequence": _(
                    "Phones no longer get this questionnaire; submissions already sent are "
                    "kept. You can restore it later."
                ),
                "confirm_label": _("Archive the questionnaire"),
                "cancel_url": reverse("forms:detail", kwargs={"form_id": form_id}),
                "is_danger": True,
            },
        )
    if request.POST.get("restore"):
        restore_questionnaire(questionnaire=questionnaire, user=user)
        messages.success(request, _("The questionnaire is back in use."))
    else:
        archive_questionnaire(questionnaire=questionnaire, user=user)
        messages.success(request, _("The questionnaire is archived: phones no longer get it."))
    return redirect("forms:detail", form_id=form_id)


@require_POST
def questionnaire_deploy(request: HttpRequest, form_id: str) -> HttpResponseBase:
    user = require_form_manager(request.user)
    questionnaire = get_questionnaire_for_manager(user, form_id)
    form = DeploymentForm(request.POST, choices=_deployable_areas(questionnaire))
    if not form.is_valid():
        return _detail_with_error(
            request, user, questionnaire, FormsError(_("Choose areas from the list."))
        )
    areas = list(form.cleaned_data["areas"])
    try:
        check_areas_manageable(user, areas)
        set_deployment(questionnaire=questionnaire, areas=areas, user=user)
    except FormsError as exc:
        return _detail_with_error(request, user, questionnaire, exc)
    messages.success(request, _("Deployment saved."))
    return redirect("forms:detail", form_id=form_id)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def version_xlsx(request: HttpRequest, form_id: str, version: str) -> HttpResponse:
    user = require_form_manager(request.user)
    form_version = get_version_for_manager(user, form_id, version)
    with form_version.xlsform.open("rb") as handle:
        content = handle.read()
    return _attachment(
        content,
        form_version.xlsform_content_type,
        f"{form_id}-{version}{form_version.xlsform_extension}",
    )


@require_GET
def version_xform(request: HttpRequest, form_id: str, version: str) -> HttpResponse:
    user = require_form_manager(request.user)
    form_version: FormVersion = get_version_for_manager(user, form_id, version)
    return _attachment(
        form_version.xform_xml.encode("utf-8"), "text/xml", f"{form_id}-{version}.xml"
    )
