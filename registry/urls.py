from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.registry_home, name="home"),
    path("households/", views.household_list, name="households"),
    path("households/<int:pk>/", views.household_page, name="household"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("households/<int:pk>/photo/", views.household_photo, name="household_photo"),
    path("people/", views.person_list, name="people"),
    path("people/<int:pk>/", views.person_page, name="person"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("conflicts/", views.conflict_list, name="conflicts"),
    path("conflicts/<int:pk>/resolve/", views.conflict_resolve, name="conflict_resolve"),
]
