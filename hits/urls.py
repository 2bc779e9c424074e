"""Routes of the hits pages, under /hits/."""

from django.urls import path

from hits import views

app_name = "hits"

urlpatterns = [
    path("", views.hits, name="hits"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.hit_detail, name="detail"),
]
