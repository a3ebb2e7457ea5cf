"""Approved submissions merged into the registry of households, families and people.

``plan_merge`` says what approving a submission would do (reads only: the
review page's side-by-side); ``merge_submission`` does it, in one transaction,
once: ``Source`` is one-to-one with the submission, so a second call (a
replayed task, a second approval) finds the Source the first one made and
writes nothing.

The rules:

- **The household** is the one an earlier approved version of the same edit
  chain (``Submission.supersedes``) merged into; else the household of the
  person with the head's NIK, else of the family with the head's KK, in the
  same village; else a new household in the village of ``place/village``.
  A household is at an address: a head found in another village is a person
  who moved (below), not that household.
- **People** are found by NIK (16 digits with a real date); a member without
  one (an infant) by household, normalised name (``foundation.names``) and
  birth date. Families (KK) are found or created by number; a new family
  belongs to the household it was first surveyed in.
- **Identity values** (NIK, name, sex, birth date, family, the head of a
  household) that disagree with what another source set are never
  overwritten: each is a ``Conflict`` (the held value, its source, the offered
  one) for a reviewer of the village to resolve (``registry.conflicts``).
  A value set by an earlier version of the same chain is overwritten: an edit
  corrects itself. A name spelt another way (the same ``name_key``, or alike
  by ``same_person_name``) is no conflict: the held spelling stays.
- **Circumstantial values** (RT, RW, address, location, photo, housing,
  assets, KKS, programmes, phone, relation and the roster's work and school
  details) follow the latest survey: the PPLS is surveyed again every three
  years and people's circumstances change. A value another chain set from a
  later observation (``Source.observed_at``: when the submission arrived) is
  kept; an older survey approved late does not turn the registry back.
  Questions of a roster row no longer answered (a child out of school age)
  are no longer held.
- **Moves**: a person found in another household closes her open
  ``Residence`` (until the submission's date, ended by this Source) and opens
  one in this household; ``Person.household``, ``village`` and
  ``kecamatan_code`` follow. She stays one row. Her family (KK) follows the
  survey she moves with (a daughter who marries and moves gets a new family
  card): no conflict; the new family belongs to this household when it has
  none. A different KK for someone who stays is a conflict, as above. When she
  headed the household she leaves, it has no head from this merge on (a
  ``head`` change of that household, to none), so that its next survey sets
  its new head without a conflict. A person found by her NIK under a name
  that is not alike (a mistyped NIK would move a stranger) is not moved: a
  ``household`` conflict lets a reviewer move her (the same rules then, but
  her family stays). A person missing from a re-survey of her household is
  not deleted nor moved: she stays as she is, until a survey finds her
  elsewhere.
- **Programmes** the household reports (``programmes``, without ``none``) are
  open ``Participation`` rows; one a newer survey no longer lists ends.
- An approved needs assessment becomes an ``Assessment`` of the person (found
  by NIK, else created in the village without a household); a programme
  registration an ``Application``. A follow-up that picked a household or a
  person from the phone's lists (``registry.phone_lists``; ``forms.roles``'s
  ``household_pick``, ``person_pick``) links to them: the picked person is the
  applicant (answers that disagree with hers are the usual conflicts; a NIK
  another person holds is a conflict too), the picked household is the
  assessment's. A pick is linked only when the id is a household (person) in
  the agent's list and the submission's village (area), and the person is of
  the household picked; else it is not linked (a tampered phone, an id of
  another kecamatan), the person is found by NIK as without a pick, and the
  summary's ``picks`` says why. A follow-up that names nobody (no pick linked,
  no NIK, no name) is refused (``ApplicantUnknown``).
- **Retries**: the plan is made and applied under lock in a savepoint; when
  another merge inserted one of the same rows meanwhile (an IntegrityError),
  or PostgreSQL broke a deadlock or a serialization failure (SQLSTATE 40P01,
  40001) by rolling this one back, it is planned and applied again from the
  savepoint: three attempts in all.

Every value set writes a ``RegistryChange`` (before, after, source, at); the
merge writes one audit record (``registry.merged``) with the counts that
``Source.summary`` keeps too.
"""

import logging
import random
import time
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from accounts.models import User
from audit.trail import record_change
from intake.models import Submission
from registry.merge_apply import PlanApplier
from registry.merge_plan import MergePlan
from registry.models import Source
from registry.planner import compute_plan
from registry.records import kind_of

logger = logging.getLogger(__name__)

__all__ = ["MergePlan", "merge_submission", "plan_merge"]


def plan_merge(*, submission: Submission, answers: dict[str, Any]) -> MergePlan:
    """What approving ``submission`` with ``answers`` would change; writes nothing.

    A submission already merged gives an empty plan whose ``merged_source_id`` is set."""
    merged = Source.objects.filter(submission=submission).values_list("pk", flat=True).first()
    if merged is not None:
        return MergePlan(
            kind=kind_of(submission.form_version),
            record=None,
            village_code=submission.area_id or "",
            observed_at=submission.received_at,
            merged_source_id=merged,
        )
    return compute_plan(submission=submission, answers=answers, lock=False)


def _label(submission: Submission) -> str:
    return f"{submission.questionnaire.form_id}:{submission.instance_id}"[:255]


@transaction.atomic
def merge_submission(
    *, submission: Submission, answers: dict[str, Any], approved_by: User
) -> Source:
    """Merge the approved ``submission`` (its reviewed ``answers``) into the registry.

    Returns its Source; a submission merged before returns the Source of that merge
    and changes nothing. Raises VillageUnknown when a household's village is no known
    area."""
    now = timezone.now()
    try:
        with transaction.atomic():
            source = Source.objects.create(
                kind=Source.Kind.SUBMISSION,
                submission=submission,
                label=_label(submission),
                approved_by=approved_by,
                approved_at=now,
                observed_at=submission.received_at or now,
            )
    except IntegrityError:
        # Merged already (or just now, by another worker: its commit decided).
        return Source.objects.get(submission=submission)
    plan, summary = _plan_and_apply(submission, answers, source)
    source.summary = summary
    source.save(update_fields=["summary"])
    record_change(
        actor=approved_by,
        action="registry.merged",
        obj=source,
        area_code=plan.village_code or None,
        before=None,
        after=summary,
    )
    logger.info(
        "registry merge submission_id=%s source_id=%s household_id=%s",
        submission.pk,
        source.pk,
        summary.get("household_id"),
    )
    return source


ATTEMPTS = 3
# PostgreSQL's SQLSTATEs of a transaction it rolled back so that another could go on.
_RETRYABLE_STATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


def _sqlstate(error: OperationalError) -> str:
    cause = error.__cause__
    return str(getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None) or "")


def _plan_and_apply(
    submission: Submission, answers: dict[str, Any], source: Source
) -> tuple[MergePlan, dict[str, Any]]:
    """Plan under lock and apply, in a savepoint; again from it (three attempts in all)
    when another merge created one of the same rows (a person's NIK, a KK) meanwhile
    (once: its commit decided, and the new plan finds them), or when PostgreSQL rolled
    this one back to break a deadlock or a serialization failure (with a short wait)."""
    raced = False
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                plan = compute_plan(submission=submission, answers=answers, lock=True)
                return plan, PlanApplier(plan, source).apply()
        except IntegrityError:
            if raced or attempt == ATTEMPTS:
                raise
            raced = True
            logger.info("registry merge raced submission_id=%s: planned again", submission.pk)
        except OperationalError as error:
            state = _sqlstate(error)
            if state not in _RETRYABLE_STATES or attempt == ATTEMPTS:
                raise
            logger.warning(
                "registry merge rolled back by the database (sqlstate %s) submission_id=%s "
                "attempt=%s: planned again",
                state,
                submission.pk,
                attempt,
            )
            time.sleep(0.05 * attempt + random.uniform(0, 0.05))  # noqa: S311 (jitter)
    raise AssertionError("unreachable")
