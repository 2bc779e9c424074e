"""Routes of the API's read-only directory of parties and agencies (see partners.api)."""

from django.urls import path

from partners.api import AgencyViewSet, PartyViewSet

LIST = {"get": "list"}
DETAIL = {"get": "retrieve"}

urlpatterns = [
    path("parties/", PartyViewSet.as_view(LIST), name="api-party-list"),
    path("parties/<str:code>/", PartyViewSet.as_view(DETAIL), name="api-party-detail"),
    path("agencies/", AgencyViewSet.as_view(LIST), name="api-agency-list"),
    path("agencies/<int:pk>/", AgencyViewSet.as_view(DETAIL), name="api-agency-detail"),
]
