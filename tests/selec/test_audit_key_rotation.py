"""The audit key can be rotated: what was written under the previous key still verifies, what
is written after is signed with the new one, and nothing keyed by the old one is lost (the
chain, the anchor, the justifications, the readers' H3 confirmations)."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from exchanges.services.consultation import exchange_consult
from exchanges.services.on_receipt import exchange_confirm_restrictions
from exchanges.services.sending import exchange_forward
from partners.models import Agency, Officer, Party
from partners.services.directory import party_rename
from selec.core.audit import justification_of
from selec.core.audit_anchor import newest_anchored_head
from selec.core.audit_verification import audit_verify, first_broken_event
from selec.core.models import AuditEvent
from tests.exchanges.scenario import send
from tests.helpers import purpose_given

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_process_tasks")]

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


@pytest.fixture
def rotate(settings) -> Callable[[], bytes]:
    """Rotate the audit key as docs/operations.md says: a new current key under a new id, the
    old one kept among the previous keys. Returns the old key."""

    def rotate() -> bytes:
        old = settings.AUDIT_CHAIN_KEY
        settings.AUDIT_CHAIN_PREVIOUS_KEYS = {
            settings.AUDIT_CHAIN_KEY_ID: old,
            **settings.AUDIT_CHAIN_PREVIOUS_KEYS,
        }
        settings.AUDIT_CHAIN_KEY = os.urandom(32)
        settings.AUDIT_CHAIN_KEY_ID = "2"
        return old

    return rotate


def _renames(capture: Capture, directory_admin, *names: str) -> list[AuditEvent]:
    party = Party.objects.get(code="GE")
    for name in names:
        with capture(execute=True):
            party_rename(actor=directory_admin, party=party, name=name)
    return list(AuditEvent.objects.order_by("-id")[: len(names)])[::-1]


def test_the_log_verifies_across_a_rotation_and_new_events_name_the_new_key(
    django_capture_on_commit_callbacks: Capture, directory_admin, anchor: Path, rotate
) -> None:
    (before,) = _renames(django_capture_on_commit_callbacks, directory_admin, "Georgia 1")
    rotate()
    (after,) = _renames(django_capture_on_commit_callbacks, directory_admin, "Georgia 2")

    assert (before.key_id, after.key_id) == ("1", "2")
    assert before.chain_position is not None
    assert after.previous_hash == before.chain_hash
    verification = audit_verify()
    assert verification.intact, verification.describe()
    head = newest_anchored_head()
    assert head is not None
    assert head.event_id == after.pk
    assert anchor.read_text().splitlines()[-1].split()[4] == "2"


def test_a_previous_key_dropped_too_early_is_named(
    django_capture_on_commit_callbacks: Capture, directory_admin, settings, rotate
) -> None:
    _renames(django_capture_on_commit_callbacks, directory_admin, "Georgia 1")
    rotate()
    settings.AUDIT_CHAIN_PREVIOUS_KEYS = {}

    with pytest.raises(ImproperlyConfigured, match="Audit key '1' is not configured"):
        first_broken_event()
    with pytest.raises(CommandError, match="Audit key '1' is not configured"):
        call_command("verify_audit")


def test_a_justification_written_under_the_previous_key_still_reads(
    lo_ro: Officer, lo_bg: Officer, django_capture_on_commit_callbacks: Capture, rotate
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    with django_capture_on_commit_callbacks(execute=True):
        exchange_forward(
            officer=lo_bg,
            exchange=exchange,
            agency_ids=[Agency.objects.get(name="Bulgarian Customs Agency").pk],
            justification="The customs side of the same case.",
        )
    forwarded = AuditEvent.objects.latest("id")
    rotate()

    assert justification_of(forwarded) == "The customs side of the same case."


def test_a_reader_s_h3_confirmation_survives_the_rotation(
    lo_ro: Officer, lo_bg: Officer, rotate
) -> None:
    exchange = send(lo_ro, "Bulgarian Police", code="H3")
    purpose_given(lo_bg, exchange)
    exchange_confirm_restrictions(officer=lo_bg, exchange=exchange)
    rotate()

    content = exchange_consult(officer=lo_bg, exchange=exchange)

    assert content.body
