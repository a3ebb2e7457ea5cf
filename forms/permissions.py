"""Finding a questionnaire for a person who manages it, or refusing."""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.access import Action, require, scope_for
from accounts.models import User
from areas.models import Area
from forms.errors import AreaOutsideScope
from forms.models import FormVersion, Questionnaire
from forms.queries import questionnaires_managed_by


def require_form_manager(user: User | AnonymousUser) -> User:
    """The user, when she manages questionnaires somewhere; NotAllowed (403) otherwise."""
    require(user, Action.MANAGE_FORMS)
    assert isinstance(user, User)  # require() refused anonymous users
    return user


def get_questionnaire_for_manager(user: User, form_id: str) -> Questionnaire:
    """The questionnaire, or Http404 when it does not exist or is outside the user's areas."""
    try:
        return questionnaires_managed_by(user).get(form_id=form_id)
    except Questionnaire.DoesNotExist:
        raise Http404("No such questionnaire") from None


def get_version_for_manager(user: User, form_id: str, version: str) -> FormVersion:
    questionnaire = get_questionnaire_for_manager(user, form_id)
    try:
        return questionnaire.versions.get(version=version)
    except FormVersion.DoesNotExist:
        raise Http404("No such version") from None


def check_areas_manageable(user: User, areas: list[Area]) -> None:
    """Raise AreaOutsideScope for the first area the user may not deploy to."""
    scope = scope_for(user, Action.MANAGE_FORMS)
    for area in areas:
        if not scope.covers(area.code):
            raise AreaOutsideScope(area=str(area))


def default_owner_area(user: User) -> Area | None:
    """The area a new questionnaire of this user belongs to, when there is only one."""
    scope = scope_for(user, Action.MANAGE_FORMS)
    if len(scope.roots) == 1:
        return Area.objects.filter(code=scope.roots[0]).first()
    return None
