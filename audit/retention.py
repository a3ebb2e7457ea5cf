"""The audit trail's records older than its retention period, deleted.

The trail is only ever added to, except here: ``deploy/DATA-PROTECTION.md``
keeps it for a period the district decides (proposed: 5 years). The deletion
itself is a record of the trail, which the next period will reach in turn.
"""

import logging
from datetime import datetime

from django.db import transaction

from audit.models import AuditRecord
from audit.trail import record_change

logger = logging.getLogger(__name__)


def delete_audit_records(*, before: datetime, batch_size: int = 5000, dry_run: bool = False) -> int:
    """Delete the records made before ``before``, a batch a transaction, and add one
    record saying how many went; ``dry_run`` only counts. Returns how many."""
    old = AuditRecord.objects.filter(at__lt=before)
    if dry_run:
        return old.count()
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(old.order_by("at", "pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            AuditRecord.objects.filter(pk__in=ids).delete()
            deleted += len(ids)
    if deleted:
        with transaction.atomic():
            record_change(
                actor=None,
                action="audit.records_deleted",
                object_type="audit.auditrecord",
                object_id="",
                object_label=str(deleted),
                before={"made_before": before.isoformat()},
                after={"deleted": deleted},
            )
        logger.info("retention deleted audit records count=%s", deleted)
    return deleted
