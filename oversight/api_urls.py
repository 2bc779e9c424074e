"""Routes of the DPO's tools in the API (under /api/v1/audit/)."""

from django.urls import path

from oversight import api, api_entity

urlpatterns = [
    path("events/", api.AuditEventListView.as_view(), name="api-audit-events"),
    path("entity-tokens/", api_entity.EntityTokensView.as_view(), name="api-audit-entity-tokens"),
    # Before the reference's report: "entity" is not a reference.
    path(
        "access/entity/",
        api_entity.EntityAccessReportView.as_view(),
        name="api-audit-entity-access-report",
    ),
    path("access/<str:reference>/", api.AccessReportView.as_view(), name="api-audit-access-report"),
]
