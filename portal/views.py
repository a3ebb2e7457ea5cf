"""The home page: what each person has to do, by role."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import Action, roles_of, scope_for
from accounts.models import Role, User
from areas.models import Area
from forms.models import FormVersion
from forms.queries import questionnaires_for_collector, questionnaires_managed_by
from review.oversight import AGE_BANDS, queue_summary, sent_back_for

# The home page lists this many rows of the queue's summary, and this many items sent back.
SUMMARY_ROWS = 40
SENT_BACK_ROWS = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    roles = roles_of(user)
    assignments = list(user.role_assignments.select_related("area", "area__parent"))
    context: dict[str, object] = {
        "roles": [Role(r).label for r in sorted(roles)],
        "assignments": assignments,
    }
    if Role.FIELD_AGENT in roles:
        context["collector_forms"] = list(questionnaires_for_collector(user))
    manage = scope_for(user, Action.MANAGE_FORMS)
    if not manage.is_empty:
        managed = questionnaires_managed_by(user)
        context["managed_count"] = managed.count()
        # Counted, not loaded: a version's row holds its whole XForm.
        context["draft_count"] = FormVersion.objects.filter(
            questionnaire__in=managed, status=FormVersion.Status.DRAFT
        ).count()
    _add_review_panels(user, roles, context)
    view = scope_for(user, Action.VIEW)
    if not view.is_empty and not view.everywhere:
        context["village_count"] = Area.objects.filter(view.q("code"), level="village").count()
    return render(request, "home.html", context)


def _add_review_panels(user: User, roles: set[str], context: dict[str, object]) -> None:
    """The review queue by area, state and age; the submissions sent back to the village."""
    overseer = user.is_superuser or bool(roles - {Role.FIELD_AGENT, Role.AUDITOR})
    if overseer:
        summary = queue_summary(user)
        context["queue_summary"] = summary[:SUMMARY_ROWS]
        context["queue_summary_more"] = max(0, len(summary) - SUMMARY_ROWS)
        context["age_bands"] = [label for _upper, label in AGE_BANDS]
        # A monitor sees the counts, not the items: no links into the queue.
        context["summary_links"] = (
            bool(roles & {Role.REVIEWER, Role.COORDINATOR, Role.DISTRICT_STAFF})
            or user.is_superuser
        )
    if Role.FIELD_AGENT in roles or Role.COORDINATOR in roles:
        context["sent_back"] = list(sent_back_for(user)[:SENT_BACK_ROWS])
