"""The erasure pages (included by ``records.urls``)."""

from django.urls import URLPattern, path

from records import views_erasure

urlpatterns: list[URLPattern] = [
    path("erasure/<str:reference>/", views_erasure.erasure, name="erasure"),
]
