from django.urls import path

from forms import version_views, views

app_name = "forms"

urlpatterns = [
    path("", views.questionnaire_list, name="list"),
    path("new/", views.questionnaire_create, name="create"),
    path("<slug:form_id>/", views.questionnaire_detail, name="detail"),
    path("<slug:form_id>/versions/", views.version_upload, name="upload_version"),
    path("<slug:form_id>/archive/", views.questionnaire_archive, name="archive"),
    path("<slug:form_id>/deployment/", views.questionnaire_deploy, name="deploy"),
    path("<slug:form_id>/versions/<str:version>/", version_views.version_detail, name="version"),
    path("<slug:form_id>/versions/<str:version>/publish/", views.version_publish, name="publish"),
    path("<slug:form_id>/versions/<str:version>/discard/", views.version_discard, name="discard"),
    path("<slug:form_id>/versions/<str:version>/media/", views.media_upload, name="attach_media"),
    path("<slug:form_id>/versions/<str:version>/xlsx/", views.version_xlsx, name="xlsx"),
    path("<slug:form_id>/versions/<str:version>/xform/", views.version_xform, name="xform"),
]
