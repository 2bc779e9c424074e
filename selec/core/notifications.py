"""Notifications: in the application, and by e-mail through a database outbox.

Services call :func:`notify_officers` inside their own transaction. The in-app notifications
and the e-mails to send (:class:`~selec.core.models.OutboxMessage`) are written in that transaction,
so they exist if and only if the event does; the relay task is queued after commit, and the
periodic run of the same task (Celery beat, every minute) sends whatever a broker outage left
behind. Titles and e-mails carry references and a link, never exchange content: mail leaves
the closed network, and the linked page checks the officer's access again.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from selec.core.models import Notification, OutboxMessage
from selec.core.service_helpers import max_length_of
from selec.core.tasks import relay_outbox

if TYPE_CHECKING:
    # The user model (settings.AUTH_USER_MODEL): the core names no app of the project.
    from django.contrib.auth.base_user import AbstractBaseUser as Officer

logger = logging.getLogger(__name__)

_TITLE_MAX_LENGTH = max_length_of(Notification, "title")
_DEDUPE_KEY_MAX_LENGTH = max_length_of(Notification, "dedupe_key")
_LAST_ERROR_MAX_LENGTH = 1000


def notify_officers(
    *,
    officers: Iterable[Officer],
    kind: str,  # one of the kinds an app registered (selec.core.notification_kinds)
    title: str,
    link: str = "",
    object_type: str = "",
    object_id: str = "",
    dedupe_key: str,
) -> int:
    """Notify each active officer once per ``dedupe_key``, in the app and by e-mail.

    Must run inside the transaction of the event. ``title`` names the event by reference
    only; ``link`` is a path on this site ("/exchanges/123/"). Returns how many officers were
    notified now (an officer already notified of this event is not counted again).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("notify_officers must be called inside the transaction of the event")
    # One line: the title is also the e-mail's subject, where a line break is refused.
    if not title or len(title) > _TITLE_MAX_LENGTH or "\n" in title or "\r" in title:
        raise ValueError(
            f"A notification title is one line of 1 to {_TITLE_MAX_LENGTH} characters."
        )
    # Only a path: a whole URL given here would let a caller point e-mails off the site.
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"A notification link is a path on this site, not {link!r}.")
    if not dedupe_key or len(dedupe_key) > _DEDUPE_KEY_MAX_LENGTH:
        raise ValueError(
            f"A notification needs a dedupe_key naming its event, of {_DEDUPE_KEY_MAX_LENGTH}"
            " characters at most."
        )

    # Read again rather than trust the instances passed: a deactivated officer gets nothing.
    # A queryset becomes a subquery, so the caller's officers are not loaded twice.
    officer_ids = (
        officers.values("pk")
        if isinstance(officers, QuerySet)
        else {officer.pk for officer in officers}
    )
    recipients = list(
        get_user_model()
        .objects.filter(pk__in=officer_ids, is_active=True)
        .order_by("pk")
        .values_list("pk", "email")
    )
    already = set(
        Notification.objects.filter(
            officer_id__in=[pk for pk, _ in recipients], dedupe_key=dedupe_key
        ).values_list("officer_id", flat=True)
    )
    recipients = [(pk, email) for pk, email in recipients if pk not in already]
    if not recipients:
        return 0

    now = timezone.now()
    # ignore_conflicts: a concurrent transaction notifying the same event may have won the race
    # since the read above; the unique constraints keep the rows single either way.
    Notification.objects.bulk_create(
        [
            Notification(
                officer_id=pk,
                kind=kind,
                title=title,
                link=link,
                object_type=object_type,
                object_id=str(object_id),
                dedupe_key=dedupe_key,
                created_at=now,
            )
            for pk, _ in recipients
        ],
        ignore_conflicts=True,
    )
    subject, body = _email_for(title=title, link=link)
    messages = [
        OutboxMessage(
            to=email, subject=subject, body=body, dedupe_key=f"{dedupe_key}:{pk}", created_at=now
        )
        for pk, email in recipients
        if email
    ]
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
        # After commit only (a rollback sends nothing); a broker outage is logged, not raised,
        # and the rows wait for the next periodic run (see selec.celery.Task).
        relay_outbox.delay_on_commit()
    return len(recipients)


def _email_for(*, title: str, link: str) -> tuple[str, str]:
    url = settings.SITE_URL.rstrip("/") + (link or "/")
    body = (
        f"{title}\n\n"
        f"{url}\n\n"
        "Sign in to SELEC Exchange to read it. This message never carries the content "
        "of an exchange.\n"
    )
    return f"[SELEC Exchange] {title}", body


def outbox_relay(*, batch_size: int = 100) -> int:
    """Send up to ``batch_size`` unsent e-mails; return how many were sent.

    Rows are locked with SKIP LOCKED, so concurrent runs (the task queued after a commit and
    the periodic one) share the work instead of sending a message twice. A failed send counts
    an attempt, keeps the error and leaves the row for the next run.
    """
    sent = 0
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.filter(sent_at__isnull=True)
            # Fewest attempts first: a message that keeps failing does not hold back new ones.
            .order_by("attempts", "id")
            .select_for_update(skip_locked=True)[:batch_size]
        )
        if not messages:
            return 0
        # One connection for the batch; each send opens it again if a failure closed it.
        mail_connection = get_connection()
        tried: list[OutboxMessage] = []
        try:
            for message in messages:
                tried.append(message)
                message.attempts += 1
                try:
                    EmailMessage(
                        subject=message.subject,
                        body=message.body,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[message.to],
                        connection=mail_connection,
                    ).send()
                except Exception as exc:
                    message.last_error = f"{type(exc).__name__}: {exc}"[:_LAST_ERROR_MAX_LENGTH]
                    logger.warning(
                        "Outbox message #%s not sent (attempt %s): %s",
                        message.pk,
                        message.attempts,
                        message.last_error,
                    )
                    if _mail_server_failed(exc):
                        # The rest of the batch would fail alike, each after its own timeout,
                        # with the rows locked all along: they wait for the next run untouched.
                        break
                else:
                    message.sent_at = timezone.now()
                    message.last_error = ""
                    sent += 1
        finally:
            mail_connection.close()
        OutboxMessage.objects.bulk_update(tried, ["attempts", "sent_at", "last_error"])
    return sent


def _mail_server_failed(exc: Exception) -> bool:
    """Whether the server (unreachable, gone, refusing us) failed, rather than one message
    (a recipient refused, say). smtplib's errors are OSErrors too, hence the order."""
    if isinstance(exc, smtplib.SMTPException):
        return isinstance(
            exc,
            smtplib.SMTPServerDisconnected
            | smtplib.SMTPConnectError
            | smtplib.SMTPHeloError
            | smtplib.SMTPAuthenticationError,
        )
    return isinstance(exc, OSError)


def unread_notifications_count(officer: Officer) -> int:
    return Notification.objects.filter(officer_id=officer.pk, read_at__isnull=True).count()


def notification_rows(officer_id: int) -> QuerySet[Notification]:
    """Every notification of the officer, newest first, read or not, on the index (officer,
    -created_at): the API pages through it by cursor."""
    return Notification.objects.filter(officer_id=officer_id).order_by("-created_at", "-id")


def notifications_for(officer: Officer, *, limit: int = 50) -> QuerySet[Notification]:
    """The officer's newest notifications, read or not, at most ``limit`` of them (the page)."""
    return notification_rows(officer.pk)[:limit]


@transaction.atomic
def notification_mark_read(*, officer: Officer, notification_id: int) -> Notification:
    """Mark one of the officer's notifications read. Another officer's answers 404, as a
    missing one does: the response must not tell whether it exists."""
    notification = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, officer_id=officer.pk)
        .first()
    )
    if notification is None:
        raise Http404("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, officer: Officer) -> int:
    """Mark all the officer's unread notifications read; return how many there were."""
    return Notification.objects.filter(officer_id=officer.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
