from django.contrib.auth.decorators import login_not_required
from django.urls import path

from duplicates import api

app_name = "duplicates_api"

# Token-authenticated (and session) API views: DRF authenticates, not the login middleware.
urlpatterns = [
    path("duplicates/", login_not_required(api.PairListApi.as_view()), name="pairs"),
    path("duplicates/<int:pk>/", login_not_required(api.PairDetailApi.as_view()), name="pair"),
    path(
        "duplicates/<int:pk>/merge/",
        login_not_required(api.PairMergeApi.as_view()),
        name="pair_merge",
    ),
    path(
        "duplicates/<int:pk>/dismiss/",
        login_not_required(api.PairDismissApi.as_view()),
        name="pair_dismiss",
    ),
    path(
        "duplicates/<int:pk>/undo/",
        login_not_required(api.PairUndoApi.as_view()),
        name="pair_undo",
    ),
]
