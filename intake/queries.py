"""Which submissions a person may see: one queryset, used by every list and detail view."""

from django.db.models import Q, QuerySet

from accounts.access import Action, scope_for
from accounts.models import User
from intake.models import Submission


def _containing(codes: tuple[str, ...]) -> set[str]:
    """The areas that contain one of ``codes`` (``35``, ``35.07``, ``35.07.13`` for a village)."""
    found: set[str] = set()
    for code in codes:
        steps = code.split(".")
        found.update(".".join(steps[:length]) for length in range(1, len(steps)))
    return found


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """Submissions from the areas in the user's scope; and those she sent herself that
    belong to an area holding hers (a form without a village question gets its agent's
    own area: her kecamatan, when she collects in several villages) or to no area. Without
    an area, those of forms her area owns."""
    scope = scope_for(user, Action.VIEW)
    if scope.is_empty:
        return Submission.objects.none()
    located = scope.q("area__code")
    unlocated = Q(area__isnull=True) & scope.q("questionnaire__owner_area__code")
    own = Q(submitted_by=user) & (
        Q(area__isnull=True) | Q(area__code__in=sorted(_containing(scope.roots)))
    )
    condition = Q() if scope.everywhere else (located | unlocated | own)
    return Submission.objects.filter(condition).select_related(
        "questionnaire", "form_version", "area", "submitted_by"
    )


def submissions_awaiting_processing() -> QuerySet[Submission]:
    """Complete submissions whose thumbnails and answers are still to be made (the work queue)."""
    return Submission.objects.filter(
        status=Submission.Status.COMPLETE, processed_at__isnull=True, processing_error=""
    )
