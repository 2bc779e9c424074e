"""Routes of the hits API (under /api/v1/)."""

from django.urls import path

from exchanges import api_hits

urlpatterns = [
    path("hits/", api_hits.HitListView.as_view(), name="api-hit-list"),
    path("hits/search/", api_hits.HitSearchView.as_view(), name="api-hit-search"),
]
