"""Gunicorn settings for production: ``gunicorn -c deploy/gunicorn.conf.py srs.wsgi``.

One process per core, four threads each: a thread waiting for the disk (the
photo's fsync, PostgreSQL's commit) leaves the core to another, and phones keep
their connection open between requests (ODK Collect's HTTP client does), so
a submission costs no new connection and no Digest challenge. Measured with
tests/bench/ingest.py on 2 cores against sync workers and other thread counts:
deploy/PERFORMANCE.md. Every value can be overridden with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

bind = os.environ.get("SRS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SRS_WEB_WORKERS", 0)) or multiprocessing.cpu_count()
worker_class = "gthread"
threads = 4
keepalive = 5
# A phone on 2G may take minutes to send a photo: the TLS proxy in front buffers the
# request and hands it over whole, so a thread never waits on a slow phone.
timeout = 60
graceful_timeout = 30
# Recycle workers now and then (memory), not all at once.
max_requests = 20000
max_requests_jitter = 2000
accesslog = None
loglevel = os.environ.get("SRS_LOG_LEVEL", "info").lower()
