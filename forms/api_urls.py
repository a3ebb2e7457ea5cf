from django.contrib.auth.decorators import login_not_required
from django.urls import path

import forms.url_converters  # noqa: F401 (registers <fid:> and <ver:>)
from forms import api

app_name = "forms_api"

urlpatterns = [
    path(
        "questionnaires/",
        login_not_required(api.QuestionnaireListApi.as_view()),
        name="questionnaires",
    ),
    path(
        "questionnaires/<fid:form_id>/",
        login_not_required(api.QuestionnaireDetailApi.as_view()),
        name="questionnaire",
    ),
    path(
        "questionnaires/<fid:form_id>/versions/",
        login_not_required(api.VersionListApi.as_view()),
        name="versions",
    ),
    path(
        "questionnaires/<fid:form_id>/archive/",
        login_not_required(api.QuestionnaireArchiveApi.as_view()),
        name="archive",
    ),
    path(
        "questionnaires/<fid:form_id>/deployment/",
        login_not_required(api.DeploymentApi.as_view()),
        name="deployment",
    ),
    path(
        "questionnaires/<fid:form_id>/versions/<ver:version>/publish/",
        login_not_required(api.VersionPublishApi.as_view()),
        name="publish",
    ),
    path(
        "questionnaires/<fid:form_id>/versions/<ver:version>/media/",
        login_not_required(api.VersionMediaApi.as_view()),
        name="media",
    ),
    path(
        "questionnaires/<fid:form_id>/versions/<ver:version>/xlsx/",
        login_not_required(api.VersionXlsxApi.as_view()),
        name="xlsx",
    ),
]
