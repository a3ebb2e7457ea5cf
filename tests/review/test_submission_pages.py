"""Who sees which submission: by role and by area."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from collector_api.phones import create_access_link
from intake.models import Submission
from intake.processing import process_submission
from review.checking import check_submissions
from review.models import ReviewItem
from tests.collector_api.test_bad_input import _xml
from tests.factories import make_user
from tests.openrosa_fixtures import jpeg


@pytest.fixture
def sent_submission(openrosa_setup) -> Submission:
    """A household just sent from a phone (stored; not yet processed or checked)."""
    link = create_access_link(
        user=openrosa_setup["agent"], label="t", created_by=openrosa_setup["agent"]
    )
    response = _post(link.token)
    assert response.status_code == 201
    return Submission.objects.get()


@pytest.fixture
def submission(sent_submission):
    """The household as the queue knows it: processed and checked, as the worker does after
    the commit. Its ``pk`` is the review item's, the id of the page ``/submissions/<id>/``."""
    process_submission(submission_id=sent_submission.pk)
    check_submissions([sent_submission.pk])
    item = ReviewItem.objects.get(submission=sent_submission)
    return SimpleNamespace(pk=item.pk, instance_id=sent_submission.instance_id)


def _post(token: str):
    return Client().post(
        f"/key/{token}/submission",
        {
            "xml_submission_file": SimpleUploadedFile(
                "submission.xml", _xml(), content_type="text/xml"
            ),
            "house.jpg": SimpleUploadedFile("house.jpg", jpeg(), content_type="image/jpeg"),
        },
    )


def _client_for(username, role, areas):
    client = Client()
    client.force_login(make_user(username, role, areas))
    return client


def test_the_kepanjen_reviewer_sees_it_with_its_photo(submission):
    client = _client_for("rev_kepanjen", "reviewer", ["35.07.13"])
    listing = client.get("/submissions/")
    assert submission.instance_id not in listing.content.decode()  # the list shows times, not ids
    assert f"/submissions/{submission.pk}/" in listing.content.decode()
    detail = client.get(f"/submissions/{submission.pk}/")
    assert detail.status_code == 200
    assert "Talangagung" in detail.content.decode()
    photo = client.get(f"/submissions/{submission.pk}/files/house.jpg")
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == jpeg()


def test_the_pagelaran_reviewer_does_not(submission):
    client = _client_for("rev_pagelaran", "reviewer", ["35.07.33"])
    assert f"/submissions/{submission.pk}/" not in client.get("/submissions/").content.decode()
    assert client.get(f"/submissions/{submission.pk}/").status_code == 404
    assert client.get(f"/submissions/{submission.pk}/files/house.jpg").status_code == 404


def test_the_provincial_monitor_sees_counts_only_not_the_household(submission):
    client = _client_for("mon", "monitor", ["35"])
    assert client.get(f"/submissions/{submission.pk}/").status_code == 404
    assert client.get(f"/submissions/{submission.pk}/files/house.jpg").status_code == 404
