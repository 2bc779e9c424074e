"""The review endpoints (included by ``records.api_urls``)."""

from django.urls import path

from records import api_review

urlpatterns = [
    path("review/", api_review.ReviewListView.as_view(), name="api-review-list"),
    path(
        "review/<str:reference>/keep/",
        api_review.ReviewKeepView.as_view(),
        name="api-review-keep",
    ),
]
