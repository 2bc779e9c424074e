"""Routes of the API's read-only directory of crime areas and task forces (see taskforces.api)."""

from django.urls import path

from taskforces.api import CrimeAreaViewSet, TaskForceViewSet

urlpatterns = [
    path("crime-areas/", CrimeAreaViewSet.as_view({"get": "list"}), name="api-crime-area-list"),
    path(
        "crime-areas/<slug:code>/",
        CrimeAreaViewSet.as_view({"get": "retrieve"}),
        name="api-crime-area-detail",
    ),
    path("task-forces/", TaskForceViewSet.as_view({"get": "list"}), name="api-task-force-list"),
    path(
        "task-forces/<slug:code>/",
        TaskForceViewSet.as_view({"get": "retrieve"}),
        name="api-task-force-detail",
    ),
]
