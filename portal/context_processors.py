from django.http import HttpRequest

from accounts.access import Action, can


def navigation(request: HttpRequest) -> dict[str, bool]:
    """Which sections the navigation bar offers to the signed-in person."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "can_manage_forms": False,
            "can_collect": False,
            "can_manage_phones": False,
            "can_view_audit": False,
            "can_view_registry": False,
            "can_review_duplicates": False,
        }
    return {
        "can_manage_forms": can(user, Action.MANAGE_FORMS),
        "can_collect": can(user, Action.COLLECT),
        "can_manage_phones": can(user, Action.MANAGE_PHONES),
        "can_view_audit": can(user, Action.VIEW_AUDIT),
        # Monitors see the registry's counts (VIEW_REPORTS), the others its records (VIEW).
        "can_view_registry": can(user, Action.VIEW) or can(user, Action.VIEW_REPORTS),
        # The duplicate pairs are for the reviewers of an area (duplicates.views).
        "can_review_duplicates": can(user, Action.REVIEW),
    }
