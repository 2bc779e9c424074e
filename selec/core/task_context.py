"""The request id travels with the tasks a request queues, into the worker's log lines.

Publishing a task from within a request adds the request's id to the message's headers
(``before_task_publish``); the worker puts it back into the request context before running the
task (``task_prerun``) and takes it away after (``task_postrun``). Every line the task logs
then names the request that caused it (selec.core.log_context), and so does every audit event
it writes. A task queued by the beat or by another task carries no id.

Connected from ``selec.core.apps.CoreConfig.ready``.
"""

from __future__ import annotations

import threading
from contextvars import Token
from typing import Any

from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from selec.core.request_context import (
    RequestContext,
    current_request_context,
    enter_request_context,
    leave_request_context,
)

HEADER = "selec_request_id"

# The context each running task replaced, by task id: restored when the task ends. A task
# run in-process (no broker) carries no header and changes nothing, so the request that ran
# it keeps its own context.
_tokens: dict[str, Token[RequestContext]] = {}
_tokens_lock = threading.Lock()


def add_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """``before_task_publish``: the id of the request that queues the task, if any."""
    request_id = current_request_context().request_id
    if headers is not None and request_id:
        headers[HEADER] = request_id


def restore_request_id(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """``task_prerun``: the request id from the message, into the context of the task."""
    request_id = _header(task)
    if task_id and request_id:
        with _tokens_lock:
            _tokens[task_id] = enter_request_context(RequestContext(request_id=request_id))


def clear_request_id(task_id: str | None = None, **_: Any) -> None:
    """``task_postrun``: the worker's context as it was, for the next task."""
    with _tokens_lock:
        token = _tokens.pop(task_id, None) if task_id else None
    if token is not None:
        leave_request_context(token)


def keep_django_logging(**_: Any) -> None:
    """``setup_logging``: connected, it stops Celery from installing its own handlers; the
    worker keeps the LOGGING of the settings (JSON lines, selec/logging_config.py)."""


def _header(task: Any) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    # Custom headers are attributes of the task's request; some paths keep them under
    # ``headers`` instead.
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return value if isinstance(value, str) and value else None


def connect_task_context() -> None:
    before_task_publish.connect(add_request_id, dispatch_uid="selec.task_context.publish")
    task_prerun.connect(restore_request_id, dispatch_uid="selec.task_context.prerun")
    task_postrun.connect(clear_request_id, dispatch_uid="selec.task_context.postrun")
    setup_logging.connect(keep_django_logging, dispatch_uid="selec.task_context.logging")
