"""The erasure endpoints (included by ``records.api_urls``)."""

from django.urls import URLPattern, path

from records import api_erasure

urlpatterns: list[URLPattern] = [
    path(
        "review/<str:reference>/erasure-plan/",
        api_erasure.ErasurePlanView.as_view(),
        name="api-review-erasure-plan",
    ),
    path("review/<str:reference>/erase/", api_erasure.EraseView.as_view(), name="api-review-erase"),
]
