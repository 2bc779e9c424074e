"""The Celery application. Tasks are discovered in every installed app's ``tasks.py``."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.db import transaction

from selec.broker_publish import publisher_for

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selec.settings")


class Task(DjangoTask):
    """Celery's ``DjangoTask``, with ``delay_on_commit`` that cannot fail a committed request.

    ``DjangoTask.delay_on_commit`` registers ``transaction.on_commit(partial(self.delay, ...))``
    without ``robust``: when the broker is down, ``delay`` raises *after* the commit, so the
    caller answers 500 for a change that was made (and the user may well repeat it), and Django
    skips the transaction's remaining on-commit callbacks. We keep both properties we want:
    the task is still queued only if and once the transaction commits (a rollback queues
    nothing), and an unreachable or hung broker costs a warning in the log and at most
    ``BROKER_PUBLISH_TIMEOUT`` of the request's time, nothing more (``selec.broker_publish``:
    short timeouts, no retry, a pause after a failure). That is safe because work that must
    not be lost is written to the database in the transaction itself (the e-mail outbox, the
    queued statistics runs, the unsealed audit events, the unmatched entities) and picked up
    again by a periodic task (docs/background-work.md). ``robust=True`` also keeps any other
    error of the callback (an eager task raising, with no broker configured) from reaching
    the caller: Django logs it instead.
    """

    def delay_on_commit(self, *args: Any, **kwargs: Any) -> None:
        self.apply_async_on_commit(args, kwargs)

    def apply_async_on_commit(self, *args: Any, **kwargs: Any) -> None:
        transaction.on_commit(self._queue_after_commit(args, kwargs), robust=True)

    # Declared by a task that works on whatever is committed when it starts
    # (``@shared_task(queued_once=True)``): it is queued with ``delay_once_on_commit``, and
    # each run lowers its waiting flag before its body reads anything (``__call__``).
    queued_once = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.queued_once:
            if self._delivered_by_a_worker():
                # Gather: while the flag stands, the commits of the moment queue nothing, and
                # this run handles them all (under load, one run for many requests instead of
                # one each, each with its fixed cost on the cores the requests use). Waiting
                # here, not in a delayed message: a worker holds a delayed message until it is
                # due, and one holding it died when its broker connection dropped
                # (``delay_once_on_commit``).
                time.sleep(float(settings.BACKGROUND_GATHER_SECONDS))
            # The commits from now on queue the next run, which will see what this one may
            # not; what committed before, this run sees.
            publisher_for(self._get_app()).lower_waiting_flag(self.name)
        return super().__call__(*args, **kwargs)

    def _delivered_by_a_worker(self) -> bool:
        """Not run in the caller's process (no broker configured: the request would wait) nor
        called as a function (a command, a test)."""
        return self.request.id is not None and not self.request.is_eager

    def delay_once_on_commit(self) -> None:
        """``delay_on_commit()`` (no arguments) for a ``queued_once`` task (a transaction
        writing ten audit events needs one sealing, not ten): asked once per transaction,
        however many times the transaction asks for it, and queued after the commit only if
        no run queued earlier is still waiting to start (``selec.broker_publish``: that run
        will see this commit's rows)."""
        if not self.queued_once:
            raise TypeError(f"{self.name} does not lower a waiting flag: declare queued_once.")
        connection = transaction.get_connection()
        # Django keeps the transaction's callbacks as (savepoint ids, callback, robust); one
        # registered in a savepoint rolled back since is gone from the list, so is asked anew,
        # and one already run (a test runs them before its transaction ends) covers nothing
        # written after it.
        if connection.in_atomic_block and any(
            getattr(callback, "task_name", None) == self.name and not callback.queued
            for _, callback, _ in connection.run_on_commit
        ):
            return
        # Due at once, not a moment later to gather more commits (the run gathers them, in
        # ``__call__``): a worker holds a delayed message unacknowledged until it is due, and
        # a worker holding one dies when its Redis connection drops (kombu fails to restore
        # it; the reliability suite's stopped broker).
        transaction.on_commit(self._queue_after_commit((), {}, unless_waiting=True), robust=True)

    def try_delay(self, *args: Any, **kwargs: Any) -> bool:
        """``delay()`` now, the way the after-commit publish does it (short timeouts, no
        retry, the process's pause after a failure): whether the broker took the message.
        For a caller that must tell whether it was queued (a command saying so)."""
        return publisher_for(self._get_app()).publish(self, (args, kwargs), {})

    def _queue_after_commit(
        self, args: Any, kwargs: Any, *, unless_waiting: bool = False
    ) -> Callable[[], None]:
        # A named function, not functools.partial: Django's robust handler logs the callback's
        # __qualname__, which a partial lacks, so the handler itself would raise.
        def queue_after_commit() -> None:
            queue_after_commit.queued = True  # type: ignore[attr-defined]
            publisher_for(self._get_app()).publish(
                self, args, kwargs, unless_waiting=unless_waiting
            )

        queue_after_commit.task_name = self.name  # type: ignore[attr-defined]
        queue_after_commit.queued = False  # type: ignore[attr-defined]
        return queue_after_commit


def create_app(**options: Any) -> Celery:
    """A Celery app configured from the Django settings (``CELERY_*``), with our task class.

    The tests build a fresh one when they need another broker: a configured app keeps its
    broker connections pooled, so changing its settings afterwards would not take effect.
    """
    app = Celery("selec", task_cls="selec.celery:Task", **options)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()
    return app


app = create_app()
