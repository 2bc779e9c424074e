"""Routes of the hits pages, under /hits/."""

from django.urls import path

from exchanges.views import hits

app_name = "hits"

urlpatterns = [
    path("", hits.hits, name="hits"),
    path("search/", hits.search, name="search"),
    path("<int:pk>/", hits.hit_detail, name="detail"),
]
