"""The exports' URLs: pages under /registry/export/, the API under /api/v1/registry/export/.

Mounted at the site root (``srs/urls.py``), so that both live in one place.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from registry import export_views

app_name = "registry_export"

urlpatterns = [
    # Pages: signed in (LoginRequiredMiddleware).
    path(
        "registry/export/households.csv",
        export_views.export_file,
        {"kind": "households", "file_format": "csv"},
        name="households_csv",
    ),
    path(
        "registry/export/households.xlsx",
        export_views.export_file,
        {"kind": "households", "file_format": "xlsx"},
        name="households_xlsx",
    ),
    path(
        "registry/export/people.csv",
        export_views.export_file,
        {"kind": "people", "file_format": "csv"},
        name="people_csv",
    ),
    path(
        "registry/export/people.xlsx",
        export_views.export_file,
        {"kind": "people", "file_format": "xlsx"},
        name="people_xlsx",
    ),
    # API: token (or session) authentication by DRF, not the login middleware.
    path(
        "api/v1/registry/export/households.csv",
        login_not_required(export_views.HouseholdsCsvApi.as_view()),
        name="api_households_csv",
    ),
    path(
        "api/v1/registry/export/households.xlsx",
        login_not_required(export_views.HouseholdsXlsxApi.as_view()),
        name="api_households_xlsx",
    ),
    path(
        "api/v1/registry/export/people.csv",
        login_not_required(export_views.PeopleCsvApi.as_view()),
        name="api_people_csv",
    ),
    path(
        "api/v1/registry/export/people.xlsx",
        login_not_required(export_views.PeopleXlsxApi.as_view()),
        name="api_people_xlsx",
    ),
]
