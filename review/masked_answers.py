"""A submission's NIKs, KKs and phone numbers masked on the review pages and the API.

Indonesia's Law 27/2022 on personal data: these identifiers are masked by
default wherever they are shown (``registry.masking`` says how), and shown in
full only when a reviewer asks for them with a reason (``reveal_item``, one
audit record each). The questions that hold them are the form's roles
(``forms.roles``: the head's NIK, the KK, phones, and the NIK and KK columns
of a members repeat), so that any household form is masked, not only ours.
Searching by NIK is unaffected: it runs on the server, on the full values.
"""

import copy
from collections.abc import Callable
from typing import Any

from django.db import transaction

from accounts.access import Action, require
from accounts.models import User
from audit.trail import record_change
from forms.roles import FormRoles, roles_of_version
from registry.masking import mask_kk, mask_nik, mask_phone
from registry.reveal import check_reveal_rate, clean_reason
from review.decisions import item_area_code
from review.models import ReviewItem
from review.queue import get_visible_item


def sensitive_questions(roles: FormRoles) -> dict[str, Callable[[str | None], str]]:
    """The paths (a repeat's columns as ``members/nik``) that hold an identifier, and how
    each is masked."""
    found: dict[str, Callable[[str | None], str]] = {}
    if roles.head_nik:
        found[roles.head_nik] = mask_nik
    if roles.kk:
        found[roles.kk] = mask_kk
    for phone in roles.phones:
        found[phone] = mask_phone
    for repeat in roles.repeats:
        if repeat.nik:
            found[f"{repeat.path}/{repeat.nik}"] = mask_nik
        if repeat.kk:
            found[f"{repeat.path}/{repeat.kk}"] = mask_kk
    return found


def mask_answers(answers: Any, masks: dict[str, Callable[[str | None], str]]) -> Any:
    """A copy of ``answers`` (nested groups, repeats as lists) with those paths masked."""

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {
                key: walk(value, f"{path}/{key}" if path else key) for key, value in node.items()
            }
        if isinstance(node, list):
            return [walk(row, path) for row in node]
        if isinstance(node, str) and path in masks:
            return masks[path](node)
        return node

    return walk(copy.deepcopy(answers), "")


def masks_of(item: ReviewItem) -> dict[str, Callable[[str | None], str]]:
    return sensitive_questions(roles_of_version(item.form_version_id))


def mask_value(masks: dict[str, Callable[[str | None], str]], field: str, value: Any) -> Any:
    """One answer (a change's before or after) at ``field``, masked if it is an identifier."""
    return masks[field](str(value)) if field in masks and value else value


@transaction.atomic
def reveal_item(*, user: User, item_id: int, reason: str) -> ReviewItem:
    """The item, for a reader allowed to see its identifiers in full (Action.REVEAL over its
    area), with one audit record ``review.revealed`` (the reason, never the values).
    Raises ItemNotFound (outside her areas), NotAllowed, RevealReasonRequired, and
    RevealRateLimited after too many reveals in an hour (the registry's and these)."""
    item = get_visible_item(user, item_id)
    text = clean_reason(reason)
    area = item_area_code(item)
    require(user, Action.REVEAL, area)
    check_reveal_rate(user)
    record_change(
        actor=user,
        action="review.revealed",
        obj=item,
        area_code=area,
        before=None,
        after={"reason": text, "fields": sorted(masks_of(item))},
    )
    return item
