from django.urls import path

from oversight import views, views_entity, views_integrity, views_retention

app_name = "oversight"

urlpatterns = [
    path("audit/", views.search, name="search"),
    path("audit/export/", views.export, name="export"),
    path("access/", views.access_report_form, name="access"),
    path("entity/", views_entity.entity, name="entity"),
    # Before the reference's report: "entity" is not a reference.
    path("access/entity/", views_entity.entity_report, name="entity_report"),
    path("access/<str:reference>/", views.access_report_page, name="access_report"),
    path("integrity/", views_integrity.integrity, name="integrity"),
    path("integrity/verify/", views_integrity.integrity_start, name="integrity_start"),
    path("retention/", views_retention.retention, name="retention"),
]
