"""The registry as each person may see it: scope, search, pages and counts.

Every list and detail of households, people and conflicts (pages, API,
exports) starts from ``households_for(user)``, ``people_for(user)`` or
``conflicts_for(user)``: the reader's areas for ``Action.VIEW`` over the
household's (the person's, the conflict's) village. A record outside them is
never listed and is "not found" when asked for, exactly as an unknown id. A
monitor holds no VIEW: she sees the counts of ``registry_summary`` only.

Cost: the scope is read from the ``kecamatan_code`` columns (indexed; a
regency's kecamatan by a prefix of the code) or the village's foreign key.
A name search asks the database for the distinct normalised names that hold
each word's first three letters (at most ``NAME_CANDIDATES``): among the
people of a kecamatan or village reader, else among the registry's names held
once each (``PersonName``); it scores them in Python with the checks' own name
comparison, and finds the rows again by the indexed ``name_key``.
"""

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.access import Action, Scope, scope_for
from accounts.models import User
from areas.models import Area
from foundation.errors import DomainError
from foundation.names import name_key, similarity
from registry.models import Conflict, Family, Household, Participation, Person, PersonName

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
COUNT_CAP = 100_000
NAME_CANDIDATES = 2_000
NAME_WORD_SCORE = 80.0  # a word of the query matches a word of the name (0-100)
NAME_WHOLE_SCORE = 85.0  # or the whole query matches the whole name

_SIXTEEN_DIGITS = re.compile(r"\d{16}")


class RecordNotFound(DomainError):
    """Unknown, or outside the reader's areas: the same answer, so that ids tell nothing."""

    code = "not_found"
    message = _("There is no such record in the registry of your areas.")
    http_status = 404


# --- scope --------------------------------------------------------------------------


def _area_q(scope: Scope, *, village: str, kecamatan: str) -> Q | None:
    """Rows of the scope's areas, by the village's code or the kecamatan's; None: all."""
    if scope.everywhere:
        return None
    if not scope.roots:
        return Q(pk__in=[])
    condition = Q()
    for root in scope.roots:
        depth = root.count(".")
        if depth >= 3:
            condition |= Q(**{village: root})
        elif depth == 2:
            condition |= Q(**{kecamatan: root})
        else:
            condition |= Q(**{f"{kecamatan}__startswith": root + "."})
    return condition


M = TypeVar("M", bound=Model)


def _scoped(queryset: QuerySet[M], user: User | AnonymousUser) -> QuerySet[M]:
    condition = _area_q(
        scope_for(user, Action.VIEW), village="village_id", kecamatan="kecamatan_code"
    )
    if condition is None:
        return queryset
    return queryset.filter(condition)


def households_for(user: User | AnonymousUser) -> QuerySet[Household]:
    """The households of ``user``'s areas (none for a monitor, an auditor, a stranger);
    a duplicate merged into another is no household of its own any more."""
    return _scoped(Household.objects.filter(merged_into__isnull=True), user).order_by(
        "village_id", "rw", "rt", "pk"
    )


def people_for(user: User | AnonymousUser) -> QuerySet[Person]:
    """The people of ``user``'s areas, by the village they live in now; a duplicate merged
    into another person is not listed (her id redirects: ``kept_record_id``)."""
    return _scoped(Person.objects.filter(merged_into__isnull=True), user).order_by("name_key", "pk")


MAX_MERGE_HOPS = 20


def kept_record_id(user: User | AnonymousUser, record: Household | Person) -> int:
    """The id of the household (person) a duplicate ``record`` was merged into, followed to
    the end of the chain, when ``user`` may see it; RecordNotFound otherwise (a kept
    record in another area is not named to her)."""
    model = type(record)
    kept: int | None = record.merged_into_id
    for _hop in range(MAX_MERGE_HOPS):
        if kept is None:
            break
        further = (
            model._default_manager.filter(pk=kept).values_list("merged_into_id", flat=True).first()
        )
        if further is None:
            break
        kept = further
    visible = households_for(user) if model is Household else people_for(user)
    if kept is None or not visible.filter(pk=kept).exists():
        raise RecordNotFound()
    return kept


def conflicts_for(user: User | AnonymousUser) -> QuerySet[Conflict]:
    """The conflicts of ``user``'s areas, newest first."""
    return _scoped(Conflict.objects.all(), user).order_by("-created_at", "-pk")


def _number(pk: int | str) -> int:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise RecordNotFound() from None
    if number <= 0 or number > 2**62:
        raise RecordNotFound()
    return number


def get_household(user: User | AnonymousUser, pk: int | str) -> Household:
    """The household ``pk`` if ``user`` may see it; RecordNotFound (404) otherwise."""
    household = (
        _scoped(Household.objects.all(), user)  # a merged one too: its page redirects
        .select_related("village", "village__parent", "head", "photo")
        .filter(pk=_number(pk))
        .first()
    )
    if household is None:
        raise RecordNotFound()
    return household


def get_person(user: User | AnonymousUser, pk: int | str) -> Person:
    """The person ``pk`` if ``user`` may see her; RecordNotFound (404) otherwise."""
    person = (
        _scoped(Person.objects.all(), user)  # a merged one too: her page redirects
        .select_related("village", "household", "family")
        .filter(pk=_number(pk))
        .first()
    )
    if person is None:
        raise RecordNotFound()
    return person


def get_conflict(user: User | AnonymousUser, pk: int | str) -> Conflict:
    """The conflict ``pk`` if ``user`` may see it; RecordNotFound (404) otherwise."""
    conflict = (
        conflicts_for(user)
        .select_related("village", "household", "person", "source", "held_source")
        .filter(pk=_number(pk))
        .first()
    )
    if conflict is None:
        raise RecordNotFound()
    return conflict


# --- filters ------------------------------------------------------------------------


def _text(query: Mapping[str, object], name: str, limit: int) -> str:
    value = query.get(name)
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()[:limit] if value is not None else ""


def _digits(text: str) -> str:
    return re.sub(r"[\s.-]", "", text)


@dataclass(frozen=True)
class RegistryFilters:
    """What a person asked the registry for; empty values filter nothing.

    ``q`` is an NIK or KK number (16 digits) or a name (spelling-tolerant);
    ``nik`` and ``kk`` exact numbers (a member's NIK finds her household);
    ``village`` a village's code (or a kecamatan's); ``programme`` a programme
    code the household takes part in now (``pkh``, ``kps_kks``…).
    """

    q: str = ""
    nik: str = ""
    kk: str = ""
    village: str = ""
    rt: str = ""
    rw: str = ""
    programme: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, object]) -> "RegistryFilters":
        return cls(
            q=_text(query, "q", 100),
            nik=_digits(_text(query, "nik", 40)),
            kk=_digits(_text(query, "kk", 40)),
            village=_text(query, "village", 18),
            rt=_text(query, "rt", 8),
            rw=_text(query, "rw", 8),
            programme=_text(query, "programme", 40),
        )

    def as_query(self) -> dict[str, str]:
        values = {
            "q": self.q,
            "nik": self.nik,
            "kk": self.kk,
            "village": self.village,
            "rt": self.rt,
            "rw": self.rw,
            "programme": self.programme,
        }
        return {name: value for name, value in values.items() if value}

    @property
    def is_filtered(self) -> bool:
        return bool(self.as_query())


def _neighbourhood_values(value: str) -> list[str]:
    """An RT or RW as typed (``3``, ``03``, ``003``): each way it may be stored."""
    bare = value.lstrip("0") or "0"
    return sorted({value, bare, bare.zfill(2), bare.zfill(3)})


def _area_filter(code: str, *, village: str, kecamatan: str) -> Q:
    if code.count(".") == 2:
        return Q(**{kecamatan: code})
    return Q(**{village: code})


def _name_source(user: User | AnonymousUser) -> QuerySet[Any]:
    """Where a name search looks for its candidate names.

    Within one kecamatan or village: its people (by the scope's index). Wider:
    the registry's names, once each (``PersonName``: tens of thousands of rows,
    not a regency's million people); the names found are only candidates, and
    the people are then read within the scope.
    """
    scope = scope_for(user, Action.VIEW)
    if not scope.everywhere and all(root.count(".") >= 2 for root in scope.roots):
        return people_for(user)
    return PersonName.objects.all()


def _name_keys(people: QuerySet[Any], text: str) -> list[str] | None:
    """The normalised names in ``people`` like ``text`` (None: nothing to look for).

    `Jusuf` finds `Muhammad Yusuf`, `Yusup` too: both sides in the checks'
    normal form; candidates hold each word's first three letters; those
    holding every word, or scored alike word by word, are kept. The caller
    narrows to its scope: ``people`` may be wider than the reader's areas.
    """
    query_key = name_key(text)
    tokens = [token for token in query_key.split() if token]
    if not tokens:
        return None
    probe, exact = Q(), Q()
    for token in tokens:
        probe &= Q(name_key__contains=token[:3])
        exact &= Q(name_key__contains=token)
    candidates = list(
        people.filter(probe)
        .order_by()
        .values_list("name_key", flat=True)
        .distinct()[: NAME_CANDIDATES + 1]
    )
    if len(candidates) > NAME_CANDIDATES:
        # Too many to score one by one: the words as written (normalised).
        candidates = list(
            people.filter(exact)
            .order_by()
            .values_list("name_key", flat=True)
            .distinct()[:NAME_CANDIDATES]
        )
        return candidates
    matching = []
    for key in candidates:
        words = key.split()
        if all(token in key for token in tokens) or all(
            any(similarity(token, word) >= NAME_WORD_SCORE for word in words) for token in tokens
        ):
            matching.append(key)
        elif similarity(query_key, key) >= NAME_WHOLE_SCORE:
            matching.append(key)
    return matching


def _nik_holders(nik: str) -> QuerySet[Person, Any]:
    """The ids of the person with this NIK and, when a duplicate merged into another kept
    it, of the one it was merged into (a search by the merged person's NIK finds her
    kept record): a UNION of two indexed lookups."""
    holder = Person.objects.filter(nik=nik).values("pk")
    kept = Person.objects.filter(nik=nik, merged_into__isnull=False).values("merged_into_id")
    return holder.union(kept)


def _people_by_identifier(people: QuerySet[Person], digits: str) -> QuerySet[Person]:
    """People with this NIK, or in a family with this KK number.

    One subquery, a UNION of the two indexed lookups: ``nik = … OR family_id IN (…)``
    cannot use either index, and PostgreSQL read the scope's every row (50 ms in a
    kecamatan of 50,000 people, 400 ms in a regency)."""
    by_kk = Person.objects.filter(family__kk_number=digits).values("pk")
    return people.filter(pk__in=_nik_holders(digits).union(by_kk))


def _households_by_identifier(
    households: QuerySet[Household], people: QuerySet[Person], digits: str
) -> QuerySet[Household]:
    """Households with a member of this NIK or a family card of this KK number: one
    subquery, a UNION of the two indexed lookups (an OR of two ``IN`` is a filter on
    every household of the scope: 350 ms in a kecamatan, 450 ms in a regency)."""
    by_nik = people.filter(pk__in=_nik_holders(digits)).order_by().values("household_id")
    by_kk = Family.objects.filter(kk_number=digits).values("household_id")
    return households.filter(pk__in=by_nik.union(by_kk))


def search_households(user: User | AnonymousUser, filters: RegistryFilters) -> QuerySet[Household]:
    """``households_for(user)`` narrowed to ``filters``, in the list's order.

    A name search asks the database once for its candidates before the
    queryset is returned; everything else stays lazy.
    """
    households = households_for(user)
    people = people_for(user)
    if filters.nik:
        if not _SIXTEEN_DIGITS.fullmatch(filters.nik):
            return households.none()
        households = households.filter(
            pk__in=people.filter(pk__in=_nik_holders(filters.nik)).values("household_id")
        )
    if filters.kk:
        if not _SIXTEEN_DIGITS.fullmatch(filters.kk):
            return households.none()
        households = households.filter(
            pk__in=Family.objects.filter(kk_number=filters.kk).values("household_id")
        )
    if filters.q:
        digits = _digits(filters.q)
        if _SIXTEEN_DIGITS.fullmatch(digits):
            households = _households_by_identifier(households, people, digits)
        else:
            keys = _name_keys(_name_source(user), filters.q)
            if keys is None:
                return households.none()
            households = households.filter(
                pk__in=people.filter(name_key__in=keys).values("household_id")
            )
    if filters.village:
        households = households.filter(
            _area_filter(filters.village, village="village_id", kecamatan="kecamatan_code")
        )
    if filters.rt:
        households = households.filter(rt__in=_neighbourhood_values(filters.rt))
    if filters.rw:
        households = households.filter(rw__in=_neighbourhood_values(filters.rw))
    if filters.programme:
        taking_part = Participation.objects.filter(
            programme=filters.programme, until__isnull=True
        ).values("household_id")
        households = households.filter(pk__in=taking_part)
    return households


def search_people(user: User | AnonymousUser, filters: RegistryFilters) -> QuerySet[Person]:
    """``people_for(user)`` narrowed to ``filters`` (NIK, KK, name, village, RT/RW,
    programme of the person or her household), by name."""
    people = people_for(user)
    if filters.nik:
        if not _SIXTEEN_DIGITS.fullmatch(filters.nik):
            return people.none()
        people = people.filter(pk__in=_nik_holders(filters.nik))
    if filters.kk:
        if not _SIXTEEN_DIGITS.fullmatch(filters.kk):
            return people.none()
        people = people.filter(family__kk_number=filters.kk)
    if filters.q:
        digits = _digits(filters.q)
        if _SIXTEEN_DIGITS.fullmatch(digits):
            people = _people_by_identifier(people, digits)
        else:
            keys = _name_keys(_name_source(user), filters.q)
            if keys is None:
                return people.none()
            people = people.filter(name_key__in=keys)
    if filters.village:
        people = people.filter(
            _area_filter(filters.village, village="village_id", kecamatan="kecamatan_code")
        )
    if filters.rt:
        people = people.filter(household__rt__in=_neighbourhood_values(filters.rt))
    if filters.rw:
        people = people.filter(household__rw__in=_neighbourhood_values(filters.rw))
    if filters.programme:
        open_ones = Participation.objects.filter(programme=filters.programme, until__isnull=True)
        people = people.filter(
            Q(pk__in=open_ones.filter(person__isnull=False).values("person_id"))
            | Q(household_id__in=open_ones.filter(person__isnull=True).values("household_id"))
        )
    return people


def search_conflicts(
    user: User | AnonymousUser, *, village: str = "", state: str = ""
) -> QuerySet[Conflict]:
    """``conflicts_for(user)`` of one village (or kecamatan) and state, newest first."""
    conflicts = conflicts_for(user)
    if village:
        conflicts = conflicts.filter(
            _area_filter(village, village="village_id", kecamatan="kecamatan_code")
        )
    if state in Conflict.State.values:
        conflicts = conflicts.filter(state=state)
    return conflicts


# --- pages and counts ---------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """How many rows a list holds: exact up to ``COUNT_CAP``, else "more than"."""

    count: int
    is_exact: bool


def count_capped(queryset: QuerySet[M], *, cap: int = COUNT_CAP) -> Total:
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return Total(count=min(found, cap), is_exact=found <= cap)


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    number: int
    size: int
    total: Total

    @property
    def last_number(self) -> int:
        return max(1, -(-self.total.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.last_number or (
            not self.total.is_exact and len(self.rows) == self.size
        )

    @property
    def previous_number(self) -> int:
        return max(1, self.number - 1)

    @property
    def next_number(self) -> int:
        return self.number + 1


def page_of(queryset: QuerySet[M], number: object = 1, *, size: int = PAGE_SIZE) -> Page[M]:
    """Page ``number`` (from 1; past the end: the last) of an ordered list, in two queries."""
    try:
        wanted = max(1, int(str(number or 1)))
    except (TypeError, ValueError):
        wanted = 1
    total = count_capped(queryset)
    last = max(1, -(-total.count // size))
    wanted = min(wanted, last if total.is_exact else last + 1)
    offset = (wanted - 1) * size
    return Page(rows=list(queryset[offset : offset + size]), number=wanted, size=size, total=total)


@dataclass(frozen=True)
class AreaCount:
    area_code: str
    area_name: str
    households: int
    people: int


def registry_summary(user: User | AnonymousUser) -> list[AreaCount]:
    """Households and people per kecamatan of ``user``'s areas: what a monitor sees
    (VIEW_REPORTS), as everyone who reads the registry does (VIEW)."""
    codes: set[str] = set()
    everywhere = False
    for action in (Action.VIEW, Action.VIEW_REPORTS):
        scope = scope_for(user, action)
        everywhere = everywhere or scope.everywhere
        codes.update(scope.roots)
    if not everywhere and not codes:
        return []
    scope = Scope(everywhere=everywhere, roots=tuple(sorted(codes)))
    condition = _area_q(scope, village="village_id", kecamatan="kecamatan_code") or Q()
    households = dict(
        Household.objects.filter(condition)
        .order_by()
        .values_list("kecamatan_code")
        .annotate(count=Count("pk"))
        .values_list("kecamatan_code", "count")
    )
    people = dict(
        Person.objects.filter(condition)
        .order_by()
        .values_list("kecamatan_code")
        .annotate(count=Count("pk"))
        .values_list("kecamatan_code", "count")
    )
    keys = sorted(set(households) | set(people))
    names = dict(Area.objects.filter(code__in=keys).values_list("code", "name"))
    return [
        AreaCount(
            area_code=code,
            area_name=names.get(code, code),
            households=households.get(code, 0),
            people=people.get(code, 0),
        )
        for code in keys
    ]
