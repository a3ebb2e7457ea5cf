"""The questionnaire pages, through URLs, as district staff use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forms.models import Deployment, FormVersion, Questionnaire
from tests.factories import make_user, xlsform_bytes


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def questionnaire(district_client):
    response = district_client.post(
        reverse("forms:create"),
        {"workbook": _upload("test.xlsx", xlsform_bytes(version="1")), "owner_area": "35.07"},
    )
    assert response.status_code == 302
    return Questionnaire.objects.get(form_id="test_form")


def test_district_staff_upload_check_and_publish(district_client, questionnaire):
    page = district_client.get(reverse("forms:detail", args=["test_form"]))
    assert page.status_code == 200
    assert b"Publish" in page.content or b"Terbitkan" in page.content
    response = district_client.post(reverse("forms:publish", args=["test_form", "1"]))
    assert response.status_code == 302
    version = FormVersion.objects.get(questionnaire=questionnaire)
    assert version.status == FormVersion.Status.PUBLISHED


def test_a_broken_relevance_is_shown_with_sheet_and_row(district_client, questionnaire):
    survey = [
        {
            "type": "text",
            "name": "name",
            "label::Indonesian (id)": "Nama",
            "label::English (en)": "Name",
        },
        {
            "type": "integer",
            "name": "age",
            "label::Indonesian (id)": "Umur",
            "label::English (en)": "Age",
            "relevant": "${name} = 'x' and (${age} >",
        },
    ]
    response = district_client.post(
        reverse("forms:upload_version", args=["test_form"]),
        {"workbook": _upload("broken.xlsx", xlsform_bytes(version="2", survey=survey))},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="upload-error"' in html
    assert "<td>survey</td><td>3</td>" in html
    assert FormVersion.objects.filter(questionnaire=questionnaire).count() == 1


def test_the_xlsx_of_a_version_can_be_downloaded(district_client, questionnaire):
    response = district_client.get(reverse("forms:xlsx", args=["test_form", "1"]))
    assert response.status_code == 200
    assert response.content == xlsform_bytes(version="1") or response.content[:2] == b"PK"
    assert response["Content-Disposition"] == 'attachment; filename="test_form-1.xlsx"'


def test_deploying_to_a_kecamatan(district_client, questionnaire):
    response = district_client.post(
        reverse("forms:deploy", args=["test_form"]), {"areas": ["35.07.13", "35.07.33"]}
    )
    assert response.status_code == 302
    assert set(Deployment.objects.values_list("area_id", flat=True)) == {"35.07.13", "35.07.33"}


def test_archiving_and_restoring(district_client, questionnaire):
    district_client.post(reverse("forms:archive", args=["test_form"]))
    questionnaire.refresh_from_db()
    assert questionnaire.is_archived
    district_client.post(reverse("forms:archive", args=["test_form"]), {"restore": "1"})
    questionnaire.refresh_from_db()
    assert not questionnaire.is_archived


def test_a_reviewer_cannot_open_the_questionnaire_pages(reviewer_client, questionnaire):
    assert reviewer_client.get(reverse("forms:list")).status_code == 403
    assert reviewer_client.get(reverse("forms:detail", args=["test_form"])).status_code == 403


def test_district_staff_of_another_regency_do_not_see_it(questionnaire, client):
    from areas.area_import import load_areas

    load_areas(scope="81.71")
    ambon = make_user("ambon", "district_staff", ["81.71"])
    client.force_login(ambon)
    assert client.get(reverse("forms:detail", args=["test_form"])).status_code == 404
    assert b"test_form" not in client.get(reverse("forms:list")).content
    assert client.post(reverse("forms:publish", args=["test_form", "1"])).status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, questionnaire):
    response = client.get(reverse("forms:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["district", "reviewer", "agent"])
def test_each_role_has_a_home_page(username, district_user, reviewer_user, agent_user, client):
    users = {"district": district_user, "reviewer": reviewer_user, "agent": agent_user}
    client.force_login(users[username])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    # District staff follow the review queue of their areas too (issue #10's oversight).
    expected = {
        "district": {"card-forms", "card-review"},
        "reviewer": {"card-review"},
        "agent": {"card-collect"},
    }
    for card in expected[username]:
        assert card in html
    for other in set().union(*expected.values()) - expected[username]:
        assert other not in html
