"""Routes of the API's read-only directory (see partners.api)."""

from django.urls import path

from partners.api import AgencyViewSet, CrimeAreaViewSet, PartyViewSet, TaskForceViewSet

LIST = {"get": "list"}
DETAIL = {"get": "retrieve"}

urlpatterns = [
    path("parties/", PartyViewSet.as_view(LIST), name="api-party-list"),
    path("parties/<str:code>/", PartyViewSet.as_view(DETAIL), name="api-party-detail"),
    path("agencies/", AgencyViewSet.as_view(LIST), name="api-agency-list"),
    path("agencies/<int:pk>/", AgencyViewSet.as_view(DETAIL), name="api-agency-detail"),
    path("crime-areas/", CrimeAreaViewSet.as_view(LIST), name="api-crime-area-list"),
    path(
        "crime-areas/<slug:code>/", CrimeAreaViewSet.as_view(DETAIL), name="api-crime-area-detail"
    ),
    path("task-forces/", TaskForceViewSet.as_view(LIST), name="api-task-force-list"),
    path(
        "task-forces/<slug:code>/", TaskForceViewSet.as_view(DETAIL), name="api-task-force-detail"
    ),
]
