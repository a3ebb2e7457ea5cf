"""A submission's answers as the questionnaire asked them: its own labels, in one language.

``label_answers`` walks a form version's outline (``forms.xform_outline``) and
the answers (nested by group, repeats as lists, every value a string as sent)
and gives a tree in the order of the form: groups with their nodes, repeats
with one row of question nodes per member, questions with their value and
its text for people (choice labels, an area's name from ``srs_areas.csv``,
a geopoint's coordinates). Questions not answered (skipped or not relevant),
the form's metadata (start, end, device, username), its calculations and
notes are left out, and so are groups with nothing answered. The API shows
this tree; the review pages lay the same answers out with
``review.answer_sections``, which uses the helpers below.
"""

import functools
import hashlib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from areas.models import Area
from forms.area_media import AREAS_CSV
from forms.geopoint import parse_geopoint
from forms.models import FormVersion
from forms.xform_outline import Outline, OutlineNode, read_outline, short_language, text_in

# Filled by the phone or the form itself, not by the person asked.
NOT_ANSWERS = frozenset(
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
FILE_TYPES = frozenset({"image", "audio", "video", "file"})
_MULTIPLE = ("select_multiple", "rank")
_SELECTS = ("select_one", "select_multiple", "rank")


# --- shared helpers ---------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _outline(digest: str, xform_xml: str) -> Outline:
    return read_outline(xform_xml)


def outline_of(xform_xml: str) -> Outline:
    """The outline of an XForm, read once per process (a published XForm never changes)."""
    return _outline(
        hashlib.md5(xform_xml.encode("utf-8"), usedforsecurity=False).hexdigest(), xform_xml
    )


@functools.lru_cache(maxsize=64)
def _outline_of_version(form_version_id: int, xform_md5: str) -> Outline:
    xform_xml = FormVersion.objects.values_list("xform_xml", flat=True).get(pk=form_version_id)
    return read_outline(xform_xml)


def outline_of_version(form_version_id: int, xform_md5: str = "") -> Outline:
    """The outline of a stored form version, its XForm read once per process.

    ``xform_md5`` (``FormVersion.xform_md5``) keeps tests, whose ids repeat between
    databases, from seeing another database's form.
    """
    return _outline_of_version(form_version_id, xform_md5)


def form_language(outline: Outline, language: str) -> str:
    """The form's language that is the reader's ("id" → "Indonesian (id)"), else its default."""
    for candidate in outline.languages:
        if short_language(candidate) == language or candidate.lower() == language:
            return candidate
    return outline.languages[0] if outline.languages else ""


def text_for(texts: tuple[tuple[str, str], ...], form_lang: str, fallback: str) -> str:
    """The text in the form's language ``form_lang``, else in another, else ``fallback``."""
    found = text_in(texts, form_lang)
    if found:
        return found
    return next((text for _lang, text in texts if text), fallback)


def area_codes_in(outline: Outline, answers: Mapping[str, Any] | None) -> set[str]:
    """The area codes answered to the questions that choose from ``srs_areas.csv``."""
    codes: set[str] = set()
    for node in outline.questions:
        if node.choices is None or node.choices.file != AREAS_CSV:
            continue
        for value in _values_at_path(answers or {}, node.path):
            codes.update(value.split() if node.type.startswith(_MULTIPLE) else [value])
    codes.discard("")
    return codes


def area_names_for(codes: Collection[str]) -> dict[str, str]:
    """The names of these areas, in one query (none when there is no code)."""
    if not codes:
        return {}
    return dict(Area.objects.filter(code__in=sorted(codes)).values_list("code", "name"))


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


def choice_texts(
    node: OutlineNode, value: str, form_lang: str, area_names: Mapping[str, str]
) -> tuple[str, ...]:
    """Each chosen value's label (an area's name for ``srs_areas.csv``); () if no select."""
    if node.choices is None or not node.type.startswith(_SELECTS + ("select_one_external",)):
        return ()
    values = value.split() if node.type.startswith(_MULTIPLE) else [value]
    if node.choices.file == AREAS_CSV:
        return tuple(area_names.get(v, v) for v in values)
    labels = {
        choice.value: text_for(choice.labels, form_lang, choice.value)
        for choice in node.choices.choices
    }
    return tuple(labels.get(v, v) for v in values)


def geopoint_text(value: str) -> tuple[str, tuple[float, float] | None]:
    """ "-8.1307 112.5712 420 5" → ("-8.13070, 112.57120 (± 5 m)", (-8.1307, 112.5712))."""
    point = parse_geopoint(value)
    if point is None:
        return value, None
    text = f"{point.lat:.5f}, {point.lon:.5f}"
    if point.accuracy is not None:
        text += f" (± {point.accuracy:.0f} m)"
    return text, (point.lat, point.lon)


def display_text(
    node: OutlineNode, value: str, form_lang: str, area_names: Mapping[str, str]
) -> str:
    """An answer's text for people: choice labels, an area's name, coordinates, or itself."""
    if not value:
        return ""
    chosen = choice_texts(node, value, form_lang, area_names)
    if chosen:
        return ", ".join(chosen)
    if node.type == "geopoint":
        return geopoint_text(value)[0]
    return value


def children_of(outline: Outline) -> dict[str, list[OutlineNode]]:
    """Each group's or repeat's nodes by its path ("" for the form's own), in form order."""
    children: dict[str, list[OutlineNode]] = {}
    for node in outline.nodes:
        parent = node.path.rsplit("/", 1)[0] if "/" in node.path else ""
        children.setdefault(parent, []).append(node)
    return children


# --- the tree (API) ---------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledNode:
    kind: str  # "group", "repeat" or "question"
    name: str
    path: str  # below the instance root, as Finding.field: "head/hh_head_nik", "members/nik"
    label: str
    type: str
    value: str = ""  # as sent; "" for groups and repeats
    display: str = ""  # for people: choice labels, an area's name, coordinates
    choices_display: tuple[str, ...] = ()  # a select_multiple's labels, one per choice
    children: tuple["LabelledNode", ...] = ()  # a group's nodes
    rows: tuple[tuple["LabelledNode", ...], ...] = ()  # a repeat's members (row = member_index)

    @property
    def is_attachment(self) -> bool:
        return self.kind == "question" and self.type in FILE_TYPES and bool(self.value)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name,
            "path": self.path,
            "label": self.label,
            "type": self.type,
        }
        if self.kind == "question":
            data.update(
                value=self.value,
                display=self.display,
                choices_display=list(self.choices_display),
                is_attachment=self.is_attachment,
            )
        elif self.kind == "group":
            data["children"] = [child.as_dict() for child in self.children]
        else:
            data["rows"] = [[cell.as_dict() for cell in row] for row in self.rows]
        return data


class _Tree:
    def __init__(self, outline: Outline, language: str, area_names: Mapping[str, str]) -> None:
        self.form_lang = form_language(outline, language)
        self.area_names = area_names
        self.children = children_of(outline)

    def nodes(self, path: str, data: Mapping[str, Any]) -> Iterator[LabelledNode]:
        for node in self.children.get(path, []):
            name = node.path.rsplit("/", 1)[-1]
            value = data.get(name)
            label = text_for(node.labels, self.form_lang, node.name)
            if node.kind == "question":
                text = value.strip() if isinstance(value, str) else ""
                if node.type in NOT_ANSWERS or not text:
                    continue
                chosen = choice_texts(node, text, self.form_lang, self.area_names)
                yield LabelledNode(
                    kind="question",
                    name=node.name,
                    path=node.path,
                    label=label,
                    type=node.type,
                    value=text,
                    display=display_text(node, text, self.form_lang, self.area_names),
                    choices_display=chosen if node.type.startswith(_MULTIPLE) else (),
                )
            elif node.kind == "repeat":
                items = value if isinstance(value, list) else []
                rows = tuple(
                    tuple(self.nodes(node.path, item if isinstance(item, Mapping) else {}))
                    for item in items
                )
                if any(rows):
                    yield LabelledNode(
                        kind="repeat",
                        name=node.name,
                        path=node.path,
                        label=label,
                        type=node.type,
                        rows=rows,
                    )
            else:
                children = tuple(self.nodes(node.path, value if isinstance(value, Mapping) else {}))
                if children:
                    yield LabelledNode(
                        kind="group",
                        name=node.name,
                        path=node.path,
                        label=label,
                        type=node.type,
                        children=children,
                    )


def label_answers(
    *, xform_xml: str, answers: Mapping[str, Any] | None, language: str
) -> list[LabelledNode]:
    """The answered questions of ``answers`` as a tree in the form's order, in ``language``.

    ``language`` is the reader's ("id", "en"); the form's labels in it, else in
    the form's default language, else the question's name. One query for the
    names of the areas answered (none without such an answer).
    """
    if not answers:
        return []
    outline = outline_of(xform_xml)
    tree = _Tree(outline, language, area_names_for(area_codes_in(outline, answers)))
    return list(tree.nodes("", answers))
