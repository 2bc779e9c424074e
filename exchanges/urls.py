from django.urls import path

from exchanges.views import compose, dissemination, inbox, saved_filters, thread, thread_actions

app_name = "exchanges"

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("new/", compose.compose, name="compose"),
    # Before "<str:reference>/": "views" is no reference.
    path("views/", saved_filters.save, name="save_view"),
    path("views/<int:pk>/delete/", saved_filters.delete, name="delete_view"),
    path("new/audience/", compose.compose_audience, name="compose_audience"),
    path("dissemination-requests/", dissemination.queue, name="dissemination_queue"),
    path(
        "dissemination-requests/<int:pk>/decide/", dissemination.decide, name="dissemination_decide"
    ),
    path("attachments/<int:pk>/", thread.attachment, name="attachment"),
    path("<str:reference>/", thread.thread, name="thread"),
    path("<str:reference>/purpose/", thread.purpose, name="purpose"),
    path("<str:reference>/confirm/", thread.confirm, name="confirm"),
    path("<str:reference>/acknowledge/", thread.acknowledge, name="acknowledge"),
    path("<str:reference>/reply/", thread_actions.reply, name="reply"),
    path("<str:reference>/forward/", thread_actions.forward, name="forward"),
    path(
        "<str:reference>/dissemination/",
        thread_actions.request_dissemination,
        name="request_dissemination",
    ),
    path("<str:reference>/restrictions/", thread_actions.restrictions, name="restrictions"),
    path("<str:reference>/evidence/", thread_actions.evidence, name="evidence"),
]
