"""The registry's lists as form media for the phones: ``households.csv`` and ``people.csv``.

A follow-up questionnaire (a needs assessment, a programme registration) lets
the field agent pick a household or a person of the registry with
``select_one_from_file households.csv`` (or ``people.csv``), as ODK Collect
does with any CSV form media (ODK Central serves its entity lists the same
way). Each agent's file holds only the households (people) of her villages
(``Action.COLLECT``) within the areas the questionnaire is deployed to, with
NIKs masked. ``name`` is the registry's id (what the submission answers, and
what the merge links to), ``label`` what she reads; the other columns serve
``choice_filter`` (``village=${village}``, ``household=${household}``).

The OpenRosa manifest announces each file with the md5 of *her* file's
content, and the content is in a fixed order: Collect, which compares that
hash with the file it holds, downloads it again only when something in it
changed (a household merged, moved, renamed), never because time passed.
These lists are CSV choice lists, not entity lists: the registry changes by
review and merge only, never offline on a phone, so no ``__version`` column
is needed to reconcile updates (ODK entities spec, 2023.1).
"""

import csv
import io
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.access import Action, Scope, scope_for
from accounts.models import User
from forms.area_media import HOUSEHOLDS_CSV, PEOPLE_CSV, REGISTRY_LISTS, GeneratedMedia
from forms.models import Questionnaire
from registry.masking import mask_nik
from registry.models import Household, Person

logger = logging.getLogger(__name__)

HOUSEHOLD_LIST_COLUMNS = ("name", "label", "village", "rt", "rw")
PERSON_LIST_COLUMNS = ("name", "label", "village", "rt", "rw", "household", "sex", "birth_year")
_SEPARATOR = " · "


def _minimal(roots: Iterable[str]) -> tuple[str, ...]:
    found = set(roots)
    return tuple(
        sorted(r for r in found if not any(r.startswith(o + ".") for o in found if o != r))
    )


def intersect(first: Scope, second: Scope) -> Scope:
    """The areas in both scopes (area codes nest, so it is the deeper root of each pair)."""
    if first.everywhere:
        return second
    if second.everywhere:
        return first
    roots = {r for r in first.roots if second.covers(r)} | {
        r for r in second.roots if first.covers(r)
    }
    return Scope(everywhere=False, roots=_minimal(roots))


def list_scope(user: User | AnonymousUser, questionnaire: Questionnaire) -> Scope:
    """Where the agent collects, within where the questionnaire is deployed."""
    deployed = Scope(
        everywhere=False,
        roots=_minimal(questionnaire.deployments.values_list("area_id", flat=True)),
    )
    return intersect(scope_for(user, Action.COLLECT), deployed)


def _one_line(text: str | None) -> str:
    return " ".join(str(text or "").split())


def _neighbourhood(rt: str, rw: str) -> str:
    if rt and rw:
        return f"RT {rt}/RW {rw}"
    return f"RT {rt}" if rt else (f"RW {rw}" if rw else "")


def _label(*parts: str) -> str:
    return _SEPARATOR.join(part for part in parts if part)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _households(scope: Scope) -> QuerySet[Household]:
    if scope.is_empty:
        return Household.objects.none()
    return Household.objects.filter(scope.q("village__code")).order_by(
        "village_id", "rw", "rt", "pk"
    )


def _household_rows(scope: Scope) -> Iterable[Sequence[object]]:
    rows = _households(scope).values_list("pk", "village_id", "rt", "rw", "head__name", "head__nik")
    for pk, village, rt, rw, head_name, head_nik in rows.iterator(chunk_size=2000):
        head = _one_line(head_name) or _("Household %(id)s") % {"id": pk}
        yield [pk, _label(head, _neighbourhood(rt, rw), mask_nik(head_nik)), village, rt, rw]


def _person_rows(scope: Scope) -> Iterable[Sequence[object]]:
    if scope.is_empty:
        return
    people = (
        Person.objects.filter(household__isnull=False)
        .filter(scope.q("household__village__code"))
        .order_by("household__village_id", "household__rw", "household__rt", "household_id", "pk")
        .values_list(
            "pk",
            "name",
            "nik",
            "sex",
            "birth_date",
            "household_id",
            "household__village_id",
            "household__rt",
            "household__rw",
        )
    )
    for pk, name, nik, sex, birth_date, household, village, rt, rw in people.iterator(
        chunk_size=2000
    ):
        label = _label(_one_line(name), _neighbourhood(rt, rw), mask_nik(nik))
        year = birth_date.year if birth_date else ""
        yield [pk, label, village, rt, rw, household, sex, year]


def build_registry_list(
    *, user: User | AnonymousUser, questionnaire: Questionnaire, filename: str
) -> GeneratedMedia:
    """The agent's ``households.csv`` or ``people.csv`` for ``questionnaire``.

    Raises ValueError for another file name (a programming error: the callers
    serve only the names of ``REGISTRY_LISTS``).
    """
    if filename not in REGISTRY_LISTS:
        raise ValueError(f"not a registry list: {filename}")
    scope = list_scope(user, questionnaire)
    # In the site's language, whatever the phone's: the content (and so its hash) changes
    # only when the registry does.
    with translation.override(settings.LANGUAGE_CODE):
        if filename == HOUSEHOLDS_CSV:
            content = _csv(HOUSEHOLD_LIST_COLUMNS, _household_rows(scope))
        else:
            content = _csv(PERSON_LIST_COLUMNS, _person_rows(scope))
    return GeneratedMedia(filename=filename, content=content, content_type="text/csv")


def build_example_list(filename: str) -> GeneratedMedia:
    """What a draft's test link gets: the columns and one made-up row, nobody's data
    (a test link is a token without a person; its submissions never reach the registry)."""
    with translation.override(settings.LANGUAGE_CODE):
        if filename == HOUSEHOLDS_CSV:
            row: list[object] = [0, _("Example household · RT 001/RW 001"), "", "001", "001"]
            content = _csv(HOUSEHOLD_LIST_COLUMNS, [row])
        elif filename == PEOPLE_CSV:
            row = [0, _("Example person · RT 001/RW 001"), "", "001", "001", 0, "female", 1980]
            content = _csv(PERSON_LIST_COLUMNS, [row])
        else:
            raise ValueError(f"not a registry list: {filename}")
    return GeneratedMedia(filename=filename, content=content, content_type="text/csv")
