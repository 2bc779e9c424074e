"""Notifications: in the application, and by e-mail through a database outbox.

Services call :func:`notify_officers` inside their own transaction. The in-app notifications
and the e-mails to send (:class:`~selec.core.models.OutboxMessage`) are written in that transaction,
so they exist if and only if the event does; the relay task is queued after commit, and the
periodic run of the same task (Celery beat, every minute) sends whatever a broker outage left
behind. Titles and e-mails carry references and a link, never exchange content: mail leaves
the closed network, and the linked page checks the officer's access again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import smtplib
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, models, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext

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

# A title as the caller gives it: a zero-argument function that returns the text in the
# language active when it is called (``lambda: _("Exchange %(ref)s answered") % {...}``), so
# that each officer reads it in their own language; a plain string is the same for everyone.
Title = str | Callable[[], str]


def notify_officers(
    *,
    officers: Iterable[Officer],
    kind: str,  # one of the kinds an app registered (selec.core.notification_kinds)
    title: Title,
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
    # Only a path: a whole URL given here would let a caller point e-mails off the site.
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"A notification link is a path on this site, not {link!r}.")
    if not dedupe_key or len(dedupe_key) > _DEDUPE_KEY_MAX_LENGTH:
        raise ValueError(
            f"A notification needs a dedupe_key naming its event, of {_DEDUPE_KEY_MAX_LENGTH}"
            " characters at most."
        )
    # The title is checked in the installation's language before anything is written, so a
    # title too long in English fails whoever the recipients are.
    with translation.override(settings.LANGUAGE_CODE):
        titles = {settings.LANGUAGE_CODE: _checked_title(title, settings.LANGUAGE_CODE)}

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
        .values_list("pk", "email", "language")
    )
    if not recipients:
        return 0

    now = timezone.now()
    # Each officer's title and e-mail in their own language, composed once per language.
    texts: dict[str, tuple[str, str, str]] = {}
    for _pk, _email, language in recipients:
        language = recipient_language(language)
        if language not in texts:
            with translation.override(language):
                if language not in titles:  # the installation's is composed already
                    titles[language] = _checked_title(title, language)
                text = titles[language]
                texts[language] = (text, *_email_for(title=text, link=link))
    notified = _insert_new_notifications(
        [(pk, texts[recipient_language(language)][0]) for pk, _email, language in recipients],
        kind=kind,
        link=link,
        object_type=object_type,
        object_id=str(object_id),
        dedupe_key=dedupe_key,
        created_at=now,
    )
    # Mail to the officers notified now only (the outbox's own unique key would drop a second
    # message anyway).
    messages = [
        OutboxMessage(
            to=email,
            subject=texts[recipient_language(language)][1],
            body=texts[recipient_language(language)][2],
            dedupe_key=f"{dedupe_key}:{pk}",
            created_at=now,
        )
        for pk, email, language in recipients
        if email and pk in notified
    ]
    if messages:
        OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
        # After commit only (a rollback sends nothing); a broker outage is logged, not raised,
        # and the rows wait for the next periodic run (see selec.celery.Task).
        relay_outbox.delay_once_on_commit()
    return len(notified)


def _insert_new_notifications(
    rows: list[tuple[int, str]],
    *,
    kind: str,
    link: str,
    object_type: str,
    object_id: str,
    dedupe_key: str,
    created_at: dt.datetime,
) -> set[int]:
    """Write each (officer, title) notification of the event that no earlier call wrote, in
    one statement: the unique (officer, dedupe_key) skips those already there, whether written
    before or by a concurrent transaction that won the race. Returns the officers written now.

    SQL of its own because Django's ``bulk_create(ignore_conflicts=True)`` cannot say which
    rows it wrote; reading them first cost one more query on every notifying write."""
    quote = connection.ops.quote_name
    table = quote(Notification._meta.db_table)
    columns = ", ".join(
        _column(Notification, name)
        for name in (
            "officer",
            "title",
            "kind",
            "link",
            "object_type",
            "object_id",
            "dedupe_key",
            "created_at",
        )
    )
    officer, dedupe = _column(Notification, "officer"), _column(Notification, "dedupe_key")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (identifiers from model metadata)
            "SELECT n.officer_id, n.title, %s, %s, %s, %s, %s, %s "
            "FROM UNNEST(%s::bigint[], %s::text[]) AS n(officer_id, title) "
            f"ON CONFLICT ({officer}, {dedupe}) DO NOTHING RETURNING {officer}",
            [
                kind,
                link,
                object_type,
                object_id,
                dedupe_key,
                created_at,
                [pk for pk, _title in rows],
                [title for _pk, title in rows],
            ],
        )
        return {row[0] for row in cursor.fetchall()}


def _column(model: type[models.Model], field_name: str) -> str:
    """A column of the model's table, quoted for SQL."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{field_name} is not a column")
    return connection.ops.quote_name(field.column)


def recipient_language(language: str) -> str:
    """The language an officer reads: their own choice while the installation offers it,
    otherwise the installation's (an e-mail has no browser to ask)."""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def in_language_of(officer: Officer) -> translation.override:
    """Compose what the officer will read away from the pages (an e-mail) in their language."""
    return translation.override(recipient_language(getattr(officer, "language", "")))


def _checked_title(title: Title, language: str) -> str:
    """The title's text in the active language: one line of the length a notification holds
    (the title is also the e-mail's subject, where a line break is refused). The caller's own
    text (the installation's language) must fit; a translation that does not is made to fit
    rather than lose the notification."""
    text = title() if callable(title) else str(title)
    fits = text and len(text) <= _TITLE_MAX_LENGTH and "\n" not in text and "\r" not in text
    if fits:
        return text
    if language == settings.LANGUAGE_CODE or not text:
        raise ValueError(
            f"A notification title is one line of 1 to {_TITLE_MAX_LENGTH} characters."
        )
    line = " ".join(text.split())
    return line if len(line) <= _TITLE_MAX_LENGTH else line[: _TITLE_MAX_LENGTH - 1] + "…"


def _email_for(*, title: str, link: str) -> tuple[str, str]:
    url = settings.SITE_URL.rstrip("/") + (link or "/")
    notice = gettext(
        "Sign in to SELEC Exchange to read it. This message never carries the content "
        "of an exchange."
    )
    return f"[SELEC Exchange] {title}", f"{title}\n\n{url}\n\n{notice}\n"


def outbox_relay(*, batch_size: int = 100) -> int:
    """Send up to ``batch_size`` unsent e-mails, one at a time; return how many were sent.

    Each message is claimed by a statement of its own (SKIP LOCKED, so concurrent
    relays share the work), sent outside any transaction, and marked sent in another short
    transaction only if the claim still holds. A relay killed between a send and its mark
    leaves one claimed message, sent again once the claim's lease runs out: at most one
    message per killed relay is sent twice, and it carries the same Message-ID both times
    (:func:`outbox_message_id`), so a receiving system can tell the repeat. A failed send
    counts an attempt, keeps the error and frees the claim for the next run; a failing server
    ends the batch. Fewest attempts first: a message that keeps failing holds back no other.
    """
    sent = 0
    tried: list[int] = []
    # One connection for the batch; each send opens it again if a failure closed it.
    mail_connection = get_connection()
    try:
        while len(tried) < batch_size:
            claimed = _outbox_claim(exclude=tried)
            if claimed is None:
                break
            message, token = claimed
            tried.append(message.pk)
            try:
                _email_of(message, connection=mail_connection).send()
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:_LAST_ERROR_MAX_LENGTH]
                _outbox_mark(message, token, error=error)
                if _mail_server_failed(exc):
                    # The rest would fail alike, each after its own timeout: they wait for the
                    # next run, untouched.
                    break
            else:
                _outbox_mark(message, token, error="")
                sent += 1
    finally:
        mail_connection.close()
    return sent


def outbox_claim_lease() -> dt.timedelta:
    """How long a claim keeps other relays off a message. Longer than one send can last (each
    step of the SMTP conversation may take EMAIL_TIMEOUT), so that a slow send is not sent
    again beside itself; a relay killed mid-send delays its message by this much."""
    return dt.timedelta(seconds=10 * settings.EMAIL_TIMEOUT)


def outbox_message_id(message: OutboxMessage) -> str:
    """The Message-ID of the row's e-mail: the same at every attempt, and unique to the row
    (its id, and a digest of its event key in case ids restart in another database)."""
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:16]
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox.{message.pk}.{digest}@{domain}>"


def _outbox_claim(*, exclude: list[int]) -> tuple[OutboxMessage, uuid.UUID] | None:
    """Claim the next unsent message (not claimed, or its claim's lease run out), fewest
    attempts first, skipping those this batch tried already; None when none is left.

    One statement, committed on its own: the UPDATE picks the row (SKIP LOCKED, so that
    concurrent relays take different rows and never wait) and claims it. A SELECT ... FOR
    UPDATE and an UPDATE in a transaction cost four round trips where this costs one, for
    every message relayed (six for a request to three agencies) and the last, empty, claim."""
    now = timezone.now()
    token = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_next_sql(),
            {
                "token": token,
                "now": now,
                "lease_start": now - outbox_claim_lease(),
                "exclude": exclude,
            },
        )
        row = cursor.fetchone()
    if row is None:
        return None
    fields = [field.attname for field in OutboxMessage._meta.concrete_fields]
    return OutboxMessage.from_db(connection.alias, fields, row), token


@functools.cache
def _claim_next_sql() -> str:
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    pk, sent_at, attempts, claim_token, claimed_at = (
        _column(OutboxMessage, name)
        for name in ("id", "sent_at", "attempts", "claim_token", "claimed_at")
    )
    returned = ", ".join(
        connection.ops.quote_name(field.column) for field in OutboxMessage._meta.concrete_fields
    )
    # Identifiers from model metadata; every value is a parameter.
    return (
        f"UPDATE {table} SET {claim_token} = %(token)s, {claimed_at} = %(now)s "  # noqa: S608
        f"WHERE {pk} = (SELECT {pk} FROM {table} WHERE {sent_at} IS NULL "
        f"AND ({claimed_at} IS NULL OR {claimed_at} < %(lease_start)s) "
        f"AND NOT ({pk} = ANY (%(exclude)s::bigint[])) "
        f"ORDER BY {attempts}, {pk} LIMIT 1 FOR UPDATE SKIP LOCKED) "
        f"RETURNING {returned}"
    )


def _outbox_mark(message: OutboxMessage, token: uuid.UUID, *, error: str) -> None:
    """Record a send (``error`` empty) or a failure, and free the claim, if the claim is still
    this relay's. One UPDATE: its own short transaction."""
    marked = OutboxMessage.objects.filter(pk=message.pk, claim_token=token).update(
        sent_at=None if error else timezone.now(),
        attempts=F("attempts") + 1,
        last_error=error,
        claim_token=None,
        claimed_at=None,
    )
    if error:
        logger.warning(
            "Outbox message #%s not sent (attempt %s): %s", message.pk, message.attempts + 1, error
        )
    if not marked:
        # The lease ran out during the send and another relay took the message: it may be
        # delivered twice, under one Message-ID.
        logger.error("Outbox message #%s: claim lost during its send.", message.pk)


def _email_of(message: OutboxMessage, *, connection: BaseEmailBackend) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Message-ID": outbox_message_id(message)},
        connection=connection,
    )


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
