"""What the server needs to know of a compiled XForm, read from the XForm itself.

The XForm is what phones get, so the id, version and title kept, the files it
needs and the area question are read from it, never from the workbook's cells:
a setting pyxform ignored or rewrote cannot differ from what is served.
"""

import re
from dataclasses import dataclass
from typing import Any

from forms.area_media import AREAS_CSV
from foundation.untrusted_xml import local_name, parse_untrusted_xml

_XFORMS_NS = "http://www.w3.org/2002/xforms"
_MEDIA_RE = re.compile(r"jr://(?:file|file-csv|images|audio|video)/([^\s\"'<>)]+)")
_INSTANCE_OF_RE = re.compile(r"""instance\(\s*['"]([^'"]+)['"]\s*\)""")
# The PPLS cascade's last level: ``level='village'`` in the choice filter.
_VILLAGE_LEVEL_RE = re.compile(r"""\blevel\s*=\s*['"]village['"]""")


@dataclass(frozen=True)
class Question:
    path: str  # below the instance root: "place/village"
    name: str
    control: str  # input, select1, select, upload, ... ("" for a calculate)
    data_type: str  # the bind's type: string, int, binary, ...
    itemset_file: str | None  # the file a select_*_from_file reads its choices from
    filter_text: str  # the itemset's nodeset, with its choice filter
    in_repeat: bool

    @property
    def is_areas_select(self) -> bool:
        return self.control in ("select1", "select") and self.itemset_file == AREAS_CSV

    @property
    def is_village_of_areas(self) -> bool:
        return (
            self.control == "select1"
            and self.itemset_file == AREAS_CSV
            and _VILLAGE_LEVEL_RE.search(self.filter_text) is not None
        )


@dataclass(frozen=True)
class XFormFacts:
    form_id: str
    version: str
    title: str
    submission_url: str
    public_key: str
    languages: tuple[str, ...]
    media: tuple[str, ...]
    # File questions by path below the instance root ("members/photo") → accepted media type.
    binary_fields: dict[str, str]
    questions: tuple[Question, ...]

    def find_question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)


def _relative_path(nodeset: str) -> str:
    """``/ppls_household/members/photo`` → ``members/photo`` (the root is the form)."""
    return "/".join(nodeset.strip().strip("/").split("/")[1:])


def _first(root: Any, name: str) -> Any:
    return next((el for el in root.iter() if local_name(el.tag) == name), None)


def _main_instance_root(model: Any) -> Any:
    for instance in model:
        if local_name(instance.tag) == "instance" and instance.get("id") is None:
            return next(iter(instance), None)
    return None


def describe_xform(xml: str) -> XFormFacts:
    """The facts of an XForm that pyxform produced.

    Raises foundation.untrusted_xml.XmlRefused if it is not harmless, well-formed XML.
    """
    root = parse_untrusted_xml(xml.encode("utf-8"))
    model = _first(root, "model")
    head_title = _first(root, "title")
    main = _main_instance_root(model) if model is not None else None
    submission = _first(model, "submission") if model is not None else None
    file_instances = {
        el.get("id", ""): el.get("src", "").rsplit("/", 1)[-1]
        for el in (model if model is not None else [])
        if local_name(el.tag) == "instance" and el.get("src")
    }
    binds = {
        _relative_path(el.get("nodeset", "")): el.get("type", "string")
        for el in root.iter(f"{{{_XFORMS_NS}}}bind")
    }
    return XFormFacts(
        form_id=main.get("id", "") if main is not None else "",
        version=main.get("version", "") if main is not None else "",
        title=(head_title.text or "").strip() if head_title is not None else "",
        submission_url=submission.get("action", "") if submission is not None else "",
        public_key=submission.get("base64RsaPublicKey", "") if submission is not None else "",
        languages=tuple(el.get("lang", "") for el in root.iter(f"{{{_XFORMS_NS}}}translation")),
        media=tuple(sorted(set(_MEDIA_RE.findall(xml)))),
        binary_fields={
            path: _upload_types(root).get(path, "*/*")
            for path, data_type in binds.items()
            if data_type == "binary"
        },
        questions=tuple(_questions(root, binds, file_instances)),
    )


def _upload_types(root: Any) -> dict[str, str]:
    return {
        _relative_path(el.get("ref", "")): el.get("mediatype", "*/*")
        for el in root.iter(f"{{{_XFORMS_NS}}}upload")
    }


def _questions(root: Any, binds: dict[str, str], file_instances: dict[str, str]) -> list[Question]:
    body = _first(root, "body")
    repeats = [
        _relative_path(el.get("nodeset", ""))
        for el in (body.iter(f"{{{_XFORMS_NS}}}repeat") if body is not None else [])
    ]
    controls: dict[str, tuple[str, str | None, str]] = {}
    for el in body.iter() if body is not None else []:
        ref = el.get("ref")
        name = local_name(el.tag)
        if not ref or name in ("label", "hint", "value", "group", "repeat", "output"):
            continue
        itemset = next((c for c in el if local_name(c.tag) == "itemset"), None)
        nodeset = itemset.get("nodeset", "") if itemset is not None else ""
        instance = _INSTANCE_OF_RE.search(nodeset)
        controls[_relative_path(ref)] = (
            name,
            file_instances.get(instance.group(1)) if instance else None,
            nodeset,
        )
    questions = []
    for path, data_type in binds.items():
        if not path or path.startswith("meta/") or path == "meta":
            continue
        control, itemset_file, nodeset = controls.get(path, ("", None, ""))
        questions.append(
            Question(
                path=path,
                name=path.rsplit("/", 1)[-1],
                control=control,
                data_type=data_type,
                itemset_file=itemset_file,
                filter_text=nodeset,
                in_repeat=any(path.startswith(repeat + "/") for repeat in repeats if repeat),
            )
        )
    return questions
