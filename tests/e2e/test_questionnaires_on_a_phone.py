"""The four demo questionnaires on a phone: list, fetch with media, fill, submit, as Collect does."""

from pathlib import Path

import pytest

from forms.demo import seed_demo
from intake.models import Submission
from tests.odk import Collector

pytestmark = [pytest.mark.odk, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[1] / "data" / "odk"
FORMS = {
    "ppls_household": ["house.jpg"],
    "near_poor_assessment": ["house.jpg"],
    "complaint": ["house.jpg", "signature.png"],
    "programme_registration": ["kk.jpg", "ktp.jpg"],
}


def test_the_demo_agent_fills_and_sends_all_four_questionnaires(live_server, tmp_path):
    seed_demo()
    phone = Collector(server=live_server.url, username="agent", password="demo")
    listed = phone.forms()
    assert listed.returncode == 0, listed.stderr
    assert sorted(form["formID"] for form in listed.json["forms"]) == sorted(FORMS)
    for form_id, files in FORMS.items():
        sent = phone.send(form_id, DATA / f"{form_id}.json")
        assert sent.returncode == 0, sent.stderr
        submission = Submission.objects.get(questionnaire__form_id=form_id)
        assert submission.status == Submission.Status.COMPLETE
        assert submission.area_id == "35.07.13.2011"
        assert sorted(submission.attachments.values_list("filename", flat=True)) == files
    assert Submission.objects.count() == 4

    # Pagelaran's agent-less reviewer sees none of it; Kepanjen's sees all four.
    from django.test import Client

    from accounts.models import User

    kepanjen, pagelaran = Client(), Client()
    kepanjen.force_login(User.objects.get(username="reviewer"))
    pagelaran.force_login(User.objects.get(username="reviewer2"))
    assert kepanjen.get("/submissions/").content.decode().count("/submissions/") >= 4
    from review.models import ReviewItem

    for submission in Submission.objects.all():
        item = ReviewItem.objects.get(submission=submission)  # checked into the queue
        assert kepanjen.get(f"/submissions/{item.pk}/").status_code == 200
        assert pagelaran.get(f"/submissions/{item.pk}/").status_code == 404
