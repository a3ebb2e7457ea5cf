"""The home page: what each person has to do, by role."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import Action, roles_of, scope_for
from accounts.models import Role, User
from areas.models import Area
from forms.models import FormVersion
from forms.queries import questionnaires_for_collector, questionnaires_managed_by


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
    review = scope_for(user, Action.REVIEW)
    if not review.is_empty:
        context["review_areas"] = (
            None if review.everywhere else list(Area.objects.filter(code__in=review.roots))
        )
    view = scope_for(user, Action.VIEW)
    if not view.is_empty and not view.everywhere:
        context["village_count"] = Area.objects.filter(view.q("code"), level="village").count()
    return render(request, "home.html", context)
