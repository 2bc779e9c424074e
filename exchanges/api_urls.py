"""Routes of the exchanges API (under /api/v1/). Every route and method here is in the API
authorization matrix (tests/exchanges/test_api_matrix.py), which fails on one left out."""

from django.urls import path

from exchanges import api

urlpatterns = [
    path("exchanges/", api.ExchangeListView.as_view(), name="api-exchange-list"),
    path(
        "exchanges/<str:reference>/", api.ExchangeDetailView.as_view(), name="api-exchange-detail"
    ),
    path(
        "exchanges/<str:reference>/replies/", api.ReplyView.as_view(), name="api-exchange-replies"
    ),
    path(
        "exchanges/<str:reference>/acknowledge/",
        api.AcknowledgeView.as_view(),
        name="api-exchange-acknowledge",
    ),
    path(
        "exchanges/<str:reference>/forward/",
        api.ForwardView.as_view(),
        name="api-exchange-forward",
    ),
    path(
        "exchanges/<str:reference>/restrictions/",
        api.RestrictionsView.as_view(),
        name="api-exchange-restrictions",
    ),
    path(
        "exchanges/<str:reference>/restrictions/confirm/",
        api.RestrictionsConfirmView.as_view(),
        name="api-exchange-restrictions-confirm",
    ),
    path(
        "exchanges/<str:reference>/evidence/",
        api.EvidenceView.as_view(),
        name="api-exchange-evidence",
    ),
    path(
        "exchanges/<str:reference>/attachments/<int:pk>/",
        api.AttachmentView.as_view(),
        name="api-exchange-attachment",
    ),
    path(
        "exchanges/<str:reference>/dissemination-requests/",
        api.DisseminationRequestsView.as_view(),
        name="api-exchange-dissemination-requests",
    ),
    path(
        "dissemination-requests/<int:pk>/decision/",
        api.DisseminationDecisionView.as_view(),
        name="api-dissemination-decision",
    ),
]
