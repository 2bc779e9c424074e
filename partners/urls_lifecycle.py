"""Routes of the account lifecycle (namespace ``lifecycle``), mounted at the site's root: the
officer's pages under /account/, the directory administrators' under /directory/manage/."""

from django.urls import path

from partners import views_lifecycle as views

app_name = "lifecycle"

urlpatterns = [
    path("account/authenticator-lost/", views.authenticator_lost, name="authenticator_lost"),
    path("account/authenticator-resets/", views.reset_confirmations, name="reset_confirmations"),
    path("account/authenticator-resets/<int:pk>/", views.reset_decide, name="reset_decide"),
    path("directory/manage/authenticator-resets/", views.admin_resets, name="admin_resets"),
    path(
        "directory/manage/authenticator-resets/<int:pk>/reset/",
        views.admin_reset_carry_out,
        name="admin_reset",
    ),
    path(
        "directory/manage/officers/<int:pk>/offboard/",
        views.officer_offboard_view,
        name="officer_offboard",
    ),
    path(
        "directory/manage/officers/<int:pk>/unlock/",
        views.officer_unlock_view,
        name="officer_unlock",
    ),
    path("directory/manage/agencies/<int:pk>/close/", views.agency_close_view, name="agency_close"),
    path(
        "directory/manage/parties/<str:code>/offboard/",
        views.party_offboard_view,
        name="party_offboard",
    ),
]
