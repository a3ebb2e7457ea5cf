"""Which questionnaires a person manages or collects."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.access import Action, scope_for
from accounts.models import User
from forms.models import Deployment, FormVersion, Questionnaire


def questionnaires_managed_by(user: User) -> QuerySet[Questionnaire]:
    """Questionnaires whose owning area lies within the user's form-management areas."""
    scope = scope_for(user, Action.MANAGE_FORMS)
    return Questionnaire.objects.filter(scope.q("owner_area__code")).select_related("owner_area")


def questionnaires_for_collector(user: User) -> QuerySet[Questionnaire]:
    """Active questionnaires with a published version, deployed where the user collects.

    A deployment reaches the user when its area contains one of her areas or
    lies inside one of them.
    """
    scope = scope_for(user, Action.COLLECT)
    if scope.is_empty:
        return Questionnaire.objects.none()
    if scope.everywhere:
        reach = Q()
    else:
        reach = scope.q("area__code")
        for root in scope.roots:
            parts = root.split(".")
            reach |= Q(area__in=[".".join(parts[:i]) for i in range(1, len(parts))])
    deployed = Deployment.objects.filter(reach, questionnaire=OuterRef("pk"))
    published = FormVersion.objects.filter(
        questionnaire=OuterRef("pk"), status=FormVersion.Status.PUBLISHED
    )
    return Questionnaire.objects.filter(
        Exists(deployed), Exists(published), status=Questionnaire.Status.ACTIVE
    )
