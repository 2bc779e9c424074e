"""Routes of the DPO's tools in the API (under /api/v1/audit/)."""

from django.urls import path

from oversight import api

urlpatterns = [
    path("events/", api.AuditEventListView.as_view(), name="api-audit-events"),
    path("access/<str:reference>/", api.AccessReportView.as_view(), name="api-audit-access-report"),
]
