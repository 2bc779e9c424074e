"""Routes of the exchanges API (under /api/v1/). Every route and method here is in the API
authorization matrix (tests/exchanges/test_api_matrix.py), which fails on one left out."""

from django.urls import path

from exchanges import api_actions, api_umf, api_views

urlpatterns = [
    path("exchanges/", api_views.ExchangeListView.as_view(), name="api-exchange-list"),
    path(
        "exchanges/<str:reference>/",
        api_views.ExchangeDetailView.as_view(),
        name="api-exchange-detail",
    ),
    path(
        "exchanges/<str:reference>/replies/",
        api_actions.ReplyView.as_view(),
        name="api-exchange-replies",
    ),
    path(
        "exchanges/<str:reference>/acknowledge/",
        api_actions.AcknowledgeView.as_view(),
        name="api-exchange-acknowledge",
    ),
    path(
        "exchanges/<str:reference>/forward/",
        api_actions.ForwardView.as_view(),
        name="api-exchange-forward",
    ),
    path(
        "exchanges/<str:reference>/restrictions/",
        api_actions.RestrictionsView.as_view(),
        name="api-exchange-restrictions",
    ),
    path(
        "exchanges/<str:reference>/restrictions/confirm/",
        api_actions.RestrictionsConfirmView.as_view(),
        name="api-exchange-restrictions-confirm",
    ),
    path(
        "exchanges/<str:reference>/purpose/",
        api_actions.PurposeView.as_view(),
        name="api-exchange-purpose",
    ),
    path(
        "exchanges/<str:reference>/evidence/",
        api_actions.EvidenceView.as_view(),
        name="api-exchange-evidence",
    ),
    path(
        "exchanges/<str:reference>/attachments/<int:pk>/",
        api_actions.AttachmentView.as_view(),
        name="api-exchange-attachment",
    ),
    path(
        "exchanges/<str:reference>/dissemination-requests/",
        api_actions.DisseminationRequestsView.as_view(),
        name="api-exchange-dissemination-requests",
    ),
    path(
        "exchanges/<str:reference>/umf/",
        api_umf.ExchangeUmfView.as_view(),
        name="api-exchange-umf",
    ),
    path("umf/schema/", api_umf.UmfSchemaView.as_view(), name="api-umf-schema"),
    path(
        "dissemination-requests/<int:pk>/decision/",
        api_actions.DisseminationDecisionView.as_view(),
        name="api-dissemination-decision",
    ),
]
