"""Which question of a questionnaire is which: the head's name and NIK, the KK, members…

The checks work on any questionnaire, not only ours. Our four
(``forms/questionnaires/*.yaml``) name their questions ``hh_head_nik``,
``kk_number``, ``members/nik``…; for other forms the roles are found by the
questions' names (NIK, KK, phone, name, sex, birth date) and types (geopoint,
image). A follow-up's pick of a registry household or person is the question
whose choices come from the registry's list (``jr://file-csv/households.csv``,
``people.csv``), whatever its name. A published version never changes, so its roles are read once per
process (``roles_of_version``).
"""

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from forms.area_media import HOUSEHOLDS_CSV, PEOPLE_CSV
from forms.models import FormVersion
from forms.xform_outline import OutlineNode, read_outline

DEFAULT_MAX_ACCURACY_M = 50.0

_NIK_RE = re.compile(r"(^|_)(nik|nik_ktp|no_nik|nomor_nik)$|^nik(_|$)", re.I)
# ``kks_number`` is the welfare card (KKS), not the family card: "kk" must be a word.
_KK_RE = re.compile(r"(^|_)(kk|no_kk|nomor_kk|kk_number|kk_no|nokk|family_card)$", re.I)
_PHONE_RE = re.compile(r"(^|_)(phone|hp|no_hp|telp|telepon|telephone|mobile|wa|whatsapp)$", re.I)
_NAME_RE = re.compile(r"(^|_)(name|nama)($|_)", re.I)
_HEAD_RE = re.compile(r"(^|_)(hh_head|head|kepala|krt|applicant|complainant|pemohon)(_|$)", re.I)
_SEX_RE = re.compile(r"^(sex|gender|jenis_kelamin|jk|kelamin)$", re.I)
_BIRTH_RE = re.compile(r"^(birth_date|date_of_birth|dob|tanggal_lahir|tgl_lahir|birthdate)$", re.I)
_ACCURACY_CONSTRAINT_RE = re.compile(r"selected-at\(\s*\.\s*,\s*3\s*\)\s*<=?\s*([0-9.]+)")
_TEXTLIKE = frozenset({"text", "integer", "decimal", "barcode", "calculate"})


@dataclass(frozen=True)
class RepeatRoles:
    """The questions of a repeat of people (``members``), by their name inside the row."""

    path: str  # "members"
    nik: str = ""  # names inside the row: "nik"
    kk: str = ""
    name: str = ""
    sex: str = ""
    birth_date: str = ""


@dataclass(frozen=True)
class FormRoles:
    head_name: str = ""  # paths below the instance root
    head_nik: str = ""
    head_sex: str = ""
    head_birth_date: str = ""
    kk: str = ""
    phones: tuple[str, ...] = ()
    gps: str = ""  # the first geopoint: the household's location
    geopoints: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    repeats: tuple[RepeatRoles, ...] = field(default=())
    max_accuracy_m: float = DEFAULT_MAX_ACCURACY_M
    # A follow-up's pick of a registry household or person: the question whose choices
    # are the registry's list (``select_one_from_file households.csv`` / ``people.csv``).
    household_pick: str = ""
    person_pick: str = ""

    @property
    def is_roster(self) -> bool:
        """Does the form list a household's members with their NIKs (a PPLS survey)?"""
        return any(repeat.nik for repeat in self.repeats)


def _in_repeat(node: OutlineNode, repeat_paths: list[str]) -> str:
    """The innermost repeat holding ``node`` ("" for none)."""
    holding = [r for r in repeat_paths if node.path.startswith(r + "/")]
    return max(holding, key=len) if holding else ""


def _first(nodes: list[OutlineNode], pattern: re.Pattern[str]) -> OutlineNode | None:
    return next((n for n in nodes if pattern.search(n.name)), None)


def _head_first(nodes: list[OutlineNode], pattern: re.Pattern[str]) -> OutlineNode | None:
    """The matching question named or grouped as the head's, else the first matching one."""
    matching = [n for n in nodes if pattern.search(n.name)]
    for node in matching:
        if _HEAD_RE.search(node.name) or any(_HEAD_RE.search(s) for s in node.path.split("/")):
            return node
    return matching[0] if matching else None


def _sibling(node: OutlineNode | None, nodes: list[OutlineNode], pattern: re.Pattern[str]) -> str:
    """A question in the same group as ``node`` matching ``pattern`` (its path)."""
    if node is None:
        return ""
    parent = node.path.rpartition("/")[0]
    found = next(
        (n for n in nodes if n.path.rpartition("/")[0] == parent and pattern.search(n.name)),
        None,
    )
    return found.path if found else ""


def _max_accuracy(xform_xml: str, gps: OutlineNode | None) -> float:
    """The form's own threshold: ``selected-at(., 3) <= N``, else ODK's unacceptable one."""
    if gps is None:
        return DEFAULT_MAX_ACCURACY_M
    match = _ACCURACY_CONSTRAINT_RE.search(gps.constraint)
    if match:
        return float(match.group(1))
    bind = re.search(
        r"<bind\b[^>]*nodeset=\"/[^/\"]+/" + re.escape(gps.path) + r"\"[^>]*>", xform_xml
    )
    if bind:
        threshold = re.search(r"unacceptableAccuracyThreshold=\"([0-9.]+)\"", bind.group(0))
        if threshold:
            return float(threshold.group(1))
    return DEFAULT_MAX_ACCURACY_M


def _pick(nodes: list[OutlineNode], filename: str) -> str:
    """The first question outside repeats whose choices are the media file ``filename``."""
    found = next((n for n in nodes if n.choices is not None and n.choices.file == filename), None)
    return found.path if found else ""


def read_form_roles(xform_xml: str) -> FormRoles:
    """The roles of a form's questions, found by name (any form) and type."""
    outline = read_outline(xform_xml)
    repeat_paths = [n.path for n in outline.nodes if n.kind == "repeat"]
    questions = [n for n in outline.nodes if n.is_question]
    top = [n for n in questions if not _in_repeat(n, repeat_paths)]
    top_text = [n for n in top if n.type in _TEXTLIKE and n.type != "calculate"]
    head_nik = _head_first(top_text, _NIK_RE)
    head_name = _head_first([n for n in top_text if n.type == "text"], _NAME_RE)
    kk = _first(top_text, _KK_RE)
    geopoints = tuple(n.path for n in questions if n.type == "geopoint")
    gps = next((n for n in questions if n.type == "geopoint" and n in top), None)
    repeats = []
    for repeat in repeat_paths:
        rows = [
            n
            for n in questions
            if _in_repeat(n, repeat_paths) == repeat and n.type not in ("calculate", "note")
        ]

        def name_of(pattern: re.Pattern[str], rows: list[OutlineNode] = rows) -> str:
            found = _first(rows, pattern)
            return found.path.rsplit("/", 1)[-1] if found else ""

        roles = RepeatRoles(
            path=repeat,
            nik=name_of(_NIK_RE),
            kk=name_of(_KK_RE),
            name=name_of(_NAME_RE),
            sex=name_of(_SEX_RE),
            birth_date=name_of(_BIRTH_RE),
        )
        if roles.nik or roles.kk:
            repeats.append(roles)
    return FormRoles(
        head_name=head_name.path if head_name else "",
        head_nik=head_nik.path if head_nik else "",
        head_sex=_sibling(head_nik, top, _SEX_RE),
        head_birth_date=_sibling(head_nik, top, _BIRTH_RE),
        kk=kk.path if kk else "",
        phones=tuple(n.path for n in questions if n.type in _TEXTLIKE and _PHONE_RE.search(n.name)),
        gps=gps.path if gps else (geopoints[0] if geopoints else ""),
        geopoints=geopoints,
        images=tuple(n.path for n in questions if n.type == "image"),
        repeats=tuple(repeats),
        max_accuracy_m=_max_accuracy(xform_xml, gps),
        household_pick=_pick(top, HOUSEHOLDS_CSV),
        person_pick=_pick(top, PEOPLE_CSV),
    )


@functools.lru_cache(maxsize=256)
def roles_of_version(form_version_id: int) -> FormRoles:
    xform_xml = FormVersion.objects.values_list("xform_xml", flat=True).get(pk=form_version_id)
    return read_form_roles(xform_xml)


def roster_questionnaires() -> frozenset[int]:
    """The questionnaires of which a published version is a household roster (is_roster):
    one query over the published versions, whose roles this process remembers."""
    published = FormVersion.objects.filter(status=FormVersion.Status.PUBLISHED).values_list(
        "questionnaire_id", "pk"
    )
    return frozenset(q for q, version in published if roles_of_version(version).is_roster)


def forget_form_roles() -> None:
    """Drop what this process remembers (tests, where ids repeat between databases)."""
    roles_of_version.cache_clear()


# --- reading answers by path --------------------------------------------------------------


def value_at(answers: dict[str, Any], path: str) -> str:
    """The answer at ``path`` (outside repeats), stripped; "" when unanswered."""
    node: Any = answers
    for step in path.split("/"):
        if not isinstance(node, dict):
            return ""
        node = node.get(step)
    return node.strip() if isinstance(node, str) else ""


def rows_at(answers: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The rows of the repeat at ``path``; an empty row (no element inside) is ``{}``."""
    node: Any = answers
    steps = path.split("/")
    for step in steps[:-1]:
        if not isinstance(node, dict):
            return []
        node = node.get(step)
    found = node.get(steps[-1]) if isinstance(node, dict) else None
    if not isinstance(found, list):
        return []
    return [row if isinstance(row, dict) else {} for row in found]
