"""The erasure endpoints (included by ``records.api_urls``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
