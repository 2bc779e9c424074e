"""Routes of the API's read-only directory of parties and agencies (see partners.api)."""

from django.urls import path

from partners.api import AgencyViewSet, PartyViewSet

urlpatterns = [
    path("parties/", PartyViewSet.as_view({"get": "list"}), name="api-party-list"),
    path("parties/<str:code>/", PartyViewSet.as_view({"get": "retrieve"}), name="api-party-detail"),
    path("agencies/", AgencyViewSet.as_view({"get": "list"}), name="api-agency-list"),
    path(
        "agencies/<int:pk>/", AgencyViewSet.as_view({"get": "retrieve"}), name="api-agency-detail"
    ),
]
