"""The review pages (included by ``records.urls``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
