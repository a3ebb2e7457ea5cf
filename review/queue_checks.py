"""The checks that compare a batch of submissions with the rest of the queue.

The same NIK in another household's submission (_Groups), a possible
duplicate household (the same head's NIK, the same KK, or GPS within 50 m
with a similar head's name), a GPS point far from the village's other
households, the same photo as another submission's. A batch asks the
database a handful of questions for all its submissions together (not a
handful each), and compares its submissions with one another in memory, so
two duplicates arriving in one batch find each other too.

A message never names data of the other household (village, name, id): the
pages show ``related_item`` only to a reader who may see it.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import F, FloatField, Func, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from forms.geopoint import GeoPoint
from forms.roles import roster_questionnaires
from foundation import names
from registry.models import Family, Person
from review.checks import gps, photos
from review.checks.base import INFO, WARNING, FindingDraft, make_finding
from review.models import PersonKey, PhotoHash, ReviewItem
from review.submission_facts import SubmissionFacts, as_list, is_plausible

DUPLICATE_DISTANCE_M = 50.0
NEIGHBOURS = 60  # the village's households a location is compared with (the newest)
MAX_DUPLICATES_TOLD = 5
NEARBY_EACH = 50  # the nearest households within 50 m that each one is compared with
# Wider than 50 m in either direction anywhere in Indonesia: a cheap test before distance_m.
_BOX_DEGREES = 0.001

_DUPLICATE_HEAD_NIK = _(
    "Possibly the same household as another submission: the same NIK of the head of household."
)
_DUPLICATE_KK = _(
    "Possibly the same household as another submission: the same family card (KK) number."
)
_DUPLICATE_NEARBY = _(
    "Possibly the same household as another submission: within %(metres)s m, with a similar "
    "name of the head of household."
)
_NIK_ELSEWHERE = _("This NIK is also given in another household's submission in the queue.")
_PHOTO_ELSEWHERE = _("The same picture as a photo of another submission.")


@dataclass(frozen=True)
class Stored:
    """A finding to store, with the other household it concerns (for duplicates)."""

    draft: FindingDraft
    related_item_id: int | None = None


class _X(Func):
    function = "ST_X"
    output_field = FloatField()


class _Y(Func):
    function = "ST_Y"
    output_field = FloatField()


def _point(lat: float, lon: float) -> Any:
    return GeoPoint(lat=lat, lon=lon, altitude=None, accuracy=None)


def _open_items(batch_items: Iterable[int]) -> Any:
    return ReviewItem.objects.exclude(pk__in=list(batch_items)).exclude(
        state=ReviewItem.State.REJECTED
    )


def _is_member_nik(number: str, facts: SubmissionFacts) -> bool:
    return any(n == number and i is not None for n, i, _f, _n in facts.niks)


class _Groups:
    """Which submissions are compared with which. Every household roster (a questionnaire
    that lists the members with their NIKs: the PPLS survey, a district's own household
    form) is one group: the same NIK or head in two of them is a duplicate, whichever form
    it came in. Any other questionnaire (an assessment, a registration, where one person
    rightly appears in several) is compared within itself."""

    def __init__(self, batch: dict[int, SubmissionFacts]) -> None:
        self.rosters = roster_questionnaires()
        own = {facts.questionnaire_id for facts in batch.values()}
        self.questionnaires = sorted(own | (self.rosters if own & self.rosters else frozenset()))

    def of(self, questionnaire_id: int) -> int:
        return 0 if questionnaire_id in self.rosters else questionnaire_id


def same_niks(batch: dict[int, SubmissionFacts]) -> dict[int, list[Stored]]:
    """For each item of the batch: its NIKs that another item of its group has."""
    groups = _Groups(batch)
    wanted = {
        number for facts in batch.values() for number, _i, _f, _n in facts.niks if len(number) == 16
    }
    if not wanted:
        return {}
    elsewhere: dict[tuple[int, str], set[int]] = defaultdict(set)
    rows = (
        PersonKey.objects.filter(
            nik__in=sorted(wanted), item__questionnaire_id__in=groups.questionnaires
        )
        .exclude(item_id__in=list(batch))
        .exclude(item__state=ReviewItem.State.REJECTED)
        .values_list("item__questionnaire_id", "nik", "item_id")[:1000]
    )
    for questionnaire_id, number, other in rows:
        elsewhere[(groups.of(questionnaire_id), number)].add(other)
    for item_id, facts in batch.items():
        for number, _i, _f, _n in facts.niks:
            elsewhere[(groups.of(facts.questionnaire_id), number)].add(item_id)
    found: dict[int, list[Stored]] = defaultdict(list)
    for item_id, facts in batch.items():
        for number, index, path, _name in facts.niks:
            if len(number) != 16 or (index is None and _is_member_nik(number, facts)):
                continue  # the head's NIK is also a member's: told once, on the member's row
            others = sorted(elsewhere[(groups.of(facts.questionnaire_id), number)] - {item_id})
            if others:
                draft = make_finding("nik.duplicate_in_queue", WARNING, path, index, _NIK_ELSEWHERE)
                found[item_id].append(Stored(draft, others[0]))
    return found


def _bounding_box(point: Any, metres: float) -> Polygon:
    dlat = metres / 111_320.0
    dlon = metres / (111_320.0 * max(math.cos(math.radians(point.lat)), 0.01))
    box = Polygon.from_bbox(
        (point.lon - dlon, point.lat - dlat, point.lon + dlon, point.lat + dlat)
    )
    box.srid = 4326
    return box


@dataclass(frozen=True)
class _Household:
    item_id: int
    questionnaire_id: int
    head_nik: str
    kk: str
    head_name: str
    lat: float | None
    lon: float | None


def _batch_households(batch: dict[int, SubmissionFacts]) -> list[_Household]:
    return [
        _Household(
            item_id,
            facts.questionnaire_id,
            facts.head_nik,
            facts.kk,
            facts.head_name,
            facts.point.lat if is_plausible(facts.point) else None,
            facts.point.lon if is_plausible(facts.point) else None,
        )
        for item_id, facts in batch.items()
    ]


def _nearby(
    batch: dict[int, SubmissionFacts], open_items: Any, fields: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """The NEARBY_EACH households nearest to each of the batch's, within 50 m.

    On PostgreSQL one query, a UNION of one part per household, each read
    nearest first along the location's GiST index (``<->``) and stopped at its
    limit: a dense kampung, or a thousand households that a phone placed at one
    cached point, costs what a quiet village does. Elsewhere (SpatiaLite, the
    embedded default of one sub-district) one box query per household, with
    the names' first letters to narrow it.
    """
    postgres = connection.vendor == "postgresql"
    parts = []
    for facts in batch.values():
        words = [word for word in names.name_key(facts.head_name).split() if len(word) >= 3]
        if not words or not is_plausible(facts.point):
            continue
        box = _bounding_box(facts.point, DUPLICATE_DISTANCE_M)
        nearby = open_items.filter(location__intersects=box).annotate(
            lon=_X(F("location")), lat=_Y(F("location"))
        )
        if postgres:
            here = f"SRID=4326;POINT({facts.point.lon:.7f} {facts.point.lat:.7f})"
            nearby = nearby.order_by(RawSQL("location <-> %s::geometry", (here,)))
        else:
            like = Q()
            for word in words:
                like |= Q(head_name_key__contains=word[:3])
            nearby = nearby.filter(like)
        parts.append(nearby.values_list(*fields, "lat", "lon")[:NEARBY_EACH])
    if not parts:
        return []
    if postgres:
        return list(parts[0].union(*parts[1:], all=True))
    return [row for part in parts for row in part]


def duplicate_households(batch: dict[int, SubmissionFacts]) -> dict[int, list[Stored]]:
    """For each item: other households of its group (_Groups) with the same head's NIK or KK,
    or within 50 m with a similar head's name."""
    groups = _Groups(batch)
    niks = sorted({f.head_nik for f in batch.values() if len(f.head_nik) == 16})
    kks = sorted({f.kk for f in batch.values() if len(f.kk) == 16})
    candidates = _batch_households(batch)
    open_items = _open_items(batch).filter(questionnaire_id__in=groups.questionnaires).order_by()
    fields = ("pk", "questionnaire_id", "head_nik", "kk_number", "head_name")
    if niks or kks:
        same = (Q(head_nik__in=niks) if niks else Q(pk__in=[])) | (
            Q(kk_number__in=kks) if kks else Q(pk__in=[])
        )
        for pk, q, head_nik, kk, name in open_items.filter(same).values_list(*fields)[:500]:
            candidates.append(_Household(pk, q, head_nik, kk, name, None, None))
    for pk, q, head_nik, kk, name, lat, lon in _nearby(batch, open_items, fields):
        candidates.append(_Household(pk, q, head_nik, kk, name, lat, lon))
    found: dict[int, list[Stored]] = defaultdict(list)
    for item_id, facts in batch.items():
        told: set[int] = set()
        here = _point(facts.point.lat, facts.point.lon) if is_plausible(facts.point) else None
        for other in candidates:
            if (
                other.item_id == item_id
                or other.item_id in told
                or groups.of(other.questionnaire_id) != groups.of(facts.questionnaire_id)
                or len(told) >= MAX_DUPLICATES_TOLD
            ):
                continue
            draft = None
            if len(facts.head_nik) == 16 and other.head_nik == facts.head_nik:
                draft = make_finding(
                    "household.duplicate", WARNING, facts.roles.head_nik, None, _DUPLICATE_HEAD_NIK
                )
            elif len(facts.kk) == 16 and other.kk == facts.kk:
                draft = make_finding(
                    "household.duplicate", WARNING, facts.roles.kk, None, _DUPLICATE_KK
                )
            elif (
                here is not None
                and other.lat is not None
                and other.lon is not None
                and abs(other.lat - here.lat) < _BOX_DEGREES
                and abs(other.lon - here.lon) < _BOX_DEGREES
                and facts.head_name
                and other.head_name
                and gps.distance_m(here, _point(other.lat, other.lon)) <= DUPLICATE_DISTANCE_M
                and names.same_person_name(facts.head_name, other.head_name)
            ):
                draft = make_finding(
                    "household.duplicate",
                    WARNING,
                    facts.roles.gps,
                    None,
                    _DUPLICATE_NEARBY,
                    metres=int(DUPLICATE_DISTANCE_M),
                )
            if draft is not None:
                told.add(other.item_id)
                found[item_id].append(Stored(draft, other.item_id))
    return found


def far_from_village(
    batch: dict[int, SubmissionFacts], villages: dict[int, str]
) -> dict[int, list[Stored]]:
    """For each item with a point: is it far from its village's other households?"""
    by_village: dict[str, list[int]] = defaultdict(list)
    for item_id, facts in batch.items():
        if villages.get(item_id) and is_plausible(facts.point) and facts.roles.gps:
            by_village[villages[item_id]].append(item_id)
    found: dict[int, list[Stored]] = defaultdict(list)
    for village, item_ids in by_village.items():
        rows = (
            _open_items(batch)
            .filter(village_code=village, location__isnull=False)
            .order_by("-received_at")
            .annotate(lon=_X(F("location")), lat=_Y(F("location")))
            .values_list("lat", "lon")[:NEIGHBOURS]
        )
        stored = [_point(lat, lon) for lat, lon in rows]
        for item_id in item_ids:
            facts = batch[item_id]
            neighbours = stored + [batch[other].point for other in item_ids if other != item_id]
            if neighbours:
                found[item_id] += [
                    Stored(draft)
                    for draft in as_list(
                        gps.far_from_neighbours(facts.point, neighbours, field=facts.roles.gps)
                    )
                ]
    return found


def same_photos(batch: dict[int, SubmissionFacts]) -> dict[int, list[Stored]]:
    """For each item: its photos that are the same picture as another submission's."""
    hashes = [
        (item_id, path, phash)
        for item_id, facts in batch.items()
        for path, _filename, phash in facts.hashes
    ]
    if not hashes:
        return {}
    condition = Q()
    for _item_id, _path, phash in hashes:
        b0, b1, b2, b3 = photos.phash_bands(phash)
        condition |= Q(band0=b0) | Q(band1=b1) | Q(band2=b2) | Q(band3=b3)
    candidates = list(
        PhotoHash.objects.filter(condition)
        .exclude(item_id__in=list(batch))
        .values_list("item_id", "phash")[:1000]
    )
    candidates += [(item_id, phash) for item_id, _path, phash in hashes]
    found: dict[int, list[Stored]] = defaultdict(list)
    for item_id, path, phash in hashes:
        other = next(
            (o for o, h in candidates if o != item_id and photos.is_same_picture(phash, h)), None
        )
        if other is not None:
            draft = make_finding("photo.duplicate", WARNING, path, None, _PHOTO_ELSEWHERE)
            found[item_id].append(Stored(draft, other))
    return found


_IN_REGISTRY_ELSEWHERE = _(
    "This NIK is already in the registry, in another household: approving records a move "
    "of this person into this household."
)
_HOUSEHOLD_IN_REGISTRY = _(
    "This household is already in the registry (the same head's NIK or KK): approving "
    "updates it, and any value that contradicts it becomes a conflict to resolve."
)


def in_registry(batch: dict[int, SubmissionFacts]) -> dict[int, list[Stored]]:
    """For each item of a household roster: the registry's household it would update (its
    head's NIK or KK), and its members whom the registry holds in another household."""
    rosters = roster_questionnaires()
    households = {k: f for k, f in batch.items() if f.questionnaire_id in rosters}
    niks = {n for f in households.values() for n, _i, _p, _n in f.niks if len(n) == 16}
    kks = {f.kk for f in households.values() if len(f.kk) == 16}
    if not niks and not kks:
        return {}
    held = dict(
        Person.objects.filter(nik__in=sorted(niks), household__isnull=False).values_list(
            "nik", "household_id"
        )
    )
    by_kk = dict(
        Family.objects.filter(kk_number__in=sorted(kks), household__isnull=False).values_list(
            "kk_number", "household_id"
        )
    )
    found: dict[int, list[Stored]] = defaultdict(list)
    for key, facts in households.items():
        target = held.get(facts.head_nik) or by_kk.get(facts.kk)
        if target is not None:
            path = facts.roles.head_nik if facts.head_nik in held else facts.roles.kk
            draft = make_finding("household.in_registry", INFO, path, None, _HOUSEHOLD_IN_REGISTRY)
            found[key].append(Stored(draft))
        for number, index, path, _name in facts.niks:
            if index is None or number not in held or held[number] == target:
                continue
            draft = make_finding(
                "nik.in_registry_elsewhere", WARNING, path, index, _IN_REGISTRY_ELSEWHERE
            )
            found[key].append(Stored(draft))
    return found
