"""Routes of the data subject request pages, under /subject-requests/: the DPO's (list,
search, new request, one request) and the provider's (queue, answer)."""

from django.urls import path

from subjects import views, views_queue

app_name = "subjects"

urlpatterns = [
    path("", views.requests, name="requests"),
    path("search/", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("queue/", views_queue.queue, name="queue"),
    path("items/<int:pk>/", views_queue.answer, name="answer"),
    path("<str:reference>/", views.detail, name="detail"),
]
