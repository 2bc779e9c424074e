"""Routes of the cases API (under /api/v1/)."""

from django.urls import path

from cases import api

urlpatterns = [
    path("cases/", api.CaseListView.as_view(), name="api-case-list"),
    path("cases/<str:reference>/", api.CaseDetailView.as_view(), name="api-case-detail"),
    path("cases/<str:reference>/status/", api.CaseStatusView.as_view(), name="api-case-status"),
    path(
        "cases/<str:reference>/participants/",
        api.CaseParticipantsView.as_view(),
        name="api-case-participants",
    ),
    path(
        "cases/<str:reference>/meetings/",
        api.CaseMeetingsView.as_view(),
        name="api-case-meetings",
    ),
    path("cases/<str:reference>/results/", api.CaseResultsView.as_view(), name="api-case-results"),
    path(
        "cases/<str:reference>/attachments/<int:pk>/",
        api.CaseAttachmentView.as_view(),
        name="api-case-attachment",
    ),
]
