from django.urls import path

from duplicates import views

app_name = "duplicates"

urlpatterns = [
    path("", views.pair_list, name="pairs"),
    path("<int:pk>/", views.pair_page, name="pair"),
    path("<int:pk>/merge/", views.pair_merge, name="pair_merge"),
    path("<int:pk>/dismiss/", views.pair_dismiss, name="pair_dismiss"),
    path("<int:pk>/undo/", views.pair_undo, name="pair_undo"),
]
