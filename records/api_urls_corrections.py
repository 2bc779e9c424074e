"""The corrections endpoints (included by ``records.api_urls``, under /api/v1/): the provider's
correction of an exchange and the inaccuracy flags. The exchange's own routes
(``exchanges.api_urls``) name no ``correction/`` or ``inaccuracy-flags/`` under an exchange."""

from django.urls import URLPattern, path

from records import api_corrections, api_flags

urlpatterns: list[URLPattern] = [
    path(
        "exchanges/<str:reference>/correction/",
        api_corrections.CorrectionView.as_view(),
        name="api-exchange-correction",
    ),
    path(
        "exchanges/<str:reference>/inaccuracy-flags/",
        api_flags.ExchangeFlagsView.as_view(),
        name="api-exchange-inaccuracy-flags",
    ),
    path("inaccuracy-flags/", api_flags.FlagListView.as_view(), name="api-inaccuracy-flag-list"),
    path(
        "inaccuracy-flags/<int:pk>/answer/",
        api_flags.FlagAnswerView.as_view(),
        name="api-inaccuracy-flag-answer",
    ),
]
