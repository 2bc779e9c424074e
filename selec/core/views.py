"""Liveness and readiness, for container health checks, load balancers and monitoring.

``/healthz`` says only that the process answers: it touches neither the database nor the
broker, so a web node is not restarted for an outage of something restarting it cannot mend.
``/readyz`` says whether the node can do its work (``selec.core.readiness``): the database, the
broker, a Celery worker's heartbeat and the e-mail outbox, each reported in the JSON body; 503
when one of them should take the node out of service.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from selec.core.access import public
from selec.core.readiness import readiness


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process is up and answering requests."""
    return JsonResponse({"status": "ok"})


@public
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: each dependency's state; 200 when the node can serve, 503 otherwise."""
    report = readiness()
    return JsonResponse(report.as_json(), status=200 if report.ready else 503)
