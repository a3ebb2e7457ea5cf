"""The demo: a user of every role, the four questionnaires published, and idempotent."""

import pytest

from accounts.access import Action, can
from accounts.models import RoleAssignment, User, digest_ha1
from areas.models import Area
from forms.demo import seed_demo
from forms.models import FormVersion, Questionnaire
from forms.queries import questionnaires_for_collector


@pytest.mark.django_db
def test_the_demo_installs_everything_once():
    first = seed_demo()
    assert sorted(first.users_created) == sorted(
        ["agent", "reviewer", "reviewer2", "coordinator", "district", "monitor", "auditor", "admin"]
    )
    assert len(first.questionnaires_created) == 4
    counts = (
        User.objects.count(),
        RoleAssignment.objects.count(),
        Area.objects.count(),
        FormVersion.objects.count(),
    )
    again = seed_demo()
    assert again.users_created == [] and again.questionnaires_created == []
    assert counts == (
        User.objects.count(),
        RoleAssignment.objects.count(),
        Area.objects.count(),
        FormVersion.objects.count(),
    )

    agent = User.objects.get(username="agent")
    assert agent.check_password("demo") and agent.digest_ha1 == digest_ha1("agent", "demo")
    assert sorted(q.form_id for q in questionnaires_for_collector(agent)) == [
        "complaint",
        "near_poor_assessment",
        "ppls_household",
        "programme_registration",
    ]
    assert can(User.objects.get(username="reviewer"), Action.REVIEW, "35.07.13")
    assert not can(User.objects.get(username="reviewer"), Action.VIEW, "35.07.33.2001")
    assert can(User.objects.get(username="reviewer2"), Action.REVIEW, "35.07.33")
    assert can(User.objects.get(username="district"), Action.MANAGE_FORMS, "35.07")
    assert can(User.objects.get(username="monitor"), Action.VIEW_REPORTS, "35.07")
    assert not can(User.objects.get(username="monitor"), Action.REVIEW, "35.07.13")
    assert User.objects.get(username="admin").is_superuser
    assert Questionnaire.objects.filter(status="active").count() == 4
