"""Factories for test data: each valid by default; override only what a test is about."""

import io
from collections.abc import Sequence

import factory
from openpyxl import Workbook

from accounts.models import RoleAssignment, User
from accounts.staff import assign_role
from areas.models import Area


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    password = factory.django.Password("pw-test-123")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "reviewer"
    area = factory.LazyFunction(lambda: Area.objects.get(code="35.07.13"))


def make_user(username: str, role: str, area_codes: Sequence[str | None]) -> User:
    user = UserFactory(username=username)
    for code in area_codes:
        assign_role(user=user, role=role, area=Area.objects.get(code=code) if code else None)
    return user


SIMPLE_SURVEY = [
    {
        "type": "text",
        "name": "hh_head_name",
        "label::Indonesian (id)": "Nama kepala",
        "label::English (en)": "Head's name",
        "required": "yes",
    },
    {
        "type": "integer",
        "name": "members",
        "label::Indonesian (id)": "Jumlah anggota",
        "label::English (en)": "Members",
        "constraint": ". > 0 and . < 30",
        "constraint_message::Indonesian (id)": "1 sampai 29",
        "constraint_message::English (en)": "1 to 29",
    },
]


def xlsform_bytes(
    *,
    form_id: str = "test_form",
    version: str = "1",
    title: str = "Test form",
    survey: list[dict[str, str]] | None = None,
    choices: list[dict[str, str]] | None = None,
    settings_extra: dict[str, str] | None = None,
) -> bytes:
    """A real .xlsx XLSForm built in memory."""
    workbook = Workbook()
    sheets: dict[str, list[dict[str, str]]] = {
        "survey": survey if survey is not None else SIMPLE_SURVEY
    }
    if choices:
        sheets["choices"] = choices
    form_settings = {"form_id": form_id, "form_title": title, "default_language": "Indonesian (id)"}
    if version:
        form_settings["version"] = version
    form_settings.update(settings_extra or {})
    sheets["settings"] = [form_settings]
    first = True
    for name, rows in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet()
        first = False
        sheet.title = name
        columns: list[str] = []
        for row in rows:
            columns += [key for key in row if key not in columns]
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column, "") for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
