from django.urls import path

import forms.url_converters  # noqa: F401 (registers <fid:> and <ver:>)
from collector_api import draft_link_views, phone_views

app_name = "phones"

urlpatterns = [
    path("", phone_views.phone_setup, name="mine"),
    path("agents/", phone_views.phone_agents, name="agents"),
    path("agents/<str:username>/", phone_views.phone_setup, name="agent"),
    path("links/<int:pk>/revoke/", phone_views.phone_link_revoke, name="revoke"),
    # Test phones of a questionnaire's draft (district staff who manage it).
    path(
        "drafts/<fid:form_id>/<ver:version>/",
        draft_link_views.draft_test,
        name="draft_test",
    ),
    path(
        "drafts/<fid:form_id>/<ver:version>/links/",
        draft_link_views.draft_test_link_create,
        name="draft_test_create",
    ),
    path(
        "draft-links/<int:pk>/revoke/",
        draft_link_views.draft_test_link_revoke,
        name="draft_test_revoke",
    ),
]
