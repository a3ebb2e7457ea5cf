"""Pages follow the person's choice of language; only ODK Collect's endpoints follow the phone."""

import pytest

ENGLISH_BROWSER = {"accept-language": "en-US,en;q=0.9"}


def test_the_submissions_page_stays_indonesian_for_an_english_browser(reviewer_client):
    response = reviewer_client.get("/submissions/", headers=ENGLISH_BROWSER)
    assert response.status_code == 200
    assert response["Content-Language"] == "id"
    assert "Kiriman" in response.content.decode()


def test_the_submissions_page_turns_english_when_the_person_chooses_english(reviewer_client):
    reviewer_client.cookies["django_language"] = "en"
    response = reviewer_client.get("/submissions/", headers={"accept-language": "id"})
    assert response["Content-Language"] == "en"
    assert "Submissions" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/formList", "/submission", "/key/not-a-token/formList", "/forms/ppls/1/form.xml"]
)
@pytest.mark.parametrize("language", ["en", "id"])
def test_the_openrosa_endpoints_follow_the_phone_language(client, path, language):
    response = client.get(path, headers={"accept-language": language})
    assert response["Content-Language"] == language


def _example_paths(patterns, prefix=""):
    """One concrete path for every URL pattern below ``patterns`` (converters filled in)."""
    from django.urls import URLPattern, URLResolver

    samples = {"fid": "ppls_household", "ver": "2026120101", "str": "x", "slug": "x", "int": "1"}
    for entry in patterns:
        route = str(entry.pattern)
        for name, sample in samples.items():
            while f"<{name}:" in route:
                start = route.index(f"<{name}:")
                route = route[:start] + sample + route[route.index(">", start) + 1 :]
        if isinstance(entry, URLResolver):
            yield from _example_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


def test_every_url_of_collector_api_is_an_openrosa_path_and_no_page_is():
    from django.urls import get_resolver

    from collector_api import urls as openrosa_urls
    from portal.middleware import is_openrosa_path

    openrosa = list(_example_paths(openrosa_urls.urlpatterns))
    assert len(openrosa) >= 15  # site root, access links, draft test links
    assert all(is_openrosa_path(path) for path in openrosa), openrosa
    pages = [path for path in _example_paths(get_resolver().url_patterns) if path not in openrosa]
    assert "/submissions/" in pages
    assert not [path for path in pages if is_openrosa_path(path)]
