from django.urls import path

from review import views

app_name = "submissions"

urlpatterns = [
    path("", views.submission_list, name="list"),
    path("<int:pk>/", views.submission_detail, name="detail"),
    path("<int:pk>/files/<str:filename>", views.submission_attachment, name="attachment"),
]
