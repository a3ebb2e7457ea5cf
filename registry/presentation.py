"""What a reader is shown of a household or a person: every identifier masked.

The household's and the person's pages and the API's details are built from
these plain dicts, so that a page and the API show the same thing and mask it
in one place. Each function reads a fixed number of queries, whatever the
household's size (no query per member, per conflict or per source).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from registry.form_labels import NO_LABELS, FormLabels
from registry.masking import mask_data, mask_for_key, mask_kk, mask_nik, mask_phone
from registry.models import (
    Application,
    Assessment,
    Conflict,
    Family,
    Household,
    Participation,
    Person,
    RegistryChange,
    Residence,
    Source,
)

# The PPLS's programme codes (forms/questionnaires/ppls_household.yaml), for people.
PROGRAMME_LABELS = {
    "kps_kks": _("KPS/KKS social protection card"),
    "pkh": _("PKH conditional cash transfer"),
    "raskin": _("Raskin subsidised rice"),
    "bsm_kip": _("BSM/KIP scholarship"),
    "bpjs_pbi": _("BPJS health insurance (PBI)"),
    "bpjs_self_paid": _("BPJS health insurance (self-paid)"),
    "jamsostek": _("BPJS employment insurance"),
    "kur": _("KUR micro-credit"),
}
RELATION_LABELS = {
    "head": _("Head of household"),
    "spouse": _("Wife/husband"),
    "child": _("Child"),
    "child_in_law": _("Child-in-law"),
    "grandchild": _("Grandchild"),
    "parent": _("Parent/parent-in-law"),
    "servant": _("Domestic worker"),
    "other": _("Other"),
}
SEX_LABELS = {"male": _("male"), "female": _("female")}
# The values a history or a conflict is about, by the merge's field names.
FIELD_LABELS = {
    "name": _("Name"),
    "nik": _("NIK"),
    "sex": _("Sex"),
    "birth_date": _("Birth date"),
    "phone": _("Phone"),
    "relation": _("Relation to the head"),
    "household": _("Household"),
    "family": _("Family card (KK)"),
    "kk_number": _("Family card (KK)"),
    "village": _("Village"),
    "rt": _("RT"),
    "rw": _("RW"),
    "address": _("Address"),
    "location": _("GPS location"),
    "head": _("Head of household"),
    "kks_number": _("KKS card"),
    "assets": _("Assets"),
    "photo": _("Photo of the house"),
}


def field_label(field: str) -> str:
    """``birth_date`` → "Birth date"; ``housing.roof_material`` → "roof material"."""
    if field in FIELD_LABELS:
        return str(FIELD_LABELS[field])
    return field.rsplit(".", 1)[-1].replace("_", " ")


def programme_label(code: str) -> str:
    return str(PROGRAMME_LABELS.get(code, code))


def relation_label(code: str) -> str:
    return str(RELATION_LABELS.get(code, code.replace("_", " ")))


def source_row(source: Source) -> dict[str, Any]:
    submission = source.submission
    return {
        "id": source.pk,
        "kind": source.kind,
        "kind_label": str(source.get_kind_display()),
        "label": source.label,
        "form_id": submission.questionnaire.form_id if submission else "",
        "instance_id": submission.instance_id if submission else "",
        "received_at": submission.received_at if submission else None,
        "approved_by": source.approved_by.username,
        "approved_at": source.approved_at,
    }


def _sources(ids: QuerySet[Any]) -> list[dict[str, Any]]:
    """The sources whose ids ``ids`` (a UNION of indexed lookups) holds, oldest first."""
    sources = (
        Source.objects.filter(pk__in=ids)
        .select_related("submission__questionnaire", "approved_by")
        .defer("submission__xml", "submission__answers", "summary")
        .order_by("approved_at", "pk")
    )
    return [source_row(source) for source in sources]


def conflict_row(conflict: Conflict) -> dict[str, Any]:
    """A conflict with its two values masked (an NIK, a KK or a phone stays hidden)."""
    return {
        "id": conflict.pk,
        "field": conflict.field,
        "label": field_label(conflict.field),
        "held": mask_for_key(conflict.field, conflict.held),
        "offered": mask_for_key(conflict.field, conflict.offered),
        "chosen": mask_for_key(conflict.field, conflict.chosen),
        "state": conflict.state,
        "state_label": str(conflict.get_state_display()),
        "reason": mask_data(conflict.reason),
        "household_id": conflict.household_id,
        "person_id": conflict.person_id,
        "village_code": conflict.village_id,
        "source_id": conflict.source_id,
        "held_source_id": conflict.held_source_id,
        "created_at": conflict.created_at,
        "resolved_at": conflict.resolved_at,
    }


def _location(household: Household) -> dict[str, Any] | None:
    if household.location is None:
        return None
    return {
        "lat": household.location.y,
        "lon": household.location.x,
        "accuracy": household.location_accuracy_m,
    }


def _member_row(person: Person, kk_numbers: dict[int, str]) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "nik": mask_nik(person.nik),
        "has_nik": bool(person.nik),
        "sex": person.sex,
        "sex_label": str(SEX_LABELS.get(person.sex, "")),
        "birth_date": person.birth_date,
        "relation": person.relation,
        "relation_label": relation_label(person.relation) if person.relation else "",
        "kk_number": mask_kk(kk_numbers.get(person.family_id or 0, "")),
        "phone": mask_phone(person.phone),
    }


def participation_row(participation: Participation) -> dict[str, Any]:
    return {
        "programme": participation.programme,
        "label": programme_label(participation.programme),
        "person_id": participation.person_id,
        "since": participation.since,
        "until": participation.until,
    }


def area_label(area: Any) -> str:
    return f"{area.name}" if area is not None else ""


def household_detail(household: Household) -> dict[str, Any]:
    """The household (read through ``get_household``) with its members, families,
    programmes, open and resolved conflicts and sources, masked. Six queries."""
    members = list(
        Person.objects.filter(household=household)
        .only(
            "id",
            "name",
            "nik",
            "sex",
            "birth_date",
            "relation",
            "family_id",
            "phone",
            "household_id",
        )
        .order_by("pk")
    )
    # Each "A or B" below is a UNION of two indexed lookups: an OR across a join is a
    # filter on every row of the table (seconds at 20 million changes, a million people).
    families = list(
        Family.objects.filter(
            pk__in=Family.objects.filter(household=household)
            .values("pk")
            .union(
                Person.objects.filter(household=household, family__isnull=False).values("family_id")
            )
        ).order_by("pk")
    )
    kk_numbers = {family.pk: family.kk_number for family in families}
    participations = list(
        Participation.objects.filter(household=household).order_by("until", "programme", "pk")
    )
    conflicts = list(
        Conflict.objects.filter(
            pk__in=Conflict.objects.filter(household=household)
            .values("pk")
            .union(Conflict.objects.filter(person__household=household).values("pk"))
        ).order_by("state", "-created_at", "-pk")
    )
    village = household.village
    head = next((m for m in members if m.pk == household.head_id), None)
    member_counts: dict[int, int] = {}
    for member in members:
        if member.family_id:
            member_counts[member.family_id] = member_counts.get(member.family_id, 0) + 1
    return {
        "id": household.pk,
        "village_code": household.village_id,
        "village_name": area_label(village),
        "kecamatan_code": household.kecamatan_code,
        "kecamatan_name": area_label(village.parent) if village else "",
        "rt": household.rt,
        "rw": household.rw,
        "address": household.address,
        "location": _location(household),
        "head_id": household.head_id,
        "head_name": head.name if head else "",
        "head_nik": mask_nik(head.nik) if head else "",
        "housing": mask_data(household.housing),
        "assets": list(household.assets or []),
        "kks_number": mask_kk(household.kks_number),
        "has_photo": household.photo_id is not None,
        "created_at": household.created_at,
        "updated_at": household.updated_at,
        "members": [_member_row(member, kk_numbers) for member in members],
        "families": [
            {
                "id": family.pk,
                "kk_number": mask_kk(family.kk_number),
                "members": member_counts.get(family.pk, 0),
            }
            for family in families
        ],
        "participations": [participation_row(p) for p in participations],
        "conflicts": [conflict_row(conflict) for conflict in conflicts],
        "sources": _sources(
            RegistryChange.objects.filter(household=household)
            .values("source_id")
            .union(
                Source.objects.filter(pk=household.created_by_source_id).values("pk"),
                Conflict.objects.filter(household=household).values("source_id"),
            )
        ),
    }


def _residence_row(residence: Residence) -> dict[str, Any]:
    household = residence.household
    return {
        "household_id": residence.household_id,
        "village_code": household.village_id,
        "village_name": area_label(household.village),
        "rt": household.rt,
        "rw": household.rw,
        "since": residence.since,
        "until": residence.until,
    }


def person_detail(person: Person) -> dict[str, Any]:
    """The person (read through ``get_person``) with her household, family, moves,
    applications, assessments and conflicts, masked. Six queries."""
    household = person.household
    residences = list(
        Residence.objects.filter(person=person)
        .select_related("household__village")
        .order_by("-since", "-pk")
    )
    applications = list(Application.objects.filter(person=person).order_by("-applied_at", "-pk"))
    assessments = list(Assessment.objects.filter(person=person).order_by("-assessed_at", "-pk"))
    conflicts = list(Conflict.objects.filter(person=person).order_by("state", "-created_at"))
    participations = list(
        Participation.objects.filter(person=person).order_by("until", "programme", "pk")
    )
    return {
        "id": person.pk,
        "name": person.name,
        "nik": mask_nik(person.nik),
        "has_nik": bool(person.nik),
        "sex": person.sex,
        "sex_label": str(SEX_LABELS.get(person.sex, "")),
        "birth_date": person.birth_date,
        "phone": mask_phone(person.phone),
        "has_phone": bool(person.phone),
        "village_code": person.village_id or "",
        "village_name": area_label(person.village),
        "kecamatan_code": person.kecamatan_code,
        "household_id": person.household_id,
        "household_address": household.address if household else "",
        "household_rt": household.rt if household else "",
        "household_rw": household.rw if household else "",
        "family_id": person.family_id,
        "kk_number": mask_kk(person.family.kk_number) if person.family else "",
        "relation": person.relation,
        "relation_label": relation_label(person.relation) if person.relation else "",
        "details": mask_data(person.details),
        "created_at": person.created_at,
        "updated_at": person.updated_at,
        "residences": [_residence_row(r) for r in residences],
        "applications": [
            {
                "id": application.pk,
                "programme": application.programme,
                "label": programme_label(application.programme),
                "membership": application.membership,
                "membership_class": application.membership_class,
                "state": application.state,
                "state_label": str(application.get_state_display()),
                "applied_at": application.applied_at,
                "answers": mask_data(application.answers),
            }
            for application in applications
        ],
        "assessments": [
            {
                "id": assessment.pk,
                "household_id": assessment.household_id,
                "is_recommended": assessment.is_recommended,
                "assessed_at": assessment.assessed_at,
                "answers": mask_data(assessment.answers),
            }
            for assessment in assessments
        ],
        "participations": [participation_row(p) for p in participations],
        "conflicts": [conflict_row(conflict) for conflict in conflicts],
    }


def _value(entry: Any, name: str) -> Any:
    if isinstance(entry, dict):
        return entry.get(name)
    return getattr(entry, name, None)


def history_rows(entries: Iterable[Any], labels: FormLabels = NO_LABELS) -> list[dict[str, Any]]:
    """``registry.history``'s entries (newest first), with identifiers masked; a housing or
    roster answer (``housing.roof_material``, ``details.sector``) and its choice in the
    form's own words when ``labels`` has them."""
    rows = []
    for entry in entries:
        field = str(_value(entry, "field") or "")
        group, _dot, name = field.rpartition(".")
        label = labels.question(name, field_label(field)) if group else field_label(field)
        rows.append(
            {
                "field": field,
                "label": label,
                "before": labels.choice(name, mask_for_key(field, _value(entry, "before"))),
                "after": labels.choice(name, mask_for_key(field, _value(entry, "after"))),
                "source": str(_value(entry, "source_label") or _value(entry, "source") or ""),
                "approved_by": str(_value(entry, "approved_by") or ""),
                "at": _value(entry, "at"),
            }
        )
    return rows


def as_of_values(values: Any, labels: FormLabels = NO_LABELS) -> list[dict[str, Any]]:
    """``person_as_of``'s or ``household_as_of``'s values, labelled and masked; a group of
    answers (housing, details) one row an answer, in the form's own words."""
    rows = []
    for key, value in (values or {}).items():
        name = str(key)
        if isinstance(value, dict):
            rows += labelled(value, name, labels)
            continue
        rows.append({"field": name, "label": field_label(name), "value": mask_for_key(name, value)})
    return rows


def labelled(
    values: dict[str, Any], prefix: str, labels: FormLabels = NO_LABELS
) -> list[dict[str, Any]]:
    """A JSON object of answers (housing, details) as labelled rows, masked; in the
    form's own words when ``labels`` has them."""
    return [
        {
            "field": key,
            "label": labels.question(key, field_label(f"{prefix}.{key}")),
            "value": labels.choice(key, mask_for_key(key, value)),
        }
        for key, value in (values or {}).items()
    ]


def parse_day(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None
