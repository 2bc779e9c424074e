"""Routes of the hits API (under /api/v1/)."""

from django.urls import path

from hits import api

urlpatterns = [
    path("hits/", api.HitListView.as_view(), name="api-hit-list"),
    path("hits/search/", api.HitSearchView.as_view(), name="api-hit-search"),
]
