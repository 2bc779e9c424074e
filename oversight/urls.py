from django.urls import path

from oversight import views, views_integrity

app_name = "oversight"

urlpatterns = [
    path("audit/", views.search, name="search"),
    path("audit/export/", views.export, name="export"),
    path("access/", views.access_report_form, name="access"),
    path("access/<str:reference>/", views.access_report_page, name="access_report"),
    path("integrity/", views_integrity.integrity, name="integrity"),
    path("integrity/verify/", views_integrity.integrity_start, name="integrity_start"),
]
