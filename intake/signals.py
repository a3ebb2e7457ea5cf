"""What intake tells the layers above it, without importing them.

``submissions_processed`` is sent after the commit of a batch whose answers
were derived, with ``submission_ids``. The review queue (a layer above) runs
its checks on them; if the process dies before that, its own sweep finds the
submissions unchecked, so the signal is a shortcut, never the only way.
"""

from django.db import transaction
from django.dispatch import Signal

# Sent with submission_ids: list[int], after the commit that stored their answers.
submissions_processed = Signal()


def send_processed(submission_ids: list[int]) -> None:
    """Tell the receivers, once the current transaction commits (at once outside one)."""
    if not submission_ids:
        return
    ids = list(submission_ids)
    transaction.on_commit(
        lambda: submissions_processed.send_robust(sender=None, submission_ids=ids), robust=True
    )
