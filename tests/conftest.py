import pytest
from django.test import Client

from areas.area_import import load_areas
from tests.factories import make_user

pytest_plugins = ["tests.openrosa_fixtures"]


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    """Each test starts as a new server process would: nothing remembered from the last."""
    from areas.area_codes import forget_known_areas
    from collector_api.devices import forget_recorded_devices
    from forms.reach import forget_published_versions
    from intake.answers import forget_form_repeats

    forget_known_areas()
    forget_recorded_devices()
    forget_published_versions()
    forget_form_repeats()


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


@pytest.fixture
def malang(db):
    """Kabupaten Malang (35.07) with all its kecamatan and villages, from the real data."""
    load_areas(scope="35.07")


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
