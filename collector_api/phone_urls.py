from django.urls import path

from collector_api import phone_views

app_name = "phones"

urlpatterns = [
    path("", phone_views.phone_setup, name="mine"),
    path("agents/", phone_views.phone_agents, name="agents"),
    path("agents/<str:username>/", phone_views.phone_setup, name="agent"),
    path("links/<int:pk>/revoke/", phone_views.phone_link_revoke, name="revoke"),
]
