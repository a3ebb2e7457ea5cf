"""A submission's answers as the questionnaire asked them: its own labels, in one language.

``label_answers`` walks a form version's outline (``forms.xform_outline``) and
the answers (nested by group, repeats as lists, every value a string as sent)
and gives sections in the order of the form: a section per group with its
questions, and a table per repeat (one row per member, one column per
question). Choice values become their labels, the areas of ``srs_areas.csv``
their names, a geopoint its coordinates. Questions not answered (skipped or not
relevant) are left out, unless something is noted on them (a finding, a
correction): a reviewer must see the empty answer that a finding is about.
The form's metadata (start, end, device, username), its calculations and notes
are not answers.
"""

import functools
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from areas.models import Area
from forms.area_media import AREAS_CSV
from forms.xform_outline import Outline, OutlineNode, read_outline, short_language, text_in

# A place in the answers: the question's path below the instance root, and the repeat's
# row (0-based) or None outside repeats. Findings and corrections name places this way.
Place = tuple[str, int | None]

# Filled by the phone or the form itself, not by the person asked.
_NOT_ANSWERS = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "phonenumber",
        "email",
        "subscriberid",
        "simserial",
        "audit",
        "hidden",
        "note",
        "calculate",
    }
)
_SELECTS = ("select_one", "select_multiple", "rank")
_FILES = frozenset({"image", "audio", "video", "file"})


@dataclass(frozen=True)
class Answer:
    path: str  # "head/hh_head_nik"; in a repeat the column's path, "members/nik"
    member_index: int | None
    label: str
    type: str
    value: str  # as stored
    text: str  # for people: choice labels, an area's name, coordinates
    notes: tuple[Any, ...] = ()  # what the caller noted on this place (findings, ...)
    filename: str = ""  # a file question's file (a photo)
    point: tuple[float, float] | None = None  # a geopoint's (latitude, longitude)

    @property
    def is_empty(self) -> bool:
        return self.value == ""

    @property
    def is_photo(self) -> bool:
        return self.type == "image" and bool(self.filename)


@dataclass(frozen=True)
class Column:
    path: str
    label: str
    type: str


@dataclass(frozen=True)
class Row:
    index: int  # 0-based, as findings' member_index
    cells: tuple[Answer, ...]  # one per column

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def has_notes(self) -> bool:
        return any(cell.notes for cell in self.cells)


@dataclass(frozen=True)
class Table:
    path: str  # "members"
    label: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Section:
    path: str  # the group's path; "" for questions outside groups
    label: str
    depth: int
    answers: tuple[Answer, ...] = ()
    table: Table | None = None


@dataclass
class _Context:
    language: str
    languages: tuple[str, ...]
    area_names: Mapping[str, str]
    notes: Mapping[Place, Sequence[Any]]
    placed: set[Place] = field(default_factory=set)


@functools.lru_cache(maxsize=64)
def _outline(xform_md5: str, xform_xml: str) -> Outline:
    return read_outline(xform_xml)


def outline_of(*, xform_md5: str, xform_xml: str) -> Outline:
    """The outline of a form version, read once per process for each XForm (by its MD5)."""
    return _outline(xform_md5, xform_xml)


def form_language(outline: Outline, language: str) -> str:
    """The form's language that is the reader's ("id" → "Indonesian (id)"), else its default."""
    for candidate in outline.languages:
        if short_language(candidate) == language or candidate.lower() == language:
            return candidate
    return outline.languages[0] if outline.languages else ""


def _text(texts: tuple[tuple[str, str], ...], context: _Context, fallback: str) -> str:
    found = text_in(texts, context.language)
    if found:
        return found
    return next((text for _lang, text in texts if text), fallback)


def _value_at(data: Mapping[str, Any], relative: str) -> Any:
    value: Any = data
    for step in relative.split("/"):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def _children(outline: Outline) -> dict[str, list[OutlineNode]]:
    children: dict[str, list[OutlineNode]] = {}
    for node in outline.nodes:
        parent = node.path.rsplit("/", 1)[0] if "/" in node.path else ""
        children.setdefault(parent, []).append(node)
    return children


def area_codes_in(outline: Outline, answers: Mapping[str, Any]) -> set[str]:
    """The area codes answered to the questions that choose from ``srs_areas.csv``."""
    codes: set[str] = set()
    for node in outline.questions:
        if node.choices is None or node.choices.file != AREAS_CSV:
            continue
        for value in _values_at_path(answers, node.path):
            codes.update(value.split() if node.type.startswith("select_multiple") else [value])
    codes.discard("")
    return codes


def _values_at_path(data: Any, path: str) -> Iterator[str]:
    head, _, rest = path.partition("/")
    value = data.get(head) if isinstance(data, Mapping) else None
    if isinstance(value, list):
        for item in value:
            yield from _values_at_path(item, rest) if rest else ()
    elif rest:
        yield from _values_at_path(value, rest)
    elif isinstance(value, str):
        yield value.strip()


def area_names_for(codes: Collection[str]) -> dict[str, str]:
    """The names of these areas, in one query (none when there is no code)."""
    if not codes:
        return {}
    return dict(Area.objects.filter(code__in=sorted(codes)).values_list("code", "name"))


def _display(node: OutlineNode, value: str, context: _Context) -> tuple[str, Any]:
    """The answer's text for people, and its point when it is a geopoint."""
    if node.choices is not None and node.type.startswith(_SELECTS + ("select_one_external",)):
        values = value.split() if node.type.startswith(("select_multiple", "rank")) else [value]
        if node.choices.file == AREAS_CSV:
            return ", ".join(context.area_names.get(v, v) for v in values), None
        labels = {
            choice.value: _text(choice.labels, context, choice.value)
            for choice in node.choices.choices
        }
        return ", ".join(labels.get(v, v) for v in values), None
    if node.type == "geopoint":
        parts = value.split()
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            return value, None
        text = f"{lat:.5f}, {lon:.5f}"
        if len(parts) >= 4:
            text += f" (± {float(parts[3]):.0f} m)"
        return text, (lat, lon)
    return value, None


def _answer(
    node: OutlineNode, data: Mapping[str, Any], relative: str, index: int | None, context: _Context
) -> Answer | None:
    if node.type in _NOT_ANSWERS:
        return None
    raw = _value_at(data, relative)
    value = raw.strip() if isinstance(raw, str) else ""
    place = (node.path, index)
    notes = tuple(context.notes.get(place, ()))
    if not value and not notes:
        return None
    context.placed.add(place)
    text, point = _display(node, value, context) if value else ("", None)
    return Answer(
        path=node.path,
        member_index=index,
        label=_text(node.labels, context, node.name),
        type=node.type,
        value=value,
        text=text,
        notes=notes,
        filename=value if node.type in _FILES else "",
        point=point,
    )


def _questions_below(path: str, children: Mapping[str, list[OutlineNode]]) -> Iterator[OutlineNode]:
    """The questions of a repeat, its groups' included (a nested repeat's are not)."""
    for node in children.get(path, []):
        if node.kind == "question":
            yield node
        elif node.kind == "group":
            yield from _questions_below(node.path, children)


def _table(
    node: OutlineNode,
    rows: list[Any],
    children: Mapping[str, list[OutlineNode]],
    context: _Context,
) -> Table:
    questions = [q for q in _questions_below(node.path, children) if q.type not in _NOT_ANSWERS]
    prefix = node.path + "/"
    grid: list[list[Answer | None]] = []
    for index, row in enumerate(rows):
        data = row if isinstance(row, Mapping) else {}
        grid.append([_answer(q, data, q.path[len(prefix) :], index, context) for q in questions])
    shown = [i for i in range(len(questions)) if any(cells[i] for cells in grid)]
    columns = tuple(
        Column(
            path=questions[i].path,
            label=_text(questions[i].labels, context, questions[i].name),
            type=questions[i].type,
        )
        for i in shown
    )
    return Table(
        path=node.path,
        label=_text(node.labels, context, node.name),
        columns=columns,
        rows=tuple(
            Row(
                index=index,
                cells=tuple(
                    cells[i]
                    or Answer(
                        path=questions[i].path,
                        member_index=index,
                        label=columns[n].label,
                        type=questions[i].type,
                        value="",
                        text="",
                    )
                    for n, i in enumerate(shown)
                ),
            )
            for index, cells in enumerate(grid)
        ),
    )


def _sections(
    path: str,
    label: str,
    depth: int,
    data: Mapping[str, Any],
    children: Mapping[str, list[OutlineNode]],
    context: _Context,
) -> Iterator[Section]:
    pending: list[Answer] = []
    continued = False
    for node in children.get(path, []):
        name = node.path.rsplit("/", 1)[-1]
        if node.kind == "question":
            answer = _answer(node, data, name, None, context)
            if answer is not None:
                pending.append(answer)
            continue
        if pending:
            yield Section(
                path=path, label="" if continued else label, depth=depth, answers=tuple(pending)
            )
            pending, continued = [], True
        value = data.get(name)
        if node.kind == "repeat":
            items = value if isinstance(value, list) else []
            table = _table(node, items, children, context)
            if table.rows and table.columns:
                yield Section(path=node.path, label=table.label, depth=depth + 1, table=table)
        else:
            yield from _sections(
                node.path,
                _text(node.labels, context, node.name),
                depth + 1,
                value if isinstance(value, Mapping) else {},
                children,
                context,
            )
    if pending:
        yield Section(
            path=path, label="" if continued else label, depth=depth, answers=tuple(pending)
        )


@dataclass(frozen=True)
class LabelledAnswers:
    sections: tuple[Section, ...]
    unplaced: tuple[Place, ...]  # noted places that no question of the form shows

    @property
    def answers(self) -> Iterator[Answer]:
        for section in self.sections:
            yield from section.answers
            if section.table is not None:
                for row in section.table.rows:
                    yield from row.cells


def label_answers(
    outline: Outline,
    answers: Mapping[str, Any] | None,
    *,
    language: str,
    area_names: Mapping[str, str] | None = None,
    notes: Mapping[Place, Sequence[Any]] | None = None,
) -> LabelledAnswers:
    """The answers in the form's sections, labelled in ``language`` ("id", "en").

    ``area_names`` maps the codes of ``area_codes_in`` to their names; ``notes``
    puts things (findings, corrections) beside the answer of their place, which
    is then shown even when empty.
    """
    context = _Context(
        language=form_language(outline, language),
        languages=outline.languages,
        area_names=area_names or {},
        notes=notes or {},
    )
    children = _children(outline)
    sections = tuple(_sections("", "", 0, answers or {}, children, context))
    unplaced = tuple(place for place in (notes or {}) if place not in context.placed)
    return LabelledAnswers(sections=sections, unplaced=unplaced)


def question_choices(
    outline: Outline, *, language: str, kinds: Collection[str] = ()
) -> list[tuple[str, str, bool]]:
    """The form's questions a reviewer may correct: (path, label, is in a repeat)."""
    context = _Context(
        language=form_language(outline, language),
        languages=outline.languages,
        area_names={},
        notes={},
    )
    repeats = [node.path + "/" for node in outline.nodes if node.kind == "repeat"]
    return [
        (
            node.path,
            _text(node.labels, context, node.name),
            any(node.path.startswith(r) for r in repeats),
        )
        for node in outline.questions
        if node.type not in _NOT_ANSWERS
        and node.type not in _FILES
        and (not kinds or node.type in kinds)
    ]


def answers_as_json(labelled: LabelledAnswers) -> list[dict[str, Any]]:
    """The sections as plain data (for the API): labels, values and texts, no notes."""

    def answer(a: Answer) -> dict[str, Any]:
        return {
            "field": a.path,
            "member_index": a.member_index,
            "label": a.label,
            "type": a.type,
            "value": a.value,
            "text": a.text,
        }

    return [
        {
            "group": section.path,
            "label": section.label,
            "answers": [answer(a) for a in section.answers],
            "rows": (
                [[answer(c) for c in row.cells] for row in section.table.rows]
                if section.table is not None
                else []
            ),
        }
        for section in labelled.sections
    ]
