"""The Celery app. With no REDIS_URL (the embedded default) tasks run in process."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srs.settings")

app = Celery("srs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@worker_init.connect
def _yield_the_cpu_to_the_web(**_kwargs: Any) -> None:
    """Run the worker (and the pool it forks) only on CPU time the web processes leave.

    A phone waits for its answer; thumbnails and answers can wait for a quiet
    moment. Under a burst of submissions the queue grows and is worked off
    after it. SRS_WORKER_IDLE_PRIORITY=false keeps the normal priority.
    """
    from django.conf import settings

    if not settings.SRS_WORKER_IDLE_PRIORITY or not hasattr(os, "SCHED_IDLE"):
        return
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except OSError:
        logger.warning("could not lower the worker's CPU priority")
