from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.statistics, name="statistics"),
    path("progress/", views.progress, name="progress"),
    path("recompute/", views.recompute, name="recompute"),
    path("export/<str:table>/<str:export_format>/", views.export, name="export"),
]
