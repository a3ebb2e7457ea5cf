"""A compiled XForm read back as the questionnaire people wrote: its outline.

``read_outline`` turns ``FormVersion.xform_xml`` into groups, repeats and
questions in the order of the form, each with its type (as XLSForm names it),
its texts in every language of the form (the itext translations), its choices
(inline lists, itemsets, or the media file they come from) and its logic
(relevant, constraint, required, calculate, readonly). District staff read it
to check a draft before publishing; ``forms.version_diff`` compares two.

pyxform writes each ``${name}`` as an absolute or relative path with a space on
each side (`` /data/place/village ``, `` ../age ``); the outline shows those
as ``${village}`` again, so that an expression reads as it was typed.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from foundation.untrusted_xml import XmlRefused, local_name, parse_untrusted_xml

_XF = "{http://www.w3.org/2002/xforms}"
_JR = "{http://openrosa.org/javarosa}"
_ITEXT_RE = re.compile(r"jr:itext\(\s*'([^']*)'\s*\)")
_INSTANCE_RE = re.compile(r"^\s*instance\(\s*'([^']+)'\s*\)(/[^\[]*)(?:\[(.*)\])?\s*$", re.S)
_FILE_RE = re.compile(r"^jr://file(?:-csv)?/(.+)$")

# Each language's text of a label, hint or message, in the order of Outline.languages.
Texts = tuple[tuple[str, str], ...]


class OutlineUnreadable(ValueError):
    """The stored XForm cannot be read (it was compiled by pyxform, so this is a bug)."""


@dataclass(frozen=True)
class Choice:
    value: str
    labels: Texts


@dataclass(frozen=True)
class ChoiceSource:
    """Where a select question's choices come from."""

    list_name: str
    choices: tuple[Choice, ...] = ()
    file: str = ""  # select_one_from_file / select_one_external: the media file
    choice_filter: str = ""
    expression: str = ""  # choices taken from the form's own answers (e.g. a repeat)


@dataclass(frozen=True)
class OutlineNode:
    kind: str  # "group", "repeat" or "question"
    name: str
    path: str  # below the instance root: "place/village"
    depth: int
    type: str  # the XLSForm type: "text", "select_one", "begin_group", ...
    labels: Texts = ()
    hints: Texts = ()
    constraint_messages: Texts = ()
    required_messages: Texts = ()
    choices: ChoiceSource | None = None
    relevant: str = ""
    constraint: str = ""
    required: str = ""
    calculate: str = ""
    readonly: str = ""
    repeat_count: str = ""
    appearance: str = ""
    default: str = ""
    parameters: str = ""  # preload parameters of hidden metadata (start, deviceid, ...)

    @property
    def is_question(self) -> bool:
        return self.kind == "question"

    @property
    def is_required(self) -> bool:
        return self.required == "true()"

    @property
    def logic(self) -> tuple[tuple[str, str], ...]:
        """The expressions that are set, as (XLSForm column, expression) pairs."""
        pairs = (
            ("relevant", self.relevant),
            ("constraint", self.constraint),
            ("required", "" if self.required in ("", "true()", "false()") else self.required),
            ("calculation", self.calculate),
            ("read_only", "" if self.readonly in ("", "false()") else self.readonly),
            ("repeat_count", self.repeat_count),
            ("choice_filter", self.choices.choice_filter if self.choices else ""),
            ("default", self.default),
        )
        return tuple((column, value) for column, value in pairs if value)

    def label_in(self, language: str) -> str:
        return text_in(self.labels, language)


@dataclass(frozen=True)
class Outline:
    form_id: str
    version: str
    title: str
    languages: tuple[str, ...]  # "" when the form has no translations
    nodes: tuple[OutlineNode, ...] = field(default=())

    @property
    def questions(self) -> tuple[OutlineNode, ...]:
        return tuple(node for node in self.nodes if node.is_question)

    def find(self, path: str) -> OutlineNode | None:
        return next((node for node in self.nodes if node.path == path), None)


def text_in(texts: Texts, language: str) -> str:
    return next((text for lang, text in texts if lang == language), "")


def short_language(language: str) -> str:
    """ "Indonesian (id)" → "id"; a language without a code stays as it is."""
    match = re.search(r"\(([^()]+)\)\s*$", language)
    return match.group(1) if match else language


# --- reading ----------------------------------------------------------------------------


class _Reader:
    def __init__(self, root: Any) -> None:
        head = root.find("{http://www.w3.org/1999/xhtml}head")
        model = head.find(f"{_XF}model") if head is not None else None
        body = root.find("{http://www.w3.org/1999/xhtml}body")
        if model is None or body is None:
            raise OutlineUnreadable("no model or body")
        self.title = "".join(head.findtext("{http://www.w3.org/1999/xhtml}title") or "")
        instances = model.findall(f"{_XF}instance")
        primary = next((i for i in instances if not i.get("id")), None)
        if primary is None or len(primary) == 0:
            raise OutlineUnreadable("no primary instance")
        self.data = next(child for child in primary if local_name(child.tag))
        self.root_path = "/" + local_name(self.data.tag)
        self._path_re = re.compile(
            r" (?:" + re.escape(self.root_path) + r"(?:/[\w.:-]+)+|(?:\.\./)+[\w.:-]+) "
        )
        self.languages, self.itext = self._translations(model)
        self.secondary = {i.get("id"): i for i in instances if i.get("id")}
        self.binds = {
            bind.get("nodeset", ""): {local_name(k) + _ns_suffix(k): v for k, v in bind.items()}
            for bind in model.iter(f"{_XF}bind")
        }
        self.controls: dict[str, Any] = {}
        self.groups: dict[str, Any] = {}
        self.repeats: dict[str, Any] = {}
        self._index_body(body)

    # Texts -------------------------------------------------------------------------------

    def _translations(self, model: Any) -> tuple[tuple[str, ...], dict[str, dict[str, str]]]:
        itext = model.find(f"{_XF}itext")
        if itext is None:
            return ("",), {}
        languages: list[str] = []
        texts: dict[str, dict[str, str]] = {}
        for translation in itext.findall(f"{_XF}translation"):
            lang = translation.get("lang", "")
            if translation.get("default") == "true()":
                languages.insert(0, lang)
            else:
                languages.append(lang)
            texts[lang] = {}
            for text in translation.findall(f"{_XF}text"):
                values = text.findall(f"{_XF}value")
                plain = next((v for v in values if v.get("form") is None), None)
                if plain is not None:
                    texts[lang][text.get("id", "")] = self._value_text(plain)
        return tuple(languages) or ("",), texts

    def _value_text(self, element: Any) -> str:
        """The text of a label or value, with each ``<output value="…"/>`` as its expression."""
        parts = [element.text or ""]
        for child in element:
            if local_name(child.tag) == "output":
                parts.append(self.expression(child.get("value", "")))
            parts.append(child.tail or "")
        return "".join(parts).strip()

    def texts(self, element: Any | None) -> Texts:
        """Each language's text of a ``<label>`` or ``<hint>`` element (plain or itext)."""
        if element is None:
            return ()
        ref = element.get("ref", "")
        match = _ITEXT_RE.fullmatch(ref.strip()) if ref else None
        if match:
            return self.itext_texts(match.group(1))
        text = self._value_text(element)
        return tuple((lang, text) for lang in self.languages) if text else ()

    def itext_texts(self, text_id: str) -> Texts:
        found = tuple((lang, self.itext.get(lang, {}).get(text_id, "")) for lang in self.languages)
        return found if any(text for _lang, text in found) else ()

    def message_texts(self, value: str) -> Texts:
        """A bind's ``jr:constraintMsg`` or ``jr:requiredMsg``: itext or plain text."""
        if not value:
            return ()
        match = _ITEXT_RE.fullmatch(value.strip())
        if match:
            return self.itext_texts(match.group(1))
        return tuple((lang, value) for lang in self.languages)

    def expression(self, value: str) -> str:
        """An XPath expression as written in the workbook: pyxform's paths back to ``${name}``."""
        if not value:
            return ""
        # The spaces are pyxform's own, around each path it wrote: they go with it.
        return self._path_re.sub(
            lambda m: "${" + m.group(0).strip().rsplit("/", 1)[-1] + "}", f" {value} "
        ).strip()

    # Body --------------------------------------------------------------------------------

    def _index_body(self, element: Any) -> None:
        for child in element:
            tag = local_name(child.tag)
            if tag == "group":
                if child.get("ref"):
                    self.groups[child.get("ref")] = child
                self._index_body(child)
            elif tag == "repeat":
                self.repeats[child.get("nodeset", "")] = child
                self._index_body(child)
            elif tag in ("input", "select1", "select", "upload", "trigger", "range", "rank"):
                self.controls[child.get("ref", "")] = child

    # Choices -----------------------------------------------------------------------------

    def choices_of(self, control: Any) -> ChoiceSource | None:
        tag = local_name(control.tag)
        if tag == "input" and control.get("query"):
            return self._itemset_source(control.get("query", ""), None)
        if tag not in ("select1", "select", "rank"):
            return None
        items = control.findall(f"{_XF}item")
        if items:
            return ChoiceSource(
                list_name="",
                choices=tuple(
                    Choice(
                        value=(item.findtext(f"{_XF}value") or "").strip(),
                        labels=self.texts(item.find(f"{_XF}label")),
                    )
                    for item in items
                ),
            )
        itemset = control.find(f"{_XF}itemset")
        if itemset is None:
            return ChoiceSource(list_name="")
        return self._itemset_source(itemset.get("nodeset", ""), itemset)

    def _itemset_source(self, nodeset: str, itemset: Any | None) -> ChoiceSource:
        match = _INSTANCE_RE.match(nodeset)
        if match is None:
            # Choices from the form's own answers, e.g. the names entered in a repeat.
            return ChoiceSource(list_name="", expression=self.expression(nodeset))
        list_name, _items_path, predicate = match.group(1), match.group(2), match.group(3) or ""
        choice_filter = self.expression(predicate)
        instance = self.secondary.get(list_name)
        src = instance.get("src", "") if instance is not None else ""
        file_match = _FILE_RE.match(src)
        if src:
            return ChoiceSource(
                list_name=list_name,
                file=file_match.group(1) if file_match else src,
                choice_filter=choice_filter,
            )
        value_ref, label_ref = "name", "label"
        if itemset is not None:
            value_el = itemset.find(f"{_XF}value")
            label_el = itemset.find(f"{_XF}label")
            value_ref = value_el.get("ref", "name") if value_el is not None else "name"
            label_ref = label_el.get("ref", "label") if label_el is not None else "label"
        choices = []
        for item in instance.iter(f"{_XF}item") if instance is not None else ():
            children = {local_name(c.tag): c for c in item if local_name(c.tag)}
            value = (children[value_ref].text or "").strip() if value_ref in children else ""
            if "itextId" in label_ref and "itextId" in children:
                labels = self.itext_texts((children["itextId"].text or "").strip())
            elif label_ref in children:
                labels = self.texts(children[label_ref])
            else:
                labels = self._language_columns(children)
            choices.append(Choice(value=value, labels=labels))
        return ChoiceSource(
            list_name=list_name, choices=tuple(choices), choice_filter=choice_filter
        )

    def _language_columns(self, children: dict[str, Any]) -> Texts:
        # An untranslated item whose label columns carry the language in the name.
        found = tuple(
            (lang, (children[f"label::{lang}"].text or "").strip())
            for lang in self.languages
            if f"label::{lang}" in children
        )
        return found

    # Nodes -------------------------------------------------------------------------------

    def walk(self, element: Any, prefix: str, depth: int, seen: set[str]) -> Iterator[OutlineNode]:
        for child in element:
            name = local_name(child.tag)
            if not name:
                continue
            path = f"{prefix}{name}"
            if path in seen:
                continue  # the second copy of a repeat (the first is its template)
            seen.add(path)
            if depth == 0 and name == "meta":
                continue  # instanceID, instanceName: the server's, not a question
            absolute = f"{self.root_path}/{path}"
            if absolute in self.repeats or absolute in self.groups or len(child):
                yield self._container(child, name, path, absolute, depth)
                yield from self.walk(child, path + "/", depth + 1, seen)
            else:
                yield self._question(child, name, path, absolute, depth)

    def _container(
        self, element: Any, name: str, path: str, absolute: str, depth: int
    ) -> OutlineNode:
        group = self.groups.get(absolute)
        repeat = self.repeats.get(absolute)
        bind = self.binds.get(absolute, {})
        label = group.find(f"{_XF}label") if group is not None else None
        if label is None and repeat is not None:
            label = repeat.find(f"{_XF}label")
        return OutlineNode(
            kind="repeat" if repeat is not None else "group",
            name=name,
            path=path,
            depth=depth,
            type="begin_repeat" if repeat is not None else "begin_group",
            labels=self.texts(label),
            relevant=self.expression(bind.get("relevant", "")),
            readonly=bind.get("readonly", ""),
            repeat_count=self.expression(
                repeat.get(f"{_JR}count", "") if repeat is not None else ""
            ),
            appearance=(group.get("appearance", "") if group is not None else "")
            or (repeat.get("appearance", "") if repeat is not None else ""),
        )

    def _question(
        self, element: Any, name: str, path: str, absolute: str, depth: int
    ) -> OutlineNode:
        bind = self.binds.get(absolute, {})
        control = self.controls.get(absolute)
        choices = self.choices_of(control) if control is not None else None
        return OutlineNode(
            kind="question",
            name=name,
            path=path,
            depth=depth,
            type=_question_type(control, bind, choices),
            labels=self.texts(control.find(f"{_XF}label")) if control is not None else (),
            hints=self.texts(control.find(f"{_XF}hint")) if control is not None else (),
            constraint_messages=self.message_texts(bind.get("constraintMsg:jr", "")),
            required_messages=self.message_texts(bind.get("requiredMsg:jr", "")),
            choices=choices,
            relevant=self.expression(bind.get("relevant", "")),
            constraint=self.expression(bind.get("constraint", "")),
            required=self.expression(bind.get("required", "")),
            calculate=self.expression(bind.get("calculate", "")),
            readonly=bind.get("readonly", ""),
            appearance=control.get("appearance", "") if control is not None else "",
            default=(element.text or "").strip(),
            parameters=bind.get("preloadParams:jr", ""),
        )


def _ns_suffix(key: str) -> str:
    # jr:constraintMsg and a plain constraintMsg must not collide: keep the jr: prefix.
    return ":jr" if key.startswith(_JR) else ""


_INPUT_TYPES = {
    "string": "text",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "dateTime": "datetime",
    "geopoint": "geopoint",
    "geotrace": "geotrace",
    "geoshape": "geoshape",
    "barcode": "barcode",
}
_PRELOADS = {
    ("timestamp", "start"): "start",
    ("timestamp", "end"): "end",
    ("date", "today"): "today",
    ("property", "deviceid"): "deviceid",
    ("property", "username"): "username",
    ("property", "phonenumber"): "phonenumber",
    ("property", "email"): "email",
    ("property", "subscriberid"): "subscriberid",
    ("property", "simserial"): "simserial",
}


def _question_type(control: Any | None, bind: dict[str, str], choices: ChoiceSource | None) -> str:
    if control is None:
        preload = bind.get("preload:jr", "")
        if preload:
            return _PRELOADS.get((preload, bind.get("preloadParams:jr", "")), preload)
        return "calculate" if bind.get("calculate") else "hidden"
    tag = local_name(control.tag)
    from_file = choices is not None and bool(choices.file)
    if tag == "select1":
        return "select_one_from_file" if from_file else "select_one"
    if tag == "select":
        return "select_multiple_from_file" if from_file else "select_multiple"
    if tag == "rank":
        return "rank"
    if tag == "range":
        return "range"
    if tag == "trigger":
        return "acknowledge"
    if tag == "upload":
        mediatype = control.get("mediatype", "")
        kind = mediatype.split("/", 1)[0]
        return kind if kind in ("image", "audio", "video") else "file"
    if control.get("query"):
        return "select_one_external"
    if bind.get("readonly") == "true()" and not bind.get("calculate"):
        return "note"
    return _INPUT_TYPES.get(bind.get("type", "string"), bind.get("type", "text"))


def read_outline(xform_xml: str) -> Outline:
    """The outline of a compiled XForm; raises OutlineUnreadable when it is not one."""
    try:
        root = parse_untrusted_xml(xform_xml.encode("utf-8"))
    except XmlRefused as exc:
        raise OutlineUnreadable(str(exc)) from None
    reader = _Reader(root)
    nodes = tuple(reader.walk(reader.data, "", 0, set()))
    return Outline(
        form_id=reader.data.get("id", ""),
        version=reader.data.get("version", ""),
        title=reader.title,
        languages=reader.languages,
        nodes=nodes,
    )
