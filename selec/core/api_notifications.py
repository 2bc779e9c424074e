"""The caller's notifications through the API: the list, and marking one read."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from selec.core.models import Notification
from selec.core.notifications import notification_mark_read, notifications_for

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


class NotificationListView(APIView):
    @extend_schema(
        summary="The caller's notifications, newest first (the 50 newest, read or not)",
        responses=NotificationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        notifications = notifications_for(request.user)  # type: ignore[arg-type]
        return Response(NotificationSerializer(notifications, many=True).data)


class NotificationReadView(APIView):
    @extend_schema(
        summary="Mark one of the caller's notifications read (404 for another officer's)",
        request=None,
        responses=NotificationSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        if pk > _MAX_ID:
            raise Http404("No such notification.")
        notification = notification_mark_read(officer=request.user, notification_id=pk)  # type: ignore[arg-type]
        return Response(NotificationSerializer(notification).data)
