"""The corrections pages (included by ``records.urls``): the provider's correction of an
exchange, and the inaccuracy flags recipients file and providers answer."""

from django.urls import URLPattern, path

from records import views_corrections, views_flags

urlpatterns: list[URLPattern] = [
    path("correct/<str:reference>/", views_corrections.correct, name="correct"),
    path("flag/<str:reference>/", views_flags.flag, name="flag"),
    path("flags/", views_flags.flags, name="flags"),
    path("flags/<int:pk>/answer/", views_flags.answer, name="flag_answer"),
]
