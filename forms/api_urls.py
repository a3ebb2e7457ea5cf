from django.contrib.auth.decorators import login_not_required
from django.urls import path

from forms import api

app_name = "forms_api"

urlpatterns = [
    path(
        "questionnaires/",
        login_not_required(api.QuestionnaireListApi.as_view()),
        name="questionnaires",
    ),
    path(
        "questionnaires/<slug:form_id>/",
        login_not_required(api.QuestionnaireDetailApi.as_view()),
        name="questionnaire",
    ),
    path(
        "questionnaires/<slug:form_id>/versions/",
        login_not_required(api.VersionListApi.as_view()),
        name="versions",
    ),
    path(
        "questionnaires/<slug:form_id>/archive/",
        login_not_required(api.QuestionnaireArchiveApi.as_view()),
        name="archive",
    ),
    path(
        "questionnaires/<slug:form_id>/deployment/",
        login_not_required(api.DeploymentApi.as_view()),
        name="deployment",
    ),
    path(
        "questionnaires/<slug:form_id>/versions/<str:version>/publish/",
        login_not_required(api.VersionPublishApi.as_view()),
        name="publish",
    ),
    path(
        "questionnaires/<slug:form_id>/versions/<str:version>/media/",
        login_not_required(api.VersionMediaApi.as_view()),
        name="media",
    ),
    path(
        "questionnaires/<slug:form_id>/versions/<str:version>/xlsx/",
        login_not_required(api.VersionXlsxApi.as_view()),
        name="xlsx",
    ),
]
