"""The settings of Celery's broker and acknowledgements that need explaining, star-imported
into ``selec.settings`` (Celery section); docs/background-work.md tells the faults they answer.
"""

from __future__ import annotations

from typing import Any

import environ

__all__ = [
    "BACKGROUND_GATHER_SECONDS",
    "BROKER_PUBLISH_PAUSE",
    "BROKER_PUBLISH_TIMEOUT",
    "CELERY_BROKER_TRANSPORT_OPTIONS",
    "CELERY_TASK_ACKS_ON_FAILURE",
    "CELERY_TASK_ACKS_ON_TIMEOUT",
    "CELERY_TASK_REJECT_ON_WORKER_LOST",
]

env = environ.Env()

CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
    # Redis hands a message a worker took and has not acknowledged to another worker after
    # this long. It must outlast the longest task and the wait of a message a worker reserved
    # behind it, or a second worker runs the message while the first still does: the longest
    # is the nightly audit verification (sized for two hours; a second delivery of it finds
    # its run claimed and does nothing; the statistics of every year take minutes). A worker killed mid-task does not wait for it: every
    # acks_late task has a periodic catch-up that redoes the work within minutes.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3 * 60 * 60),
    # The worker's and beat's own connections. A consumer's BRPOP is answered by Redis within
    # a second (kombu's brpop_timeout) and its connection checked every 25 s
    # (health_check_interval): 30 s never cuts an idle consumer short, while a hung broker
    # is noticed by the synchronous commands (acknowledging, publishing) within it, not never.
    "socket_timeout": env.float("CELERY_SOCKET_TIMEOUT", default=30.0),
    "socket_connect_timeout": 5.0,
}
# A Redis shared with another installation (a staging copy, a benchmark's own run): every key
# of this one (queues, the waiting flags of selec.broker_publish) under this prefix, so that
# neither takes the other's messages.
if _key_prefix := env.str("CELERY_BROKER_KEY_PREFIX", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = _key_prefix

# (Celery 5.7 splits the deprecated task_acks_on_failure_or_timeout in these two.) For the
# acks_late tasks: one that raised, or outran a time limit, is acknowledged: delivered again
# at once it would most likely fail again, in a loop. Its periodic catch-up tries later.
CELERY_TASK_ACKS_ON_FAILURE = True
CELERY_TASK_ACKS_ON_TIMEOUT = True
# A worker process that died mid-task (killed, out of memory) acknowledges its message too:
# requeued at once, a task that kills its process would do so for ever. The periodic
# catch-ups redo the work at their own pace (the statistics sweep sees the computation gone).
CELERY_TASK_REJECT_ON_WORKER_LOST = False

# Publishing after a commit (selec.broker_publish): the longest a request waits on the
# broker, and how long a process stops publishing after a failure (the periodic tasks catch
# up what it skips).
BROKER_PUBLISH_TIMEOUT = env.float("BROKER_PUBLISH_TIMEOUT", default=0.5)
BROKER_PUBLISH_PAUSE = env.float("BROKER_PUBLISH_PAUSE", default=30.0)
# How long a worker's run of a task queued once while a run waits (the audit sealer, the mail
# relay, hit matching) waits, its flag still raised, before it reads what is committed: the
# commits of that moment queue nothing and are handled by the one run (selec.celery).
BACKGROUND_GATHER_SECONDS = env.float("BACKGROUND_GATHER_SECONDS", default=0.25)
