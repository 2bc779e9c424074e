"""gunicorn's settings for the web container (docker/entrypoint.sh starts it with this file)."""

from __future__ import annotations

import math
import os
from pathlib import Path

from selec.logging_config import json_formatter

bind = "0.0.0.0:8000"
# No access log of gunicorn's own unless GUNICORN_ACCESS_LOG=1: the application writes one
# line per request (selec.core.request_context, logger "selec.access") with what gunicorn
# cannot know, the request id that an error page quotes, the officer, the route and the
# duration; two lines per request would double the volume for nothing. gunicorn's error log
# stays: worker starts, exits and timeouts happen outside any request.
accesslog = None
_ACCESS_LOG = os.environ.get("GUNICORN_ACCESS_LOG") == "1"
# The format of the application's lines (selec/logging_config.py): JSON unless told otherwise,
# so that a collector reads gunicorn's lines and the application's alike.
_LOG_FORMAT = os.environ.get("LOG_FORMAT") or "json"
# Every path an access line would name may carry an invitation's or a password reset's
# secret: every handler goes through the filter that hides them (selec.core.log_filters).
_HANDLER = {
    "class": "logging.StreamHandler",
    "filters": ["hide_url_secrets"],
    "formatter": _LOG_FORMAT,
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_url_secrets": {"()": "selec.core.log_filters.HideUrlSecrets"}},
    "formatters": {
        "json": json_formatter(),
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "access": {**_HANDLER, "stream": "ext://sys.stdout"},
        "error": {**_HANDLER, "stream": "ext://sys.stderr"},
        # gunicorn's default root logger writes here (its own "console" handler's name).
        "console": {**_HANDLER, "stream": "ext://sys.stdout"},
    },
    "loggers": {
        # With a configuration of loggers, gunicorn logs every request here: the level decides.
        "gunicorn.access": {
            "handlers": ["access"],
            "level": "INFO" if _ACCESS_LOG else "WARNING",
            "propagate": False,
        },
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
    },
}

# The container's CPU quota and period: cgroup v2 ("max 100000", or "200000 100000" for two
# CPUs), or cgroup v1's two files (quota -1 for none).
CGROUP_V2_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
CGROUP_V1_CPU_QUOTA = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
CGROUP_V1_CPU_PERIOD = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")


def cpu_quota() -> float | None:
    """The CPUs the container's quota allows (1.5 for "--cpus 1.5"), or None without one."""
    try:
        if CGROUP_V2_CPU_MAX.exists():
            quota, period = CGROUP_V2_CPU_MAX.read_text().split()
        else:
            quota, period = CGROUP_V1_CPU_QUOTA.read_text(), CGROUP_V1_CPU_PERIOD.read_text()
        if quota.strip() in ("max", "-1"):
            return None
        return int(quota) / int(period)
    except (OSError, ValueError):
        return None


def available_cores() -> int:
    """The CPUs this container may use: its CPU quota (compose's ``cpus:``, ``docker run
    --cpus``) when it has one, else the CPUs it may run on. ``os.cpu_count()`` would count the
    host's, and size a 2-CPU container on a 64-core host for 64."""
    cores = len(os.sched_getaffinity(0))
    quota = cpu_quota()
    if quota is not None:
        cores = min(cores, math.ceil(quota))
    return max(1, cores)


# Synchronous workers, two per core plus one, unless WEB_CONCURRENCY says otherwise. A request
# here is mostly CPU in Python (rendering a 50-row inbox, encrypting attachments, hashing the
# audit chain), the rest waiting on PostgreSQL on the same host: two workers per core keep the
# cores busy while some wait on the database, and more would only queue CPU work in the kernel
# instead of in the listen backlog. Threads (gthread) were measured and left out: Python's
# GIL lets one process render one page at a time whatever its threads, and a keep-alive
# connection stays with the process that accepted it, so one busy process made its clients
# wait seconds while another idled (p95 several times p50); a sync worker takes the next
# request only when it is free, which spreads the load evenly. Behind the TLS proxy (which
# buffers slow clients) sync workers are what gunicorn recommends. Each worker holds at most
# one database connection at a time: 2 x cores + 1 of them (5 on 2 CPUs), plus Celery's, must
# stay below PostgreSQL's max_connections (100 by default): past about 40 CPUs, set
# WEB_CONCURRENCY or raise max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * available_cores() + 1)
worker_class = "sync"

# Who may say that a request came over HTTPS (X-Forwarded-Proto and the like): the TLS proxy
# in front of us, named by its addresses (comma-separated; CIDR networks from gunicorn 24.1).
# Anyone else who reaches port 8000 directly is not believed. The default is gunicorn's own,
# the loopback addresses: no proxy outside the container is trusted until it is named. Never
# "*": it would let every client that reaches gunicorn claim HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
