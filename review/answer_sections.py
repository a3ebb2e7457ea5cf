"""A submission's answers laid out for the review pages: sections, tables, notes.

``answer_sections`` walks a form version's outline and the answers in the order
of the form and gives a section per group with its questions, and a table per
repeat (one row per member, one column per question answered in any row), with
the labels, choice labels and area names of ``review.labelled_answers`` (the
same rules for what is an answer). Besides it puts what the caller notes on a
place (findings, corrections) beside that answer, and shows such an answer even
when it is empty: a reviewer must see the empty answer that a finding is about.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from forms.xform_outline import Outline, OutlineNode
from review.labelled_answers import (
    FILE_TYPES,
    NOT_ANSWERS,
    children_of,
    display_text,
    form_language,
    geopoint_text,
    text_for,
)

# A place in the answers: the question's path below the instance root, and the repeat's
# row (0-based) or None outside repeats. Findings and corrections name places this way.
Place = tuple[str, int | None]


# Filled by the phone or the form itself, not by the person asked.
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
    language: str  # the form's language ("Indonesian (id)")
    area_names: Mapping[str, str]
    notes: Mapping[Place, Sequence[Any]]
    placed: set[Place] = field(default_factory=set)


def _text(texts: tuple[tuple[str, str], ...], context: "_Context", fallback: str) -> str:
    return text_for(texts, context.language, fallback)


def _value_at(data: Mapping[str, Any], relative: str) -> Any:
    value: Any = data
    for step in relative.split("/"):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def _display(node: OutlineNode, value: str, context: "_Context") -> tuple[str, Any]:
    """The answer's text for people, and its point when it is a geopoint."""
    if node.type == "geopoint":
        return geopoint_text(value)
    return display_text(node, value, context.language, context.area_names), None


def _answer(
    node: OutlineNode, data: Mapping[str, Any], relative: str, index: int | None, context: _Context
) -> Answer | None:
    if node.type in NOT_ANSWERS:
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
        filename=value if node.type in FILE_TYPES else "",
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
    questions = [q for q in _questions_below(node.path, children) if q.type not in NOT_ANSWERS]
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
class AnswerSections:
    sections: tuple[Section, ...]
    unplaced: tuple[Place, ...]  # noted places that no question of the form shows

    @property
    def answers(self) -> Iterator[Answer]:
        for section in self.sections:
            yield from section.answers
            if section.table is not None:
                for row in section.table.rows:
                    yield from row.cells


def answer_sections(
    outline: Outline,
    answers: Mapping[str, Any] | None,
    *,
    language: str,
    area_names: Mapping[str, str] | None = None,
    notes: Mapping[Place, Sequence[Any]] | None = None,
) -> AnswerSections:
    """The answers in the form's sections, labelled in ``language`` ("id", "en").

    ``area_names`` maps the codes of ``labelled_answers.area_codes_in`` to their
    names; ``notes`` puts things (findings, corrections) beside the answer of their
    place, which is then shown even when empty.
    """
    context = _Context(
        language=form_language(outline, language),
        area_names=area_names or {},
        notes=notes or {},
    )
    children = children_of(outline)
    sections = tuple(_sections("", "", 0, answers or {}, children, context))
    unplaced = tuple(place for place in (notes or {}) if place not in context.placed)
    return AnswerSections(sections=sections, unplaced=unplaced)


def correctable_questions(outline: Outline, *, language: str) -> list[tuple[str, str, bool]]:
    """The form's questions a reviewer may correct: (path, label, is in a repeat)."""
    form_lang = form_language(outline, language)
    repeats = [node.path + "/" for node in outline.nodes if node.kind == "repeat"]
    return [
        (
            node.path,
            text_for(node.labels, form_lang, node.name),
            any(node.path.startswith(r) for r in repeats),
        )
        for node in outline.questions
        if node.type not in NOT_ANSWERS and node.type not in FILE_TYPES
    ]
