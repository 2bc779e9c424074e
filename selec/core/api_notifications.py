"""The caller's notifications through the API: the list (pages of ``CursorPage``, newest
first), and marking one read."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from selec.core.api_answers import api_answers
from selec.core.api_pagination import CursorPage
from selec.core.models import Notification
from selec.core.notifications import notification_mark_read, notification_rows

# The largest bigint primary key: a larger id in the path is a missing notification, not a
# database error.
_MAX_ID = 2**63 - 1


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "link",
            "object_type",
            "object_id",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class NotificationListView(GenericAPIView[Notification]):
    pagination_class = CursorPage
    queryset = Notification.objects.none()  # the model, for the schema; the rows: the caller's

    @extend_schema(
        summary="The caller's notifications, newest first, read or not",
        responses=api_answers({200: NotificationSerializer(many=True)}, finds=False),
    )
    def get(self, request: Request) -> Response:
        assert request.user.pk is not None  # IsAuthenticated, the API's default
        notifications = self.paginate_queryset(notification_rows(request.user.pk))
        return self.get_paginated_response(NotificationSerializer(notifications, many=True).data)


class NotificationReadView(APIView):
    @extend_schema(
        summary="Mark one of the caller's notifications read (404 for another officer's)",
        request=None,
        responses=api_answers({200: NotificationSerializer}, validates=False),
    )
    def post(self, request: Request, pk: int) -> Response:
        if pk > _MAX_ID:
            raise Http404("No such notification.")
        notification = notification_mark_read(officer=request.user, notification_id=pk)  # type: ignore[arg-type]
        return Response(NotificationSerializer(notification).data)
