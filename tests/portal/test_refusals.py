"""One refusal, NotAllowed from accounts.access, answered by each interface in its own way."""

from django.urls import reverse
from rest_framework.test import APIClient


def test_a_reviewer_is_refused_the_questionnaire_page_with_the_refusals_message(reviewer_client):
    response = reviewer_client.get(reverse("forms:list"))
    assert response.status_code == 403
    assert "Anda tidak diizinkan melakukan ini di sini." in response.content.decode()


def test_a_reviewer_is_refused_the_questionnaire_api_with_code_and_detail(reviewer_user):
    client = APIClient()
    client.force_authenticate(reviewer_user)
    response = client.get("/api/v1/questionnaires/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert response.json()["detail"]


def test_a_district_officer_is_refused_the_audit_trail(district_client):
    response = district_client.get(reverse("audit:list"))
    assert response.status_code == 403
