"""Whether one questionnaire version reaches a field agent, asked on every submission.

``questionnaires_for_collector`` answers in SQL which questionnaires a person
gets on her phone (the form list). A submission asks the same of one form, and
hundreds of times a minute, so it is answered here in two cheap steps:

- the published version's facts never change once published, so each server
  process remembers them (``find_published_version``);
- the questionnaire's status and deployments may change at any moment, so they
  are read on every request, in one query (``read_reach``), and the deployment
  rule is applied in Python (``QuestionnaireReach.reaches``), the same rule as
  the SQL: a deployment reaches her when its area contains one of her areas or
  lies inside one of them.
"""

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from django.db import connection

from accounts.access import Scope
from forms.models import Deployment, FormVersion, Questionnaire

_REMEMBERED_VERSIONS = 512


@dataclass(frozen=True)
class PublishedVersion:
    """What accepting a submission needs of a published version (which never changes)."""

    pk: int
    questionnaire_id: int
    # Paths of file questions and their media types, and the village question's path.
    binary_fields: dict[str, str]
    area_field: str


@dataclass(frozen=True)
class QuestionnaireReach:
    title: str
    is_active: bool
    deployed_to: tuple[str, ...]  # area codes

    def reaches(self, scope: Scope) -> bool:
        """Is the questionnaire active and deployed where ``scope`` (her collect scope) is?"""
        return self.is_active and any(scope.overlaps(code) for code in self.deployed_to)


_published: OrderedDict[tuple[str, str], PublishedVersion] = OrderedDict()
_published_lock = Lock()


def find_published_version(form_id: str, version: str) -> PublishedVersion | None:
    """The published version ``version`` of the questionnaire ``form_id``, or None."""
    key = (form_id, version)
    with _published_lock:
        found = _published.get(key)
        if found is not None:
            _published.move_to_end(key)
            return found
    row = (
        FormVersion.objects.filter(
            questionnaire__form_id=form_id, version=version, status=FormVersion.Status.PUBLISHED
        )
        .values_list("pk", "questionnaire_id", "binary_fields", "area_field")
        .first()
    )
    if row is None:
        return None  # not remembered: it may be published a moment from now
    found = PublishedVersion(
        pk=row[0],
        questionnaire_id=row[1],
        binary_fields=dict(row[2]),
        area_field=row[3],
    )
    with _published_lock:
        _published[key] = found
        while len(_published) > _REMEMBERED_VERSIONS:
            _published.popitem(last=False)
    return found


def forget_published_versions() -> None:
    """Drop what this process remembers (tests, where ids repeat between databases)."""
    with _published_lock:
        _published.clear()


def read_reach(questionnaire_id: int) -> QuestionnaireReach:
    """The questionnaire's title, status and deployment areas as they are now (one query)."""
    questionnaires = Questionnaire._meta.db_table
    deployments = Deployment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.title, q.status, d.area_id FROM {questionnaires} q "  # noqa: S608
            f"LEFT JOIN {deployments} d ON d.questionnaire_id = q.id WHERE q.id = %s",
            [questionnaire_id],
        )
        rows = cursor.fetchall()
    if not rows:
        return QuestionnaireReach(title="", is_active=False, deployed_to=())
    return QuestionnaireReach(
        title=rows[0][0],
        is_active=rows[0][1] == Questionnaire.Status.ACTIVE,
        deployed_to=tuple(row[2] for row in rows if row[2] is not None),
    )
