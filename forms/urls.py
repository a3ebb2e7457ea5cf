from django.urls import path

import forms.url_converters  # noqa: F401 (registers <fid:> and <ver:>)
from forms import version_views, views

app_name = "forms"

urlpatterns = [
    path("", views.questionnaire_list, name="list"),
    path("new/", views.questionnaire_create, name="create"),
    path("<fid:form_id>/", views.questionnaire_detail, name="detail"),
    path("<fid:form_id>/versions/", views.version_upload, name="upload_version"),
    path("<fid:form_id>/archive/", views.questionnaire_archive, name="archive"),
    path("<fid:form_id>/deployment/", views.questionnaire_deploy, name="deploy"),
    path("<fid:form_id>/versions/<ver:version>/", version_views.version_detail, name="version"),
    path(
        "<fid:form_id>/versions/<ver:version>/tests/<int:test_id>/<str:filename>",
        version_views.test_file,
        name="test_file",
    ),
    path("<fid:form_id>/versions/<ver:version>/publish/", views.version_publish, name="publish"),
    path("<fid:form_id>/versions/<ver:version>/discard/", views.version_discard, name="discard"),
    path("<fid:form_id>/versions/<ver:version>/media/", views.media_upload, name="attach_media"),
    path("<fid:form_id>/versions/<ver:version>/xlsx/", views.version_xlsx, name="xlsx"),
    path("<fid:form_id>/versions/<ver:version>/xform/", views.version_xform, name="xform"),
]
