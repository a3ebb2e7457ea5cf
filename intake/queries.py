"""Which submissions a person may see: one queryset, used by every list and detail view."""

from django.db.models import Q, QuerySet

from accounts.access import Action, scope_for
from accounts.models import User
from intake.models import Submission


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """Submissions from villages in the user's areas (or, without a village, of forms her area owns)."""
    scope = scope_for(user, Action.VIEW)
    if scope.is_empty:
        return Submission.objects.none()
    located = scope.q("area__code")
    unlocated = Q(area__isnull=True) & scope.q("questionnaire__owner_area__code")
    condition = Q() if scope.everywhere else (located | unlocated)
    return Submission.objects.filter(condition).select_related(
        "questionnaire", "form_version", "area", "submitted_by"
    )


def submissions_awaiting_processing() -> QuerySet[Submission]:
    """Complete submissions whose thumbnails and answers are still to be made (the work queue)."""
    return Submission.objects.filter(
        status=Submission.Status.COMPLETE, processed_at__isnull=True, processing_error=""
    )
