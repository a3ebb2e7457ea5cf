from django.urls import include, path

import forms.url_converters  # noqa: F401 (registers <fid:> and <ver:>, what an upload allows)
from collector_api import draft_views, views

app_name = "collector_api"

openrosa = [
    path("formList", views.form_list, name="form_list"),
    path("submission", views.submission, name="submission"),
    path("forms/<fid:form_id>/<ver:version>/form.xml", views.form_xml, name="form_xml"),
    path("forms/<fid:form_id>/<ver:version>/manifest", views.manifest, name="manifest"),
    path(
        "forms/<fid:form_id>/<ver:version>/media/<str:filename>",
        views.media_file,
        name="media_file",
    ),
]

# A draft test link serves one draft, to test it on a phone (collector_api/draft_views.py).
draft_test = [
    path("formList", draft_views.draft_form_list, name="draft_form_list"),
    path("submission", draft_views.draft_submission, name="draft_submission"),
    path(
        "forms/<fid:form_id>/<ver:version>/form.xml",
        draft_views.draft_form_xml,
        name="draft_form_xml",
    ),
    path(
        "forms/<fid:form_id>/<ver:version>/manifest",
        draft_views.draft_manifest,
        name="draft_manifest",
    ),
    path(
        "forms/<fid:form_id>/<ver:version>/media/<str:filename>",
        draft_views.draft_media_file,
        name="draft_media_file",
    ),
]

urlpatterns = [
    path("", include(openrosa)),
    path("key/<str:token>/", include(openrosa)),
    path("draft/<str:token>/", include(draft_test)),
]
