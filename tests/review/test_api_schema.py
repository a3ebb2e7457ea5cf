"""The OpenAPI schema at /api/v1/schema/ describes every endpoint of the API."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _api_paths() -> set[str]:
    """Every route under /api/v1/ as OpenAPI writes it (``{name}`` for each parameter)."""
    found: set[str] = set()

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
                path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
                found.add(path.replace("{pk}", "{id}"))  # drf-spectacular names a pk "id"

    walk(get_resolver().url_patterns, "")
    found.discard("/api/v1/schema/")
    return found


def test_the_schema_describes_every_endpoint_of_the_api(reviewer_client):
    response = reviewer_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert _api_paths() - set(schema["paths"]) == set()
    assert "/api/v1/questionnaires/{form_id}/versions/{version}/publish/" in schema["paths"]


def test_the_schema_names_token_authentication_and_the_error_shape(reviewer_client):
    schema = reviewer_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert set(schema["components"]["schemas"]["ApiError"]["required"]) == {"code", "detail"}
    areas = schema["paths"]["/api/v1/areas/"]["get"]
    assert areas["responses"]["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiError"
    }


def test_the_schema_is_generated_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)

    assert GENERATOR_STATS._warn_cache == {}
    assert GENERATOR_STATS._error_cache == {}


def test_the_schema_is_for_signed_in_users_only(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code in (401, 403)
    assert set(response.json()) == {"code", "detail"}


def test_fields_sent_wrong_are_answered_with_code_detail_and_field_errors(district_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(district_user)

    english = client.post("/api/v1/questionnaires/", {}, HTTP_ACCEPT_LANGUAGE="en")
    indonesian = client.post("/api/v1/questionnaires/", {}, HTTP_ACCEPT_LANGUAGE="id")

    assert english.status_code == 400
    body = english.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "Some fields are missing or wrong."
    assert list(body["field_errors"]) == ["file"]
    assert indonesian.json()["detail"] != body["detail"]


def test_the_schema_tells_the_review_queues_conflict_and_geojson(reviewer_client):
    paths = reviewer_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    review = paths["/api/v1/submissions/{id}/review/"]["post"]
    assert "409" in review["responses"]
    listing = paths["/api/v1/submissions/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "questionnaire",
        "village",
        "review_state",
        "check",
        "severity",
        "agent",
        "received_after",
        "received_before",
        "q",
        "limit",
        "offset",
    }
    assert "/api/v1/submissions.geojson" in paths
    assert "/api/v1/audit.csv" in paths
