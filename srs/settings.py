"""The one settings module.

With no environment at all this is the embedded default: a SpatiaLite file and
media on disk under ``var/``, tasks run in process, a secret key generated once
into ``var/secret_key``. ``SRS_DEPLOYMENT=production`` reads everything from the
environment and refuses to start with DEBUG on or without a real secret key.
deploy/ENVIRONMENT.md documents every variable.
"""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from srs.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SRS_VAR_DIR") or BASE_DIR / "var")

DEPLOYMENT = env_str("SRS_DEPLOYMENT", "embedded")
if DEPLOYMENT not in {"embedded", "production"}:
    raise ImproperlyConfigured("SRS_DEPLOYMENT must be 'embedded' or 'production'.")
IS_PRODUCTION = DEPLOYMENT == "production"

DEBUG = env_bool("SRS_DEBUG", False)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SRS_DEBUG must be off in production.")

_INSECURE_KEY_PREFIX = "django-insecure"


def _embedded_secret_key() -> str:
    """A random key made once per installation and kept in var/secret_key."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if IS_PRODUCTION:
    SECRET_KEY = env_required("SRS_SECRET_KEY")
    # Django's own rule (check --deploy, security.W009): 50 characters, 5 different ones.
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith(_INSECURE_KEY_PREFIX)
    ):
        raise ImproperlyConfigured(
            "SRS_SECRET_KEY must be a random value of at least 50 characters."
        )
    ALLOWED_HOSTS = env_list("SRS_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("SRS_ALLOWED_HOSTS is required in production.")
else:
    SECRET_KEY = env_str("SRS_SECRET_KEY") or _embedded_secret_key()
    ALLOWED_HOSTS = env_list("SRS_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

CSRF_TRUSTED_ORIGINS = env_list("SRS_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    # Bottom to top, as the layers of the README's Architecture section.
    "audit",
    "areas",
    "accounts",
    "media",
    "forms",
    "intake",
    "registry",
    "duplicates",
    "imports",
    "review",
    "collector_api",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SrsLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.audit_source.AuditSourceMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A DomainError escaping a web view becomes its error page (portal/error_pages.py).
    "portal.error_pages.DomainErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "srs.urls"
WSGI_APPLICATION = "srs.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# Databases: DATABASE_URL (postgis://user@host:5432/name) or the embedded SpatiaLite file.
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    if DATABASES["default"]["ENGINE"].endswith("postgis"):
        # Parameters sent apart from the SQL, and statements a connection runs often
        # prepared once: PostgreSQL then parses and plans the submission path's queries
        # once, not on every POST. Off behind PgBouncer in transaction pooling mode.
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env_bool(
            "SRS_DB_SERVER_SIDE_BINDING", True
        )
elif IS_PRODUCTION:
    raise ImproperlyConfigured("DATABASE_URL is required in production.")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.spatialite",
            "NAME": str(VAR_DIR / "srs.sqlite3"),
            # IMMEDIATE: a transaction takes the write lock when it begins, so two writers
            # wait for each other instead of one failing with "database is locked" when it
            # upgrades a read lock (what gunicorn's several processes would otherwise hit).
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
            # In memory unless SRS_TEST_DB names a file; said outright, so that pytest-xdist
            # (which does not know the SpatiaLite engine as SQLite) leaves it alone per worker.
            "TEST": {"NAME": env_str("SRS_TEST_DB") or ":memory:"},
        }
    }
SPATIALITE_LIBRARY_PATH = "mod_spatialite"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language: Indonesian by default, English on request.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Whitenoise serves what collectstatic gathered into STATIC_ROOT, with a gzip copy of each
# text file (make demo and make serve collect them). With SRS_DEBUG it reads the source
# folders instead, so that a changed stylesheet shows at once (uncompressed).
WHITENOISE_USE_FINDERS = DEBUG
if not IS_PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Media: S3-compatible object storage in production when a bucket is given, else disk.
MEDIA_ROOT = Path(env_str("SRS_MEDIA_ROOT") or VAR_DIR / "media")
_s3_bucket = env_str("SRS_S3_BUCKET")
if _s3_bucket:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3_bucket,
            "endpoint_url": env_str("SRS_S3_ENDPOINT_URL"),
            "region_name": env_str("SRS_S3_REGION"),
            "access_key": env_str("SRS_S3_ACCESS_KEY_ID"),
            "secret_key": env_str("SRS_S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": "/media-files/"},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}

# Redis: cache and Celery broker. Without it the cache is local and tasks run in process.
REDIS_URL = env_str("REDIS_URL")
if IS_PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL is required in production.")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions read from Redis (written through to the database): one query less a page.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# In process (embedded), a failing task must not fail the request that queued it after
# its commit: tasks record their own failures on the objects they work on.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Stored submissions are processed by a sweep that Celery beat starts every few seconds
# (run the worker with -B, or one `celery beat` beside the workers): the phone's request
# sends no message (intake/processing.py). A sweep that waited longer than its interval
# is dropped: the next one does the same work.
SRS_PROCESS_SWEEP_SECONDS = env_int("SRS_PROCESS_SWEEP_SECONDS", 2)
SRS_REVIEW_SWEEP_SECONDS = env_int("SRS_REVIEW_SWEEP_SECONDS", 30)
CELERY_BEAT_SCHEDULE = {
    "process-awaiting-submissions": {
        "task": "intake.tasks.process_awaiting_submissions",
        "schedule": float(SRS_PROCESS_SWEEP_SECONDS),
        "options": {"expires": float(SRS_PROCESS_SWEEP_SECONDS)},
    },
    # The review queue checks what intake processed right after it (review/signals.py);
    # these sweeps find what a worker that died in between left unchecked, and the items
    # that older checks checked (review/checking.py).
    "check-unchecked-submissions": {
        "task": "review.tasks.check_unchecked_submissions",
        "schedule": float(SRS_REVIEW_SWEEP_SECONDS),
        "options": {"expires": float(SRS_REVIEW_SWEEP_SECONDS)},
    },
    "check-all-unchecked-submissions": {
        "task": "review.tasks.check_all_unchecked_submissions",
        "schedule": 3600.0,
        "options": {"expires": 3600.0},
    },
}
# An "approve all" of more items than this merges them into the registry after its commit,
# in the worker (each merge takes tens of milliseconds), not in the request.
SRS_APPROVE_ALL_MERGE_IN_REQUEST = env_int("SRS_APPROVE_ALL_MERGE_IN_REQUEST", 25)
# The retention periods (deploy/DATA-PROTECTION.md: the district decides them), in days;
# 0 keeps for ever. Applied daily by review.tasks.apply_retention.
SRS_RETENTION_REJECTED_DAYS = env_int("SRS_RETENTION_REJECTED_DAYS", 183)
SRS_RETENTION_DECIDED_DAYS = env_int("SRS_RETENTION_DECIDED_DAYS", 730)
SRS_RETENTION_DOCUMENTS_DAYS = env_int("SRS_RETENTION_DOCUMENTS_DAYS", 365)
SRS_RETENTION_REGISTRY_DAYS = env_int("SRS_RETENTION_REGISTRY_DAYS", 1826)
SRS_RETENTION_AUDIT_DAYS = env_int("SRS_RETENTION_AUDIT_DAYS", 1826)
SRS_RETENTION_ACCOUNTS_DAYS = env_int("SRS_RETENTION_ACCOUNTS_DAYS", 365)
CELERY_BEAT_SCHEDULE["apply-retention"] = {
    "task": "review.tasks.apply_retention",
    "schedule": 86400.0,
    "options": {"expires": 86400.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# While more than this many submissions arrived in the last second, the sweep waits (but
# never lets one wait longer than the delay): phones first, thumbnails and answers after.
SRS_PROCESS_YIELD_ARRIVALS = env_int("SRS_PROCESS_YIELD_ARRIVALS", 20)
SRS_PROCESS_MAX_DELAY_SECONDS = env_int("SRS_PROCESS_MAX_DELAY_SECONDS", 120)
# The worker runs on the CPU time the web processes leave (Linux SCHED_IDLE, srs/celery.py).
SRS_WORKER_IDLE_PRIORITY = env_bool("SRS_WORKER_IDLE_PRIORITY", True)
# Without a worker (the embedded default) the request that completes a submission
# processes it in process, after its commit.
SRS_PROCESS_IN_REQUEST = CELERY_TASK_ALWAYS_EAGER

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "portal.api_errors.domain_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "portal.api_schema.ApiSchema",
}

# The OpenAPI schema of /api/v1/ (drf-spectacular), served at /api/v1/schema/.
SPECTACULAR_SETTINGS = {
    "TITLE": "SRS MIS API",
    "DESCRIPTION": (
        "Questionnaires, areas, the review queue and the audit trail of the Single Referral "
        "System. Authenticate with `Authorization: Token <key>` (POST /api/v1/auth/token/) "
        'or a signed-in session. Errors are `{"code", "detail"}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Questionnaire uploads: an .xlsx larger than this is refused before it is opened.
SRS_XLSFORM_MAX_BYTES = env_int("SRS_XLSFORM_MAX_BYTES", 10 * 1024 * 1024)
# Checked before pyxform reads a workbook (forms.workbook_limits): the size it unpacks to,
# and the rows and filled cells of each sheet pyxform reads. Measured on 2 cores: 2,000
# survey rows compile and validate in about 4 s; openpyxl reads 100,000 cells a second.
SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES = env_int("SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024)
SRS_XLSFORM_MAX_ROWS = env_int("SRS_XLSFORM_MAX_ROWS", 2000)
SRS_XLSFORM_MAX_CELLS = env_int("SRS_XLSFORM_MAX_CELLS", 100_000)
if min(SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES, SRS_XLSFORM_MAX_ROWS, SRS_XLSFORM_MAX_CELLS) < 1:
    raise ImproperlyConfigured(
        "SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES, SRS_XLSFORM_MAX_ROWS and SRS_XLSFORM_MAX_CELLS "
        "must each be at least 1."
    )
SRS_FORM_MEDIA_MAX_BYTES = env_int("SRS_FORM_MEDIA_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The most a phone may send in one submission POST (X-OpenRosa-Accept-Content-Length);
# Collect splits larger submissions into several POSTs.
SRS_SUBMISSION_MAX_BYTES = env_int("SRS_SUBMISSION_MAX_BYTES", 10 * 1024 * 1024)
# A single attachment larger than that still comes alone in one POST; beyond this the
# request is refused with 413 before it is read.
SRS_SUBMISSION_REQUEST_MAX_BYTES = env_int("SRS_SUBMISSION_REQUEST_MAX_BYTES", 64 * 1024 * 1024)
# The most pixels a photo may have, read from its header before anything is decoded (and
# Pillow's own guard). Phones take 12 MP by default and 48-50 MP (8160x6120) in full-
# resolution mode, so 50 MP takes every usual photo; 108 and 200 MP modes are refused with a
# message to take the photo again smaller. A 50 MP JPEG's thumbnail decodes at 1/8 (a few MB).
SRS_PHOTO_MAX_PIXELS = env_int("SRS_PHOTO_MAX_PIXELS", 50_000_000)
if SRS_PHOTO_MAX_PIXELS < 1_000_000:
    raise ImproperlyConfigured("SRS_PHOTO_MAX_PIXELS must be at least 1000000 (1 MP).")
# The realm of HTTP Digest for ODK Collect; changing it invalidates every stored digest.
SRS_DIGEST_REALM = env_str("SRS_DIGEST_REALM", "SRS") or "SRS"
# ODK Validate (Java) checks every XForm's expressions at upload; off only where no Java exists.
SRS_ODK_VALIDATE = env_bool("SRS_ODK_VALIDATE", True)

# Signing in. Failed sign-ins are counted per account and per client address over
# every path (web login, API token, Digest, Basic, access links); at the limit the
# account or address is refused until the lockout ends (accounts/lockout.py).
SRS_SIGN_IN_ACCOUNT_FAILURES = env_int("SRS_SIGN_IN_ACCOUNT_FAILURES", 10)
SRS_SIGN_IN_ADDRESS_FAILURES = env_int("SRS_SIGN_IN_ADDRESS_FAILURES", 100)
SRS_SIGN_IN_FAILURE_WINDOW_SECONDS = env_int("SRS_SIGN_IN_FAILURE_WINDOW_SECONDS", 900)
SRS_SIGN_IN_LOCKOUT_SECONDS = env_int("SRS_SIGN_IN_LOCKOUT_SECONDS", 900)
# The client address is REMOTE_ADDR, or the address this many proxies back in
# X-Forwarded-For (each proxy appends the address it saw). Production sits behind one.
SRS_TRUSTED_PROXY_COUNT = env_int("SRS_TRUSTED_PROXY_COUNT", 1 if IS_PRODUCTION else 0)
# A Digest nonce is good this long; Collect then retries with the fresh one (stale=true).
SRS_DIGEST_NONCE_SECONDS = env_int("SRS_DIGEST_NONCE_SECONDS", 900)
# A Basic password that passed the full hash is remembered this long, in process memory
# only, as an HMAC bound to the user's password hash (accounts/password_memory.py).
SRS_BASIC_MEMORY_SECONDS = env_int("SRS_BASIC_MEMORY_SECONDS", 300)
# OpenRosa over plain HTTP: refused in production unless explicitly allowed.
SRS_OPENROSA_ALLOW_HTTP = env_bool("SRS_OPENROSA_ALLOW_HTTP", not IS_PRODUCTION)
# API tokens expire, and die at once when the password changes or the user is deactivated.
SRS_API_TOKEN_DAYS = env_int("SRS_API_TOKEN_DAYS", 30)
# The review pages' map: tiles from this URL template (``{z}``, ``{x}``, ``{y}``; ``{s}`` for
# subdomains), credited with the attribution their licence asks for. Empty: the map shows
# the households' points on a plain background and asks no other site for anything.
SRS_MAP_TILE_URL = env_str("SRS_MAP_TILE_URL", "") or ""
SRS_MAP_TILE_ATTRIBUTION = env_str("SRS_MAP_TILE_ATTRIBUTION", "") or ""
if SRS_MAP_TILE_URL and not (
    SRS_MAP_TILE_URL.startswith("https://")
    and all(part in SRS_MAP_TILE_URL for part in ("{z}", "{x}", "{y}"))
):
    raise ImproperlyConfigured("SRS_MAP_TILE_URL must be an https:// URL with {z}, {x} and {y}.")
if SRS_MAP_TILE_URL and not SRS_MAP_TILE_ATTRIBUTION:
    raise ImproperlyConfigured("SRS_MAP_TILE_URL needs SRS_MAP_TILE_ATTRIBUTION (its licence).")
# Content-Security-Policy: map tiles may come from this origin (https://tile.example.org);
# by default the tile URL's own (``{s}.`` becomes ``*.``). Images only.
SRS_MAP_TILE_ORIGIN = env_str("SRS_MAP_TILE_ORIGIN", "") or (
    "/".join(SRS_MAP_TILE_URL.split("/")[:3]).replace("{s}.", "*.") if SRS_MAP_TILE_URL else ""
)

if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("SRS_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SRS_SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # HTTPS only, behind the proxy header. HSTS covers subdomains by default; preload
    # (a promise to browsers that is slow to undo) only when SRS_HSTS_PRELOAD is set.
    SECURE_SSL_REDIRECT = env_bool("SRS_SSL_REDIRECT", True)
    # OpenRosa paths are not redirected: a redirected POST loses its body, and Collect
    # should rather show the refusal that names HTTPS (collector_api/auth.py).
    SECURE_REDIRECT_EXEMPT = [
        r"^(key/[^/]+/)?(formList|submission|forms/)",
    ]
    SECURE_HSTS_SECONDS = env_int("SRS_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SRS_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SRS_HSTS_PRELOAD", False)
    SESSION_COOKIE_HTTPONLY = True

# No media below the static files, nor static files below the media: whitenoise serves
# STATIC_ROOT and STATICFILES_DIRS to anyone, and media are served only by the views that
# check the area (submission files) or the form's deployment.
for _static_dir in [Path(STATIC_ROOT), *map(Path, STATICFILES_DIRS)]:
    _media, _static = MEDIA_ROOT.resolve(), _static_dir.resolve()
    if _media == _static or _static in _media.parents or _media in _static.parents:
        raise ImproperlyConfigured("SRS_MEDIA_ROOT must not overlap the static files folders.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SRS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Debian 12 ships GDAL 3.6, which cannot block file/network access in spatial reference
# strings. We only build SRIDs and points ourselves; no untrusted SRS text reaches GDAL.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
if IS_PRODUCTION and not SECURE_HSTS_PRELOAD:
    # Not preloading HSTS is a deliberate default (deploy/ENVIRONMENT.md), not an oversight.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
