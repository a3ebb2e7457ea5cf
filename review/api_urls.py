from django.contrib.auth.decorators import login_not_required
from django.urls import path

from review import api

app_name = "review_api"

# Token-authenticated (and session) API views: DRF authenticates, not the login middleware.
urlpatterns = [
    path("submissions/", login_not_required(api.SubmissionListApi.as_view()), name="list"),
    path(
        "submissions.geojson",
        login_not_required(api.SubmissionGeoJsonApi.as_view()),
        name="geojson",
    ),
    path(
        "submissions/<int:pk>/",
        login_not_required(api.SubmissionDetailApi.as_view()),
        name="detail",
    ),
    path(
        "submissions/<int:pk>/files/<str:filename>",
        login_not_required(api.SubmissionFileApi.as_view()),
        name="file",
    ),
    path(
        "submissions/<int:pk>/reveal/",
        login_not_required(api.SubmissionRevealApi.as_view()),
        name="reveal",
    ),
    path(
        "submissions/<int:pk>/review/",
        login_not_required(api.SubmissionReviewApi.as_view()),
        name="review",
    ),
    path(
        "submissions/<int:pk>/corrections/",
        login_not_required(api.SubmissionCorrectionApi.as_view()),
        name="corrections",
    ),
]
