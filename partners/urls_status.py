"""A party's status change, for directory administrators (mounted under /directory/manage/)."""

from django.urls import path

from partners import views_status

urlpatterns = [
    path("parties/<str:code>/status/", views_status.party_status, name="party_status"),
    path(
        "parties/<str:code>/status/apply/",
        views_status.party_status_apply,
        name="party_status_apply",
    ),
]
