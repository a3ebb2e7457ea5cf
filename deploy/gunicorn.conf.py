"""Gunicorn settings for production: ``gunicorn -c deploy/gunicorn.conf.py srs.wsgi``.

Each worker spends about half of a submission waiting for the disk (the photo's
fsync, PostgreSQL's commit), so there are more workers than cores: measured
with tests/bench/ingest.py on 2 cores, see deploy/PERFORMANCE.md.
Every value can be overridden from the environment (GUNICORN_CMD_ARGS).
"""

import multiprocessing
import os

bind = os.environ.get("SRS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SRS_WEB_WORKERS", 0)) or 3 * multiprocessing.cpu_count()
worker_class = "sync"
# A phone on 2G may take minutes to send a photo: the TLS proxy in front buffers the
# request and hands it over whole, so a worker never waits on a slow phone.
timeout = 60
graceful_timeout = 30
# Recycle workers now and then (memory), not all at once.
max_requests = 20000
max_requests_jitter = 2000
accesslog = None
loglevel = os.environ.get("SRS_LOG_LEVEL", "info").lower()
