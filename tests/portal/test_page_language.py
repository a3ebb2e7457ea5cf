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
