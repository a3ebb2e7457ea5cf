"""Uploading a draft over a draft says that the earlier draft is replaced, in both languages."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from forms.models import FormVersion
from tests.factories import xlsform_bytes


def _upload(client, url, version: str, **data):
    return client.post(
        url, {"workbook": SimpleUploadedFile("f.xlsx", xlsform_bytes(version=version)), **data}
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ["replaces the earlier draft 1"]), ("id", ["menggantikan draf sebelumnya 1"])],
)
def test_a_draft_uploaded_over_a_draft_says_the_earlier_one_is_replaced(
    district_client, language, words
):
    district_client.cookies["django_language"] = language
    _upload(district_client, reverse("forms:create"), "1", owner_area="35.07")
    response = _upload(district_client, reverse("forms:upload_version", args=["test_form"]), "2")
    assert response.status_code == 302
    with translation.override(language):
        texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(all(w in t for w in words) for t in texts), texts
    assert list(FormVersion.objects.values_list("version", flat=True)) == ["2"]


def test_a_first_draft_does_not_speak_of_replacing(district_client):
    district_client.cookies["django_language"] = "en"
    _upload(district_client, reverse("forms:create"), "1", owner_area="35.07")
    FormVersion.objects.update(status=FormVersion.Status.PUBLISHED)
    response = _upload(district_client, reverse("forms:upload_version", args=["test_form"]), "2")
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts and not any("replaces" in t for t in texts)
