from django.urls import include, path

from collector_api import views

app_name = "collector_api"

openrosa = [
    path("formList", views.form_list, name="form_list"),
    path("submission", views.submission, name="submission"),
    path("forms/<slug:form_id>/<str:version>/form.xml", views.form_xml, name="form_xml"),
    path("forms/<slug:form_id>/<str:version>/manifest", views.manifest, name="manifest"),
    path(
        "forms/<slug:form_id>/<str:version>/media/<str:filename>",
        views.media_file,
        name="media_file",
    ),
]

urlpatterns = [
    path("", include(openrosa)),
    path("key/<str:token>/", include(openrosa)),
]
