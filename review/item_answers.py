"""A review item's answers as the reviewer sees them: the last correction's, or as sent."""

from typing import Any

from django.db.models import QuerySet

from review.models import AnswerVersion, ReviewItem


def current_answers(item: ReviewItem) -> dict[str, Any]:
    """The item's answers as the reviewer works on them: the last correction's, or as sent."""
    if item.answers_number:
        found = (
            AnswerVersion.objects.filter(item_id=item.pk, number=item.answers_number)
            .values_list("answers", flat=True)
            .first()
        )
        if found is not None:
            return dict(found)
    answers = item.submission.answers
    return dict(answers) if isinstance(answers, dict) else {}


def answer_versions(item: ReviewItem) -> QuerySet[AnswerVersion]:
    """Every correction of the item, in order (with who made it)."""
    return item.answer_versions.select_related("created_by").order_by("number")
