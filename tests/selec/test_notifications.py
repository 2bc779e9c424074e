"""Notifications: in the application, and by e-mail through the outbox and its relay."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connections, transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext

from exchanges.models import ExchangeNotificationKind
from partners.models import Officer
from selec.celery import app as project_app
from selec.core.models import Notification, OutboxMessage
from selec.core.notifications import (
    notification_mark_read,
    notifications_for,
    notifications_mark_all_read,
    notify_officers,
    outbox_relay,
    unread_notifications_count,
)
from selec.core.tasks import relay_outbox
from tests.selec.test_settings import PRODUCTION_ENV, _manage

TITLE = "New request SELEC-2026-000123 from RO"
LINK = "/exchanges/SELEC-2026-000123/"


def _notify(
    officers: Iterable[Officer],
    *,
    dedupe_key: str = "new_exchange:123",
    title: str | Callable[[], str] = TITLE,
    link: str = LINK,
) -> int:
    """An event's transaction that notifies ``officers``."""
    with transaction.atomic():
        return notify_officers(
            officers=officers,
            kind=ExchangeNotificationKind.NEW_EXCHANGE,
            title=title,
            link=link,
            object_type="exchanges.exchange",
            object_id="123",
            dedupe_key=dedupe_key,
        )


def _personas(*usernames: str) -> list[Officer]:
    return [Officer.objects.get(username=username) for username in usernames]


def _unsent() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()


# --- notify_officers ---------------------------------------------------------------------------


def test_it_writes_one_notification_and_one_email_per_officer(
    lo_bg: Officer, nfp_bg: Officer
) -> None:
    assert _notify([lo_bg, nfp_bg]) == 2

    notifications = Notification.objects.order_by("officer__username")
    assert [
        (n.officer, n.kind, n.title, n.link, n.object_type, n.object_id, n.read_at)
        for n in notifications
    ] == [
        (lo_bg, "new_exchange", TITLE, LINK, "exchanges.exchange", "123", None),
        (nfp_bg, "new_exchange", TITLE, LINK, "exchanges.exchange", "123", None),
    ]
    assert sorted(OutboxMessage.objects.values_list("to", "dedupe_key", "sent_at")) == sorted(
        [
            (lo_bg.email, f"new_exchange:123:{lo_bg.pk}", None),
            (nfp_bg.email, f"new_exchange:123:{nfp_bg.pk}", None),
        ]
    )


def test_each_officer_reads_the_title_and_the_email_in_their_own_language(
    lo_bg: Officer, nfp_bg: Officer
) -> None:
    Officer.objects.filter(pk=lo_bg.pk).update(language="bg")
    Officer.objects.filter(pk=nfp_bg.pk).update(language="")  # the installation's language
    with translation.override("bg"):
        # The sender's language is not the recipients': each title is composed for its reader.
        assert _notify([lo_bg, nfp_bg], title=lambda: gettext("Yes")) == 2

    titles = dict(Notification.objects.values_list("officer__username", "title"))
    assert titles == {lo_bg.username: "Да", nfp_bg.username: "Yes"}
    mails = {m.to: m for m in OutboxMessage.objects.all()}
    assert mails[lo_bg.email].subject == "[SELEC Exchange] Да"
    assert "SELEC Exchange" in mails[lo_bg.email].body
    assert "This message never carries the content" not in mails[lo_bg.email].body
    assert mails[nfp_bg.email].subject == "[SELEC Exchange] Yes"
    assert "This message never carries the content" in mails[nfp_bg.email].body


def test_a_title_too_long_in_the_installations_language_is_refused_before_anything_is_written(
    lo_bg: Officer,
) -> None:
    with pytest.raises(ValueError, match="one line"):
        _notify([lo_bg], title=lambda: "x" * 1000)
    assert Notification.objects.count() == 0


def test_it_never_notifies_an_officer_twice_of_the_same_event(
    lo_bg: Officer, nfp_bg: Officer
) -> None:
    _notify([lo_bg])

    assert _notify([lo_bg, nfp_bg]) == 1  # only nfp.bg hears of it now
    assert _notify([lo_bg, nfp_bg]) == 0
    assert Notification.objects.count() == 2
    assert OutboxMessage.objects.count() == 2
    # Another event is another notification.
    assert _notify([lo_bg], dedupe_key="new_exchange:124") == 1


def test_it_takes_a_queryset_of_officers(lo_bg: Officer, nfp_bg: Officer) -> None:
    assert _notify(Officer.objects.filter(pk__in=[lo_bg.pk, nfp_bg.pk])) == 2


def test_an_inactive_officer_gets_nothing_and_one_without_email_no_email(
    lo_bg: Officer, nfp_bg: Officer, lo_ro: Officer
) -> None:
    Officer.objects.filter(pk=lo_bg.pk).update(is_active=False)
    Officer.objects.filter(pk=nfp_bg.pk).update(email="")

    assert _notify([lo_bg, nfp_bg, lo_ro]) == 2

    assert set(Notification.objects.values_list("officer", flat=True)) == {nfp_bg.pk, lo_ro.pk}
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == [lo_ro.email]


def test_the_email_carries_the_title_and_an_absolute_link_only(lo_bg: Officer, settings) -> None:
    settings.SITE_URL = "https://selec.example.org"
    _notify([lo_bg])

    message = OutboxMessage.objects.get()
    assert message.subject == f"[SELEC Exchange] {TITLE}"
    assert message.body == (
        f"{TITLE}\n\n"
        f"https://selec.example.org{LINK}\n\n"
        "Sign in to SELEC Exchange to read it. This message never carries the content "
        "of an exchange.\n"
    )


@pytest.mark.parametrize("link", ["https://phish.example.com/x", "//phish.example.com/x", "x/"])
def test_a_link_off_the_site_is_refused(lo_bg: Officer, link: str) -> None:
    with pytest.raises(ValueError, match="path on this site"):
        _notify([lo_bg], link=link)
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("title", "dedupe_key"),
    [("", "k"), ("Two\nlines", "k"), ("x" * 201, "k"), (TITLE, ""), (TITLE, "k" * 201)],
)
def test_a_title_or_dedupe_key_that_cannot_be_stored_or_mailed_is_refused(
    lo_bg: Officer, title: str, dedupe_key: str
) -> None:
    with pytest.raises(ValueError, match=r"title|dedupe_key"):
        _notify([lo_bg], title=title, dedupe_key=dedupe_key)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction() -> None:
    # Notifying outside the event's transaction could announce an event that rolls back.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        notify_officers(
            officers=[], kind=ExchangeNotificationKind.REPLY, title=TITLE, dedupe_key="r:1"
        )


def test_a_rolled_back_event_notifies_no_one_and_queues_nothing(
    lo_bg: Officer, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    def event_that_fails_after_notifying() -> None:
        with transaction.atomic():
            _notify([lo_bg])
            raise LookupError("the event's own work failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(LookupError),
    ):
        event_that_fails_after_notifying()

    assert callbacks == []
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mailoutbox == []


def test_without_a_broker_the_relay_runs_in_process_after_commit(
    lo_bg: Officer,
    nfp_bg: Officer,
    in_process_tasks,
    django_capture_on_commit_callbacks,
    mailoutbox,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _notify([lo_bg, nfp_bg])
        assert mailoutbox == []  # nothing before the commit

    assert sorted(m.to[0] for m in mailoutbox) == sorted([lo_bg.email, nfp_bg.email])
    assert _unsent() == 0


# --- Broker outage -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_fails_neither_the_commit_nor_the_mail(
    unreachable_broker, mailoutbox, caplog
) -> None:
    call_command(
        "seed_demo", "--personas-only", verbosity=0
    )  # a transactional test starts from an empty database
    lo_bg, nfp_bg = _personas("lo.bg", "nfp.bg")
    later_callbacks: list[str] = []

    # A real commit, running the real on-commit callbacks.
    with caplog.at_level(logging.WARNING, logger="selec.celery"), transaction.atomic():
        _notify([lo_bg, nfp_bg])
        transaction.on_commit(lambda: later_callbacks.append("ran"))

    # Logged once, for the first task the commit queued (the others are skipped quietly).
    assert caplog.text.count("Broker unreachable: ") == 1
    assert "was not queued after commit" in caplog.text
    # The event's other after-commit work is not skipped.
    assert later_callbacks == ["ran"]
    # Committed, and nothing lost: the e-mails wait in the outbox.
    assert Notification.objects.count() == 2
    assert _unsent() == 2
    assert mailoutbox == []

    # The periodic run (or the command) sends them, each once.
    assert outbox_relay() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([lo_bg.email, nfp_bg.email])
    assert outbox_relay() == 0
    assert len(mailoutbox) == 2
    assert _unsent() == 0


# --- The relay ---------------------------------------------------------------------------------


def test_a_failed_send_stays_in_the_outbox_with_its_error(
    lo_bg: Officer, nfp_bg: Officer, settings, mailoutbox
) -> None:
    _notify([lo_bg, nfp_bg])
    # A real SMTP client, against a port where nothing listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9
    settings.EMAIL_TIMEOUT = 5

    assert outbox_relay() == 0
    # The server, not the message, failed: the run stopped instead of trying every message.
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 1]
    assert outbox_relay() == 0

    messages = OutboxMessage.objects.all()
    assert [(m.sent_at, m.attempts) for m in messages] == [(None, 1), (None, 1)]
    assert all(m.last_error.startswith("ConnectionRefusedError") for m in messages)

    # Once the mail server answers, the next run sends them and forgets the errors.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_relay() == 2
    assert [(m.sent_at is not None, m.attempts, m.last_error) for m in messages.all()] == [
        (True, 2, ""),
        (True, 2, ""),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([lo_bg.email, nfp_bg.email])


def test_a_message_that_keeps_failing_does_not_hold_back_new_ones(
    lo_bg: Officer, nfp_bg: Officer, mailoutbox
) -> None:
    _notify([lo_bg])
    OutboxMessage.objects.update(attempts=7, last_error="SMTPRecipientsRefused: ...")
    _notify([nfp_bg], dedupe_key="new_exchange:124")

    assert outbox_relay(batch_size=1) == 1
    assert [m.to for m in mailoutbox] == [[nfp_bg.email]]


@pytest.mark.django_db(transaction=True)
def test_concurrent_relays_never_send_a_message_twice(mailoutbox) -> None:
    for number in range(2):
        OutboxMessage.objects.create(
            to=f"officer{number}@demo.selec.invalid", subject="s", body="b", dedupe_key=str(number)
        )
    locked = threading.Event()
    release = threading.Event()

    def relay_in_the_middle_of_its_batch() -> None:
        try:
            with transaction.atomic():
                list(OutboxMessage.objects.select_for_update())
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    other = threading.Thread(target=relay_in_the_middle_of_its_batch)
    other.start()
    try:
        assert locked.wait(timeout=30)
        assert outbox_relay() == 0  # skips the rows another run holds: neither waits nor sends
    finally:
        release.set()
        other.join(timeout=30)
    assert outbox_relay() == 2
    assert outbox_relay() == 0
    assert len(mailoutbox) == 2


def test_the_command_drains_the_outbox_and_prints_counts(
    lo_bg: Officer, nfp_bg: Officer, mailoutbox
) -> None:
    _notify([lo_bg, nfp_bg])
    out = StringIO()

    call_command("relay_outbox", "--batch-size", "1", stdout=out)

    assert out.getvalue().strip() == "Outbox relayed: 2 sent, 0 left unsent."
    assert len(mailoutbox) == 2


def test_the_relay_runs_every_minute_and_may_be_delivered_twice() -> None:
    assert django_settings.CELERY_BEAT_SCHEDULE["relay-outbox"] == {
        "task": "selec.core.tasks.relay_outbox",
        "schedule": 60.0,
    }
    task = project_app.tasks["selec.core.tasks.relay_outbox"]
    # acks_late is safe only because the relay is idempotent (see the tests above).
    assert task.acks_late is True
    assert task.name == relay_outbox.name


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_relays_the_outbox_after_commit(celery_worker, mailoutbox) -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)
    lo_bg, nfp_bg = _personas("lo.bg", "nfp.bg")

    # The commit puts relay_outbox on the broker; the worker thread takes it from there.
    _notify([lo_bg, nfp_bg])

    deadline = time.monotonic() + 20
    while _unsent():
        assert time.monotonic() < deadline, "the worker did not relay the outbox"
        time.sleep(0.1)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([lo_bg.email, nfp_bg.email])


# --- Reading and marking read ------------------------------------------------------------------


def test_the_unread_count_and_the_list_are_the_officers_own_newest_first(
    lo_bg: Officer, outsider: Officer, django_assert_num_queries
) -> None:
    for number in range(3):
        _notify([lo_bg, outsider], dedupe_key=f"new_exchange:{number}", title=f"Request {number}")
    _notify([outsider], dedupe_key="reply:1", title="Reply for the outsider")

    assert unread_notifications_count(lo_bg) == 3
    with django_assert_num_queries(1):
        titles = [n.title for n in notifications_for(lo_bg, limit=2)]
    assert titles == ["Request 2", "Request 1"]


def test_an_officer_marks_a_notification_read_once(lo_bg: Officer) -> None:
    _notify([lo_bg])
    notification = Notification.objects.get()

    first = notification_mark_read(officer=lo_bg, notification_id=notification.pk)
    again = notification_mark_read(officer=lo_bg, notification_id=notification.pk)

    assert first.read_at is not None
    assert again.read_at == first.read_at
    assert unread_notifications_count(lo_bg) == 0
    assert [n.pk for n in notifications_for(lo_bg)] == [notification.pk]  # read ones stay listed


def test_another_officers_notification_answers_404_like_a_missing_one(
    lo_bg: Officer, outsider: Officer
) -> None:
    _notify([lo_bg])
    notification = Notification.objects.get()

    with pytest.raises(Http404):
        notification_mark_read(officer=outsider, notification_id=notification.pk)
    with pytest.raises(Http404):
        notification_mark_read(officer=outsider, notification_id=notification.pk + 1000)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_touches_only_the_officers_unread(lo_bg: Officer, outsider: Officer) -> None:
    _notify([lo_bg, outsider])
    _notify([lo_bg], dedupe_key="reply:9")

    assert notifications_mark_all_read(officer=lo_bg) == 2
    assert notifications_mark_all_read(officer=lo_bg) == 0
    assert unread_notifications_count(lo_bg) == 0
    assert unread_notifications_count(outsider) == 1


# --- Settings ----------------------------------------------------------------------------------


def test_production_refuses_to_start_without_a_mail_server() -> None:
    env = {**PRODUCTION_ENV, "EMAIL_URL": ""}  # empty, whatever the calling shell has
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "EMAIL_URL is required in production" in result.stderr


def test_production_reads_the_mail_server_and_links_to_the_first_allowed_host() -> None:
    env = {**PRODUCTION_ENV, "EMAIL_URL": "smtp+tls://relay:secret@mail.example.org:587"}
    script = (
        "from django.conf import settings as s; "
        "print(s.SITE_URL, s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"
    )
    result = _manage(env, "shell", "--verbosity", "0", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://selec.example.org",
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "587",
        "True",
    ]
