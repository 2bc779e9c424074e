"""The project's routes plus views that fail, for tests/selec/test_errors.py and test_logging.py:
one raising a bug, one meeting a database that cannot be reached (a real refused connection)."""

from __future__ import annotations

import logging

from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from selec import urls
from selec.core.access import public

handler404 = urls.handler404
handler500 = urls.handler500

logger = logging.getLogger("selec.test")


def query_an_unreachable_database() -> None:
    """Connect to a PostgreSQL that is not there (the discard port): raises Django's
    ``OperationalError``, as every query does while the database is down."""
    dead = DatabaseWrapper({**connection.settings_dict, "PORT": "9"}, alias="unreachable")
    try:
        dead.ensure_connection()
    finally:
        dead.close()


@public
def failing_page(request: HttpRequest) -> HttpResponse:
    logger.warning("about to fail")
    raise ValueError("a defect")


@public
def outage_page(request: HttpRequest) -> HttpResponse:
    query_an_unreachable_database()
    return HttpResponse("unreachable")


def logging_page(request: HttpRequest, number: int) -> HttpResponse:
    """Behind the login, as every page: the officer is known when the line is written."""
    logger.warning("a line written during the request")
    return HttpResponse("logged")


class OutageApiView(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def get(self, request: Request) -> Response:
        query_an_unreachable_database()
        return Response({})


class FailingApiView(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def get(self, request: Request) -> Response:
        raise ValueError("a defect")


urlpatterns = [
    path("test/failing/", failing_page),
    path("test/outage/", outage_page),
    path("test/logging/<int:number>/", logging_page),
    path("api/test/outage/", OutageApiView.as_view()),
    path("api/test/failing/", FailingApiView.as_view()),
    *urls.urlpatterns,
]
