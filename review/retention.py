"""The retention periods applied: what they reach is erased or deleted, daily.

The periods are settings (``SRS_RETENTION_*_DAYS``; 0 keeps for ever), proposed
in ``deploy/DATA-PROTECTION.md`` and decided by the district:

- a **rejected** submission (its whole edit chain): its XML, answers, files,
  the queue's copies of its names, NIKs and GPS point, its findings and the
  reviewers' corrections and comments are erased ``REJECTED`` days after the
  rejection;
- an **approved** one likewise after ``DECIDED`` days (the registry keeps the
  values it merged, with their provenance, and the house photo it shows);
- the **documents** of an approved registration or needs assessment (a KTP or
  KK card photographed) go after ``DOCUMENTS`` days;
- the **registry**'s households and people ``REGISTRY`` days after their last
  change (``registry.retention``);
- the **audit trail**'s records after ``AUDIT`` days (``audit.retention``);
- a **staff account** deactivated ``ACCOUNTS`` days ago loses its name, e-mail
  and phone (``accounts.retention``).

Submissions still in the queue (received, with issues, edited) are work to do
and are kept. Each step runs a batch a transaction, each batch with its audit
record, so a run stopped half-way is finished by the next one; a run again
changes nothing more.
"""

import functools
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.retention import erase_departed_staff
from audit.retention import delete_audit_records
from audit.trail import record_change
from forms.models import FormVersion
from intake.erasure import delete_attachments, earlier_versions_of, erase_submissions
from intake.models import Attachment
from registry.models import Household
from registry.records import RecordKind, kind_of
from registry.retention import delete_expired_registry
from review.models import AnswerVersion, Decision, Finding, PersonKey, PhotoHash, ReviewItem
from review.queue_totals import queue_changed

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
State = ReviewItem.State


@dataclass(frozen=True)
class RetentionPeriods:
    """Days each kind of data is kept; 0: for ever."""

    rejected: int
    decided: int
    documents: int
    registry: int
    audit: int
    accounts: int

    @classmethod
    def from_settings(cls) -> "RetentionPeriods":
        return cls(
            rejected=settings.SRS_RETENTION_REJECTED_DAYS,
            decided=settings.SRS_RETENTION_DECIDED_DAYS,
            documents=settings.SRS_RETENTION_DOCUMENTS_DAYS,
            registry=settings.SRS_RETENTION_REGISTRY_DAYS,
            audit=settings.SRS_RETENTION_AUDIT_DAYS,
            accounts=settings.SRS_RETENTION_ACCOUNTS_DAYS,
        )


@dataclass
class RetentionReport:
    dry_run: bool = False
    submissions_erased: int = 0
    files_deleted: int = 0
    households_deleted: int = 0
    people_deleted: int = 0
    families_deleted: int = 0
    audit_records_deleted: int = 0
    accounts_erased: int = 0
    cutoffs: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _item_batches(items: QuerySet[ReviewItem], batch_size: int) -> Iterator[list[ReviewItem]]:
    after = 0
    while True:
        batch = list(
            items.filter(pk__gt=after)
            .order_by("pk")
            .only("pk", "submission_id", "area_id", "kecamatan_code", "form_version_id")[
                :batch_size
            ]
        )
        if not batch:
            return
        yield batch
        after = batch[-1].pk


def _decided(state: str, before: datetime) -> QuerySet[ReviewItem]:
    return ReviewItem.objects.filter(
        state=state, decided_at__lt=before, submission__erased_at__isnull=True
    )


def _kept_photos(submission_ids: set[int]) -> set[int]:
    """The files of these submissions the registry still shows (its own period holds them)."""
    return set(
        Household.objects.filter(photo__submission_id__in=submission_ids).values_list(
            "photo_id", flat=True
        )
    ) - {None}


@transaction.atomic
def erase_decided_items(*, item_ids: list[int], state: str, at: datetime) -> tuple[int, int]:
    """Erase these decided items' submissions (every version of each chain) and what the
    queue holds of them; one audit record. Returns (submissions, files)."""
    items = list(
        ReviewItem.objects.select_for_update()
        .filter(pk__in=item_ids, state=state)
        .only("pk", "submission_id", "area_id", "kecamatan_code")
    )
    if not items:
        return 0, 0
    ids = [item.pk for item in items]
    chains = earlier_versions_of(item.submission_id for item in items)
    erased, files = erase_submissions(
        submission_ids=chains, keep_attachment_ids=_kept_photos(chains), at=at
    )
    ReviewItem.objects.filter(pk__in=ids).update(
        head_name="",
        head_name_key="",
        head_nik="",
        kk_number="",
        location=None,
        location_accuracy_m=None,
        comment="",
        findings_count=0,
    )
    Finding.objects.filter(item_id__in=ids).delete()
    PersonKey.objects.filter(item_id__in=ids).delete()
    PhotoHash.objects.filter(item_id__in=ids).delete()
    AnswerVersion.objects.filter(item_id__in=ids).update(answers={}, changes=[], reason="")
    Decision.objects.filter(item_id__in=ids).update(comment="")
    record_change(
        actor=None,
        action="review.items_erased",
        object_type="review.reviewitem",
        object_id=f"{ids[0]}-{ids[-1]}",
        object_label=str(len(ids)),
        before={"items": ids, "state": state},
        after={"submissions_erased": erased, "files_deleted": files},
    )
    for area in {item.area_id or item.kecamatan_code for item in items}:
        transaction.on_commit(functools.partial(queue_changed, area))
    return erased, files


@transaction.atomic
def delete_documents(*, item_ids: list[int], at: datetime) -> int:
    """Delete the files of these approved registrations and assessments (their answers
    stay until their own period); one audit record. Returns how many files."""
    items = list(
        ReviewItem.objects.select_for_update()
        .filter(pk__in=item_ids, state=State.APPROVED)
        .only("pk", "submission_id")
    )
    chains = earlier_versions_of(item.submission_id for item in items)
    files = set(
        Attachment.objects.filter(submission_id__in=chains).values_list("pk", flat=True)
    ) - _kept_photos(chains)
    if not files:
        return 0
    deleted = delete_attachments(attachment_ids=files)
    ids = [item.pk for item in items]
    PhotoHash.objects.filter(item_id__in=ids).delete()
    record_change(
        actor=None,
        action="review.documents_deleted",
        object_type="review.reviewitem",
        object_id=f"{ids[0]}-{ids[-1]}",
        object_label=str(len(ids)),
        before={"items": ids},
        after={"files_deleted": deleted, "at": at.isoformat()},
    )
    return deleted


_DOCUMENT_KINDS = frozenset({RecordKind.REGISTRATION, RecordKind.ASSESSMENT})


def _with_documents(items: list[ReviewItem], kinds: dict[int, RecordKind]) -> list[int]:
    """The items of a registration or an assessment (``kinds``: by form version, filled)."""
    out = []
    for item in items:
        if item.form_version_id not in kinds:
            kinds[item.form_version_id] = kind_of(FormVersion.objects.get(pk=item.form_version_id))
        if kinds[item.form_version_id] in _DOCUMENT_KINDS:
            out.append(item.pk)
    return out


def apply_retention(
    *,
    now: datetime | None = None,
    periods: RetentionPeriods | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> RetentionReport:
    """Apply every retention period (see the module's docstring); ``dry_run`` counts what
    would go and changes nothing. Safe to stop and to run again."""
    now = now or timezone.now()
    periods = periods or RetentionPeriods.from_settings()
    report = RetentionReport(dry_run=dry_run)

    def cutoff(name: str, days: int) -> datetime | None:
        if days <= 0:
            return None
        at = now - timedelta(days=days)
        report.cutoffs[name] = at.isoformat()
        return at

    for name, state, days in (
        ("rejected", State.REJECTED, periods.rejected),
        ("decided", State.APPROVED, periods.decided),
    ):
        before = cutoff(name, days)
        if before is None:
            continue
        for batch in _item_batches(_decided(state, before), batch_size):
            if dry_run:
                chains = earlier_versions_of(item.submission_id for item in batch)
                report.submissions_erased += len(chains)
                continue
            erased, files = erase_decided_items(
                item_ids=[item.pk for item in batch], state=state, at=now
            )
            report.submissions_erased += erased
            report.files_deleted += files
    before = cutoff("documents", periods.documents)
    if before is not None:
        with_files = _decided(State.APPROVED, before).filter(
            Exists(Attachment.objects.filter(submission_id=OuterRef("submission_id")))
        )
        kinds: dict[int, RecordKind] = {}
        for batch in _item_batches(with_files, batch_size):
            ids = _with_documents(batch, kinds)
            if not ids:
                continue
            if dry_run:
                report.files_deleted += Attachment.objects.filter(
                    submission_id__in=[i.submission_id for i in batch if i.pk in ids]
                ).count()
                continue
            report.files_deleted += delete_documents(item_ids=ids, at=now)
    before = cutoff("registry", periods.registry)
    if before is not None:
        deleted = delete_expired_registry(before=before, batch_size=batch_size, dry_run=dry_run)
        report.households_deleted = deleted.households
        report.people_deleted = deleted.people
        report.families_deleted = deleted.families
        report.files_deleted += deleted.photos
    before = cutoff("accounts", periods.accounts)
    if before is not None:
        report.accounts_erased = erase_departed_staff(before=before, dry_run=dry_run)
    # The trail last: this run's own records are new and stay.
    before = cutoff("audit", periods.audit)
    if before is not None:
        report.audit_records_deleted = delete_audit_records(
            before=before, batch_size=5000, dry_run=dry_run
        )
    logger.info("retention applied %s", report.as_dict())
    return report
