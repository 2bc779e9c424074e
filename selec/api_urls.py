"""The REST API for national systems, under /api/: every app adds its routes to version 1."""

from django.urls import include, path

v1 = [
    path("", include("exchanges.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("hits.api_urls")),
    path("", include("partners.api_urls")),
    path("", include("taskforces.api_urls")),
    path("", include("selec.core.api_notification_urls")),
    path("", include("analytics.api_urls")),
    path("audit/", include("oversight.api_urls")),
    path("", include("records.api_urls")),
    path("subject-requests/", include("subjects.api_urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("", include("selec.api_schema_urls")),
]
