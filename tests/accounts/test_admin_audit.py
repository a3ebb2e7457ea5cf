"""Changes made to accounts through the admin leave their audit records (never a password)."""

from accounts.models import User
from audit.models import AuditRecord


def _records(user: User) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(object_type="accounts.user", object_id=str(user.pk)).order_by(
            "id"
        )
    )


def _change_form(user: User, **overrides: str) -> dict[str, str]:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone_number": user.phone_number or "",
        "preferred_language": user.preferred_language or "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "08:00:00",
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_deactivating_a_user_in_the_admin_is_recorded(admin_client, admin_user, agent_user):
    first_name = agent_user.first_name
    url = f"/admin/accounts/user/{agent_user.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    prefix = next(
        (f.prefix for f in page.context["inline_admin_formsets"][0].formset.forms[:1]), "roles"
    ).rsplit("-", 1)[0]
    form = _change_form(agent_user, first_name="Sri Wahyuni")
    form.pop("is_active")  # an unchecked box: deactivated
    form = {k.replace("role_assignments-", f"{prefix}-", 1): v for k, v in form.items()}
    form[f"{prefix}-INITIAL_FORMS"] = str(agent_user.role_assignments.count())
    form[f"{prefix}-TOTAL_FORMS"] = form[f"{prefix}-INITIAL_FORMS"]
    for index, assignment in enumerate(agent_user.role_assignments.all()):
        form[f"{prefix}-{index}-id"] = str(assignment.pk)
        form[f"{prefix}-{index}-user"] = str(agent_user.pk)
        form[f"{prefix}-{index}-role"] = assignment.role
        form[f"{prefix}-{index}-area"] = assignment.area_id
    answer = admin_client.post(url, form)
    assert answer.status_code == 302, answer.context and answer.context["errors"]
    agent_user.refresh_from_db()
    assert not agent_user.is_active

    records = _records(agent_user)
    assert [r.action for r in records] == ["accounts.user_deactivated"]
    assert records[0].actor_username == admin_user.username
    assert records[0].before == {"first_name": first_name, "is_active": "True"}
    assert records[0].after == {"first_name": "Sri Wahyuni", "is_active": "False"}
    assert records[0].source.startswith("admin POST /admin/accounts/user/")


def test_a_password_set_in_the_admin_is_recorded_without_it(admin_client, agent_user):
    answer = admin_client.post(
        f"/admin/accounts/user/{agent_user.pk}/password/",
        {
            "password1": "Kepanjen-baru-2026",
            "password2": "Kepanjen-baru-2026",
            "set_usable_password": "true",
        },
    )
    assert answer.status_code == 302
    agent_user.refresh_from_db()
    assert agent_user.check_password("Kepanjen-baru-2026")

    records = _records(agent_user)
    assert [r.action for r in records] == ["accounts.password_set"]
    assert records[0].after == {"password": "set"}
    everything = str([(r.before, r.after, r.object_label) for r in records])
    assert "Kepanjen-baru-2026" not in everything
    assert agent_user.password not in everything


def test_a_user_added_in_the_admin_is_recorded(admin_client):
    answer = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "bidan_sri",
            "password1": "Bidan-Sri-2026!",
            "password2": "Bidan-Sri-2026!",
            "usable_password": "true",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "0",
            "role_assignments-MAX_NUM_FORMS": "1000",
        },
    )
    assert answer.status_code == 302, answer.context and answer.context["errors"]
    user = User.objects.get(username="bidan_sri")
    assert [r.action for r in _records(user)] == ["accounts.user_created", "accounts.password_set"]
    assert "Bidan-Sri-2026!" not in str([r.after for r in _records(user)])
