"""A reviewer's corrections of answers: each a new version of the whole answers.

The original XML and ``Submission.answers`` never change: a correction adds
an AnswerVersion (the whole answers after it, what changed, why, by whom) and
makes it the item's current answers (``answers_number``). It takes the
item's ``version`` like a decision (review.decisions.bump_version), writes a
Decision row (state unchanged, reason ``correction``) and an audit record, and
has the checks run again on the corrected answers after its commit.
"""

import copy
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.trail import record_change
from forms.xform_outline import read_outline
from review.decisions import bump_version, get_item_to_decide, item_area_code
from review.errors import (
    COMMENT_LIMIT,
    CommentTooLong,
    CorrectionReasonRequired,
    FieldNotCorrectable,
    MemberIndexInvalid,
    NothingChanged,
)
from review.item_answers import current_answers
from review.models import AnswerVersion, Decision
from review.queue_totals import queue_changed

logger = logging.getLogger(__name__)

# Questions whose answer a reviewer cannot type: files, computed values, metadata.
_NOT_CORRECTABLE = frozenset(
    {
        "image",
        "audio",
        "video",
        "file",
        "calculate",
        "note",
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "phonenumber",
        "simserial",
        "subscriberid",
        "email",
        "audit",
        "background-audio",
        "begin_group",
        "begin_repeat",
    }
)


def _repeat_of(path: str, repeats: list[str]) -> str:
    holding = [r for r in repeats if path.startswith(r + "/")]
    return max(holding, key=len) if holding else ""


def _set_answer(
    answers: dict[str, Any], *, field: str, member_index: int | None, value: str, xform_xml: str
) -> str:
    """Put ``value`` at ``field`` (in row ``member_index`` of its repeat); returns the value
    before. Raises FieldNotCorrectable, MemberIndexInvalid."""
    outline = read_outline(xform_xml)
    node = outline.find(field)
    if node is None or not node.is_question or node.type in _NOT_CORRECTABLE:
        raise FieldNotCorrectable(field=field)
    repeats = [n.path for n in outline.nodes if n.kind == "repeat"]
    repeat = _repeat_of(field, repeats)
    if repeat:
        if _repeat_of(repeat, repeats):
            raise FieldNotCorrectable(field=field)  # a repeat inside a repeat: no one index
        holder: Any = answers
        for step in repeat.split("/")[:-1]:
            holder = holder.get(step) if isinstance(holder, dict) else None
        stored = holder.get(repeat.split("/")[-1]) if isinstance(holder, dict) else None
        if not isinstance(stored, list) or member_index is None:
            raise MemberIndexInvalid(field=field)
        if not 0 <= member_index < len(stored):
            raise MemberIndexInvalid(field=field)
        if not isinstance(stored[member_index], dict):
            stored[member_index] = {}  # an empty row, read as ""
        container: Any = stored[member_index]
        steps = field[len(repeat) + 1 :].split("/")
    else:
        if member_index is not None:
            raise MemberIndexInvalid(field=field)
        container = answers
        steps = field.split("/")
    for step in steps[:-1]:
        inner = container.get(step)
        if not isinstance(inner, dict):
            inner = {}
            container[step] = inner
        container = inner
    before = container.get(steps[-1])
    container[steps[-1]] = value
    return before if isinstance(before, str) else ""


@transaction.atomic
def correct_answer(
    *,
    user: User,
    item_id: int,
    version: int,
    field: str,
    member_index: int | None,
    value: str,
    reason: str,
) -> AnswerVersion:
    """Correct one answer of the item, with a reason; returns the new AnswerVersion.

    Raises CorrectionReasonRequired, FieldNotCorrectable, MemberIndexInvalid,
    NothingChanged, ReviewMovedOn (409: the item changed since ``version``),
    NotAllowed, ItemNotFound.
    """
    if not reason.strip():
        raise CorrectionReasonRequired()
    if len(reason) > COMMENT_LIMIT or len(value) > COMMENT_LIMIT:
        raise CommentTooLong(length=max(len(reason), len(value)))
    item = get_item_to_decide(user, item_id, version)
    answers = copy.deepcopy(current_answers(item))
    value = value.strip()
    before = _set_answer(
        answers,
        field=field,
        member_index=member_index,
        value=value,
        xform_xml=item.form_version.xform_xml,
    )
    if before.strip() == value:
        raise NothingChanged()
    number = item.answers_number + 1
    bump_version(item, version, answers_number=number)
    change = {"field": field, "member_index": member_index, "before": before, "after": value}
    corrected = AnswerVersion.objects.create(
        item=item,
        submission_id=item.submission_id,
        number=number,
        answers=answers,
        changes=[change],
        reason=reason.strip(),
        created_by=user,
    )
    Decision.objects.create(
        item=item,
        submission_id=item.submission_id,
        state_before=item.state,
        state_after=item.state,
        reason="correction",
        comment=reason.strip(),
        decided_by=user,
        decided_at=timezone.now(),
        version=item.version,
    )
    queue_changed(item_area_code(item))
    record_change(
        actor=user,
        action="review.answer_corrected",
        obj=item,
        area_code=item_area_code(item),
        before={"field": field, "member_index": member_index, "value": before},
        after={
            "field": field,
            "member_index": member_index,
            "value": value,
            "reason": reason.strip(),
            "answers_number": number,
            "version": item.version,
        },
    )
    submission_id = item.submission_id
    transaction.on_commit(lambda: _check_again(submission_id), robust=True)
    logger.info("answer corrected item_id=%s answers_number=%s", item.pk, number)
    return corrected


def _check_again(submission_id: int) -> None:
    from review.checking import check_submissions

    check_submissions([submission_id])
