"""Every XML that forms reads (XForms, SVG media, a workbook's parts) goes through one reader.

foundation.untrusted_xml refuses a DTD before and after parsing and never expands
entities or fetches anything; each reader in forms says what that means to a user.
"""

import io
import re
import zipfile
from pathlib import Path

import pytest

from areas.models import Area
from forms.errors import CorruptWorkbook, MediaInvalid
from forms.versions import attach_form_media, create_questionnaire
from forms.xform_facts import describe_xform
from foundation.untrusted_xml import XmlRefused
from tests.factories import xlsform_bytes
from tests.forms.test_media_kinds import LABEL_MEDIA_SURVEY

FORMS = Path(__file__).resolve().parents[2] / "forms"
SVG_WITH_DOCTYPE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4"/></svg>'
)
SVG_WITH_ENTITY = (
    b'<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
)


def _draft(user):
    return create_questionnaire(
        workbook=xlsform_bytes(survey=LABEL_MEDIA_SURVEY),
        filename="form.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=user,
    )


@pytest.mark.parametrize("content", [SVG_WITH_DOCTYPE, SVG_WITH_ENTITY], ids=["dtd", "entities"])
def test_an_svg_with_a_doctype_is_refused_with_how_to_save_it_plainly(district_user, content):
    version = _draft(district_user)
    with pytest.raises(MediaInvalid) as caught:
        attach_form_media(version=version, filename="logo.svg", content=content, user=district_user)
    assert "DOCTYPE" in caught.value.detail
    assert not version.media.exists()


def test_an_svg_that_is_not_svg_is_still_refused_as_unreadable(district_user):
    version = _draft(district_user)
    with pytest.raises(MediaInvalid) as caught:
        attach_form_media(
            version=version, filename="logo.svg", content=b"<html/>", user=district_user
        )
    assert "SVG" in caught.value.detail


def test_an_xform_with_a_dtd_is_not_described():
    xform = '<!DOCTYPE h:html [<!ENTITY x "y">]><h:html xmlns:h="http://www.w3.org/1999/xhtml"/>'
    with pytest.raises(XmlRefused):
        describe_xform(xform)


def test_a_workbook_whose_parts_declare_a_dtd_is_corrupt(district_user):
    original = zipfile.ZipFile(io.BytesIO(xlsform_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as rebuilt:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"^(<\?xml[^>]*\?>)?", rb"\1<!DOCTYPE workbook>", data, count=1)
            rebuilt.writestr(info, data)
    with pytest.raises(CorruptWorkbook):
        create_questionnaire(
            workbook=buffer.getvalue(),
            filename="form.xlsx",
            owner_area=Area.objects.get(code="35.07"),
            user=district_user,
        )


def test_no_module_of_forms_parses_xml_its_own_way():
    # The one exception: workbook_limits streams sheets with lxml's iterparse (hardened the
    # same way) to count rows in bounded memory, which a whole-document reader cannot do.
    own_ways = re.compile(r"defusedxml|etree\.fromstring|xml\.etree|minidom|etree\.XMLParser")
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(FORMS.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if own_ways.search(line)
    ]
    assert offenders == []
