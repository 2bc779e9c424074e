"""Every log line says which request (or task) wrote it: a filter on every handler.

The fields come from the request context (``selec.core.request_context``): the request id, the
officer, the route, and the time since the request began; in a Celery task, the task's name
and id, and the id of the request that queued it (``selec.core.task_context``). A line that
already carries a field (the access line sets its status) keeps its own value.
"""

from __future__ import annotations

import logging

from celery import current_task

from selec.core.request_context import current_request_context, request_log_fields

CONTEXT_FIELDS = ("request_id", "officer_id", "route", "status", "duration_ms")


class RequestContextFilter(logging.Filter):
    """Adds the request's (and the task's) fields to the record; keeps every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_request_context()
        if context.request is None:
            # django.request's line about a 4xx or 5xx answer, written after the middleware
            # returned: its record carries the request, and the request its context.
            context = getattr(getattr(record, "request", None), "selec_request_context", context)
        fields = request_log_fields(context)
        status_code = getattr(record, "status_code", None)
        if fields.get("status") is None and isinstance(status_code, int):
            fields["status"] = status_code
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, fields.get(name))
        task = current_task
        # ``current_task`` is a proxy; outside a task it stands for None.
        if task and task.request.id is not None and not hasattr(record, "task_id"):
            record.task_id = task.request.id
            record.task_name = task.name
        return True
