import pytest
from django.test import Client

from areas.area_import import load_areas
from tests.factories import make_user

pytest_plugins = ["tests.openrosa_fixtures"]


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    """Each test starts as a new server process would: nothing remembered from the last."""
    from accounts.password_memory import forget_remembered_passwords
    from areas.area_codes import forget_known_areas
    from collector_api.devices import forget_recorded_devices
    from forms.reach import forget_published_versions
    from intake.answers import forget_form_repeats

    forget_known_areas()
    forget_recorded_devices()
    forget_published_versions()
    forget_form_repeats()
    forget_remembered_passwords()
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):  # a shared Redis is not the process's
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _fast_password_hashes(settings):
    """New passwords are hashed with a fast hasher in tests (PBKDF2's million rounds cost
    about half a second a user, a quarter of the review pages' tests' time); every
    production hasher still reads what a live stack or the demo hashed."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(autouse=True)
def _media_of_its_own(settings, tmp_path):
    """Each test stores files in a folder of its own, never in the demo's ``var/media``."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": "/media-files/"},
        },
    }


def _ensure_malang(django_db_blocker) -> None:
    from areas.area_codes import forget_known_areas
    from areas.models import Area

    with django_db_blocker.unblock():
        if not Area.objects.filter(code="35.07.33.2001").exists():
            load_areas(scope="35.07")
            forget_known_areas()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Kabupaten Malang's areas are loaded once per test session, not once per test.

    Tests in a transaction see them and roll back only their own changes. A
    transactional test (live servers, odk-client) empties every table when it
    ends: ``_malang_loaded`` then loads them again, outside any test transaction.
    """
    _ensure_malang(django_db_blocker)


def _uses_database(request) -> bool:
    return "_django_db_helper" in request.fixturenames or bool(
        request.node.get_closest_marker("django_db")
    )


@pytest.fixture(autouse=True)
def _malang_loaded(request, django_db_blocker):
    # Before the test's database fixtures where the order allows (then it commits), and
    # after a transactional test's flush; a check is one indexed query.
    if _uses_database(request):
        request.getfixturevalue("django_db_setup")
        _ensure_malang(django_db_blocker)
    yield
    if _uses_database(request):
        _ensure_malang(django_db_blocker)


@pytest.fixture
def malang(db):
    """Kabupaten Malang (35.07) with all its kecamatan and villages, from the real data.

    Loaded once for the session (``django_db_setup``); this only asks for the database.
    """


@pytest.fixture
def no_areas(db):
    """An empty area table, for the tests of loading areas (rolled back after the test)."""
    from areas.models import Area, AreaLevel

    for level in (AreaLevel.VILLAGE, AreaLevel.SUBDISTRICT, AreaLevel.REGENCY, AreaLevel.PROVINCE):
        Area.objects.filter(level=level)._raw_delete(Area.objects.db)


@pytest.fixture
def district_user(malang):
    return make_user("district", "district_staff", ["35.07"])


@pytest.fixture
def district_client(district_user) -> Client:
    client = Client()
    client.force_login(district_user)
    return client


@pytest.fixture
def reviewer_user(malang):
    return make_user("reviewer", "reviewer", ["35.07.13"])


@pytest.fixture
def reviewer_client(reviewer_user) -> Client:
    client = Client()
    client.force_login(reviewer_user)
    return client


@pytest.fixture
def agent_user(malang):
    return make_user("agent", "field_agent", ["35.07.13.1010", "35.07.13.2011"])


@pytest.fixture
def admin_user(db):
    from accounts.models import User

    return User.objects.create_superuser("admin", password="pw-admin-123")


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client
