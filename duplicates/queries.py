"""Who sees which duplicate pairs: the reviewers of the areas of both records.

A pair shows two people's (or households') data side by side, so a reviewer
sees it only when both records are in her areas for ``Action.REVIEW``. A pair
whose other record lives in another kecamatan is left out of her list
altogether: even its existence would say that someone like her person lives
there. Such pairs are for those who review both areas (a district's or the
country's administrators).
"""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from accounts.access import Action, Scope, scope_for
from accounts.models import User
from duplicates.errors import PairNotFound, UnknownPairKind, UnknownPairState
from duplicates.models import DuplicatePair, PairKind
from registry.models import Family, Person


def area_q(code: str, *, village: str, kecamatan: str) -> Q:
    """Rows of the area ``code`` and below, by their village's code or kecamatan's (both
    indexed; a village's code is its kecamatan's and four digits)."""
    depth = code.count(".")
    if depth >= 3:
        return Q(**{village: code})
    if depth == 2:
        return Q(**{kecamatan: code})
    return Q(**{f"{kecamatan}__startswith": code + "."})


def _in(scope: Scope, record: str) -> Q:
    """The ``record``'s (a person's or a household's) area under the scope."""
    condition = Q()
    for root in scope.roots:
        condition |= area_q(
            root, village=f"{record}__village_id", kecamatan=f"{record}__kecamatan_code"
        )
    return condition


def pairs_for(user: User | AnonymousUser) -> QuerySet[DuplicatePair]:
    """The pairs ``user`` may review, most likely first (none for a stranger)."""
    scope = scope_for(user, Action.REVIEW)
    pairs = DuplicatePair.objects.all()
    if scope.is_empty:
        return pairs.none()
    if not scope.everywhere:
        pairs = pairs.filter(
            (Q(kind=PairKind.PERSON) & _in(scope, "person_a") & _in(scope, "person_b"))
            | (Q(kind=PairKind.HOUSEHOLD) & _in(scope, "household_a") & _in(scope, "household_b"))
        )
    return pairs.order_by("-match_probability", "pk")


# An open pair one of whose records was merged into a third since (by another pair) is no
# decision to make any more: the record is gone, its id redirects.
_MERGED_SINCE = (
    Q(person_a__merged_into__isnull=False)
    | Q(person_b__merged_into__isnull=False)
    | Q(household_a__merged_into__isnull=False)
    | Q(household_b__merged_into__isnull=False)
)


def open_pairs_for(user: User | AnonymousUser, *, kind: str) -> QuerySet[DuplicatePair]:
    """The open pairs of ``kind`` that ``user`` may review, most likely first; none with a
    record merged into another since."""
    return pairs_for(user).filter(kind=kind, state=DuplicatePair.State.OPEN).exclude(_MERGED_SINCE)


def search_pairs(
    user: User | AnonymousUser, *, kind: str = "", state: str = "", village: str = ""
) -> QuerySet[DuplicatePair]:
    """The pairs ``user`` may review, of ``kind`` (all kinds if empty), in ``state`` (open
    if empty), one of whose records is in the area ``village`` (a village's or a
    kecamatan's code; anywhere if empty). Raises UnknownPairKind, UnknownPairState."""
    if kind and kind not in PairKind.values:
        raise UnknownPairKind(kind=kind[:40])
    state = state or DuplicatePair.State.OPEN
    if state not in DuplicatePair.State.values:
        raise UnknownPairState(state=state[:40])
    pairs = pairs_for(user).filter(state=state)
    if kind:
        pairs = pairs.filter(kind=kind)
    if state == DuplicatePair.State.OPEN:
        pairs = pairs.exclude(_MERGED_SINCE)
    if village:
        places = Q()
        for record in ("person_a", "person_b", "household_a", "household_b"):
            places |= area_q(
                village, village=f"{record}__village_id", kecamatan=f"{record}__kecamatan_code"
            )
        pairs = pairs.filter(places)
    return pairs


def get_pair(user: User | AnonymousUser, pk: int | str) -> DuplicatePair:
    """The pair ``pk`` if ``user`` may review it; PairNotFound (404) otherwise, the same for
    a pair of another area as for one that does not exist."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise PairNotFound() from None
    pair = pairs_for(user).filter(pk=number).first() if 0 < number < 2**62 else None
    if pair is None:
        raise PairNotFound()
    return pair


def household_facts(household_ids: Iterable[int]) -> tuple[dict[int, list[str]], dict[int, int]]:
    """The family cards (KK numbers, in order) and the number of members of each of these
    households, in two queries whatever their number: what a pair of households shows."""
    ids = sorted(set(household_ids))
    kks: dict[int, list[str]] = {}
    for household_id, kk in (
        Family.objects.filter(household_id__in=ids)
        .order_by("kk_number")
        .values_list("household_id", "kk_number")
    ):
        kks.setdefault(household_id, []).append(kk)
    sizes = dict(
        Person.objects.filter(household_id__in=ids)
        .values_list("household_id")
        .annotate(n=Count("pk"))
        .values_list("household_id", "n")
    )
    return kks, sizes
