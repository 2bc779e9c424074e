from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("new/", views.case_create_view, name="create"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    # Before the case's own address: "results" is no reference.
    path("results/", views.results_report_view, name="results_report"),
    path(
        "results/export/<str:export_format>/",
        views.results_report_export,
        name="results_report_export",
    ),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/edit/", views.case_edit, name="edit"),
    path("<str:reference>/status/", views.case_status, name="status"),
    path("<str:reference>/invite/", views.case_invite_view, name="invite"),
    path("<str:reference>/meetings/new/", views.meeting_add_view, name="meeting_add"),
    path("<str:reference>/results/new/", views.result_add_view, name="result_add"),
]
