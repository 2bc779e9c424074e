"""Onboarding pages of directory administrators, mounted at /directory/manage/ (namespace
``onboarding``); the invitation's own page is routed in ``selec.urls`` under /account/."""

from django.urls import path

from partners import views_onboarding as views

app_name = "onboarding"

urlpatterns = [
    path("", views.parties, name="parties"),
    path("parties/new/", views.party_new, name="party_new"),
    path("parties/<str:code>/", views.party_detail, name="party"),
    path("parties/<str:code>/agencies/new/", views.agency_new, name="agency_new"),
    path("parties/<str:code>/officers/new/", views.officer_new, name="officer_new"),
    path("officers/<int:pk>/invite/", views.officer_invite, name="officer_invite"),
]
