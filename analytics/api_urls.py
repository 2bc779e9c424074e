"""Routes of the statistics API (under /api/v1/)."""

from django.urls import path

from analytics import api

urlpatterns = [
    path("statistics/<str:table>/", api.StatisticsTableView.as_view(), name="api-statistics"),
]
