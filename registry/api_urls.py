from django.contrib.auth.decorators import login_not_required
from django.urls import path

from registry import api

app_name = "registry_api"

# Token-authenticated (and session) API views: DRF authenticates, not the login middleware.
urlpatterns = [
    path("households/", login_not_required(api.HouseholdListApi.as_view()), name="households"),
    path(
        "households/<int:pk>/",
        login_not_required(api.HouseholdDetailApi.as_view()),
        name="household",
    ),
    path(
        "households/<int:pk>/photo/",
        login_not_required(api.HouseholdPhotoApi.as_view()),
        name="household_photo",
    ),
    path(
        "households/<int:pk>/reveal/",
        login_not_required(api.HouseholdRevealApi.as_view()),
        name="household_reveal",
    ),
    path("people/", login_not_required(api.PersonListApi.as_view()), name="people"),
    path("people/<int:pk>/", login_not_required(api.PersonDetailApi.as_view()), name="person"),
    path(
        "people/<int:pk>/reveal/",
        login_not_required(api.PersonRevealApi.as_view()),
        name="person_reveal",
    ),
    path("conflicts/", login_not_required(api.ConflictListApi.as_view()), name="conflicts"),
    path(
        "conflicts/<int:pk>/resolve/",
        login_not_required(api.ConflictResolveApi.as_view()),
        name="conflict_resolve",
    ),
]
