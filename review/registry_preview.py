"""The registry beside a submission on its review page: what approving it would change.

Before the approval the reviewer sees, side by side, what the registry holds
and what this submission offers: each new household or person, each value it
would set, each conflict it would leave for a reviewer to resolve (a value
that another source set and this one contradicts) and each move of a person
from another household. After the approval: where it went. The plan is the
registry's own (``registry.merge.plan_merge``), read without writing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from foundation.errors import DomainError
from registry.masking import mask_for_key
from registry.merge import MergePlan, plan_merge
from registry.merge_plan import HOUSEHOLD
from registry.models import Person, Source
from review.item_answers import current_answers
from review.models import ReviewItem

FIELD_LABELS = {
    "nik": gettext_lazy("NIK"),
    "name": gettext_lazy("Name"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Birth date"),
    "family": gettext_lazy("Family card (KK)"),
    "phone": gettext_lazy("Phone"),
    "relation": gettext_lazy("Relation to the head"),
    "head": gettext_lazy("Head of household"),
    "rt": gettext_lazy("RT"),
    "rw": gettext_lazy("RW"),
    "address": gettext_lazy("Address"),
    "location": gettext_lazy("GPS location"),
    "kks_number": gettext_lazy("KKS card number"),
    "assets": gettext_lazy("Assets"),
    "photo": gettext_lazy("House photo"),
}


# Why a follow-up's pick of a household or person is not linked (registry.merge_plan's
# PlannedPick.outcome), in the reviewer's words.
UNLINKED = {
    ("household", "unknown"): gettext_lazy(
        "The household picked on the phone (%(id)s) is not in the registry: it is not linked."
    ),
    ("household", "out_of_scope"): gettext_lazy(
        "The household picked on the phone (%(id)s) is not in this submission's village or "
        "the agent's villages: it is not linked."
    ),
    ("person", "unknown"): gettext_lazy(
        "The person picked on the phone (%(id)s) is not in the registry: she is not linked, "
        "the applicant is found by the NIK answered."
    ),
    ("person", "out_of_scope"): gettext_lazy(
        "The person picked on the phone (%(id)s) is not in this submission's village or the "
        "agent's villages: she is not linked, the applicant is found by the NIK answered."
    ),
    ("person", "not_in_household"): gettext_lazy(
        "The person picked on the phone (%(id)s) is not a member of the household picked: "
        "she is not linked, the applicant is found by the NIK answered."
    ),
}


@dataclass(frozen=True)
class PreviewRow:
    kind: str  # "create", "update", "conflict", "move", "link"
    subject: str  # "Household", "Budi Santoso"…
    field: str
    held: str
    offered: str


@dataclass(frozen=True)
class RegistryPreview:
    rows: list[PreviewRow]
    merged_household_id: int | None
    merged_at: Any
    merged_by: str
    error: str
    # Picks of a household or person that are not linked: why, in the reviewer's words.
    unlinked: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> int:
        return sum(1 for row in self.rows if row.kind == "conflict")


def _field_label(field: str) -> str:
    if field in FIELD_LABELS:
        return str(FIELD_LABELS[field])
    group, _dot, name = field.partition(".")
    return name.replace("_", " ") if name else field.replace("_", " ")


def _shown(field: str, value: Any) -> str:
    """A value as the page shows it: NIK, KK and phone masked (the answers beside it show
    the submission's own; what another source holds is not for every reader)."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if field == "photo":  # an attachment's id says nothing to a reader
        return _("a photo")
    if isinstance(value, dict) and {"lat", "lon"} <= set(value):
        return f"{value['lat']:.5f}, {value['lon']:.5f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(mask_for_key(field, value))


def _subject(ref: Any) -> str:
    if ref.kind == "household" and ref.key != HOUSEHOLD:  # another: one a head leaves
        return _("Household %(id)s") % {"id": ref.pk}
    if ref.kind == "household":
        return _("Household")
    if ref.kind == "family":
        return _("Family card")
    return ref.label or _("Person")


def _unlinked(picks: Iterable[dict[str, Any]]) -> list[str]:
    return [
        str(UNLINKED[(pick["question"], pick["outcome"])]) % {"id": pick["answer"] or "—"}
        for pick in picks
        if (pick.get("question"), pick.get("outcome")) in UNLINKED
    ]


def _links(plan: MergePlan) -> list[PreviewRow]:
    """What a follow-up's picks link the assessment or application to."""
    rows = []
    for pick in plan.picks:
        if pick.outcome != "linked":
            continue
        if pick.question == "household":
            offered = _("household %(id)s") % {"id": pick.linked_id}
            rows.append(PreviewRow("link", _("Household picked"), _("Household"), "", offered))
        else:
            person = plan.rows.get("person")
            name = person.name if isinstance(person, Person) else ""
            rows.append(PreviewRow("link", _("Person picked"), _("Applicant"), "", name))
    return rows


def _head_names(plan: MergePlan) -> dict[int, str]:
    """A head is held as a person's id: the roster's names say who that is."""
    return {m.ref.pk: m.ref.label for m in plan.members if m.ref.pk and m.ref.label}


def _shown_value(field_name: str, value: Any, heads: dict[int, str]) -> str:
    if field_name == "head" and isinstance(value, int) and value in heads:
        return heads[value]
    return _shown(field_name, value)


def registry_preview(item: ReviewItem) -> RegistryPreview:
    """What approving ``item`` would change in the registry, or where it went."""
    merged = (
        Source.objects.filter(submission_id=item.submission_id)
        .select_related("approved_by")
        .first()
    )
    if merged is not None:
        return RegistryPreview(
            rows=[],
            merged_household_id=(merged.summary or {}).get("household_id"),
            merged_at=merged.approved_at,
            merged_by=merged.approved_by.get_full_name() or merged.approved_by.username,
            error="",
            unlinked=_unlinked((merged.summary or {}).get("picks") or []),
        )
    try:
        plan = plan_merge(submission=item.submission, answers=current_answers(item))
    except DomainError as error:  # the page still opens; approving would say the same
        return RegistryPreview([], None, None, "", str(error.detail))
    heads = _head_names(plan)
    rows = [PreviewRow("create", _subject(ref), "", "", "") for ref in plan.creates]
    rows += _links(plan)
    rows += [
        PreviewRow(
            "update",
            _subject(change.ref),
            _field_label(change.field),
            _shown_value(change.field, change.before, heads),
            _shown_value(change.field, change.after, heads),
        )
        for change in plan.updates
        if change.ref.pk is not None  # values of new rows are told by their "create"
    ]
    rows += [
        PreviewRow(
            "conflict",
            _subject(conflict.ref),
            _field_label(conflict.field),
            _shown_value(conflict.field, conflict.held, heads),
            _shown_value(conflict.field, conflict.offered, heads),
        )
        for conflict in plan.conflicts
    ]
    rows += [
        PreviewRow(
            "move",
            _subject(move.ref),
            _("Household"),
            _("household %(id)s") % {"id": move.from_household_id},
            _("household %(id)s") % {"id": move.to_household_id}
            if move.to_household_id
            else _("this new household"),
        )
        for move in plan.moves
    ]
    picks = [{"question": p.question, "answer": p.answer, "outcome": p.outcome} for p in plan.picks]
    return RegistryPreview(rows, None, None, "", "", _unlinked(picks))
