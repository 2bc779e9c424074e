"""Routes of data subject requests in the API (under /api/v1/subject-requests/)."""

from django.urls import path

from subjects import api

urlpatterns = [
    path("", api.SubjectRequestListView.as_view(), name="api-subject-requests"),
    path("search/", api.SubjectSearchView.as_view(), name="api-subject-requests-search"),
    path("items/", api.ItemQueueView.as_view(), name="api-subject-requests-items"),
    path(
        "items/<int:pk>/answer/",
        api.ItemAnswerView.as_view(),
        name="api-subject-requests-item-answer",
    ),
    path(
        "<str:reference>/",
        api.SubjectRequestDetailView.as_view(),
        name="api-subject-requests-detail",
    ),
]
