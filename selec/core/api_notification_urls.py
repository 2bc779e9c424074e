"""Routes of the caller's notifications in the API (see selec.core.api_notifications)."""

from django.urls import path

from selec.core.api_notifications import NotificationListView, NotificationReadView

urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="api-notification-list"),
    path(
        "notifications/<int:pk>/read/",
        NotificationReadView.as_view(),
        name="api-notification-read",
    ),
]
