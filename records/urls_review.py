"""The review pages (included by ``records.urls``)."""

from django.urls import path

from records import views_review

urlpatterns = [
    path("review/", views_review.queue, name="review"),
    path("review/<str:reference>/keep/", views_review.keep, name="review_keep"),
]
