from django.urls import path

from review import views

app_name = "submissions"

urlpatterns = [
    path("", views.queue_list, name="list"),
    path("approve-all/", views.approve_all, name="approve_all"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/send-back/", views.send_back, name="send_back"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/files/<str:filename>", views.item_attachment, name="attachment"),
]
