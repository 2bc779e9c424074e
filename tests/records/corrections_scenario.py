"""Building corrections and inaccuracy flags for tests, through the real services."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from exchanges.models import Exchange
from partners.models import AccessConfirmation, Agency, Officer, Role
from partners.services.access_confirmations import officer_access_decide
from partners.services.officers import officer_create
from records.models import InaccuracyFlag, RecordsAuditEvent
from records.services_corrections import Corrected, Correction, exchange_correct
from records.services_flags import inaccuracy_flag_file
from selec.core.models import AuditEvent, Justification, Notification
from tests.exchanges.scenario import send

# Each holder of a copy: the addressed recipients of ``sent_to_three``, and the agency one of
# them forwards it to.
ADDRESSED = ("Bulgarian Police", "Turkish Customs")
FORWARDED_TO = "Hellenic Police"
OLD_BODY = "Container MSCU 123456-7 expected on 3 December."


def correct(officer: Officer, exchange: Exchange, **given: Any) -> Corrected:
    return exchange_correct(officer=officer, exchange=exchange, correction=Correction(**given))


def flag(officer: Officer, exchange: Exchange, note: str = "The plate is wrong.") -> InaccuracyFlag:
    return inaccuracy_flag_file(officer=officer, exchange=exchange, note=note)


def personal_report(officer: Officer, *to: str) -> Exchange:
    """An information exchange carrying one person (evaluated B2), addressed to ``to``."""
    return send(officer, *(to or ADDRESSED), personal=True, kind="information")


def notices(kind: str) -> dict[str, list[str]]:
    """The titles of the notices of one kind, by the username of the officer notified."""
    found: dict[str, list[str]] = {}
    for username, title in Notification.objects.filter(kind=kind).values_list(
        "officer__username", "title"
    ):
        found.setdefault(username, []).append(title)
    return found


def events(event: RecordsAuditEvent) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=event).order_by("pk"))


def rows_holding(text: str, model: type[AuditEvent] | type[Justification]) -> int:
    """How many rows of the model's table hold ``text`` anywhere, in any column."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} t WHERE t::text LIKE %s", [f"%{text}%"])  # noqa: S608 - the table's name is the model's
        (count,) = cursor.fetchone()
    return int(count)


def colleague_of_lo_ro(nfp_ro: Officer) -> Officer:
    """A second liaison officer of the Romanian Police, confirmed by Romania's NFP: a provider's
    officer who did not write the exchange."""
    officer = officer_create(
        actor=None,
        username="lo.ro.two",
        password=None,
        role=Role.LIAISON_OFFICER,
        agency=Agency.objects.get(name="Romanian Police"),
        first_name="Mihai",
        last_name="Stoica",
        email="lo.ro.two@example.org",
    )
    pending = AccessConfirmation.objects.filter(officer=officer, status="pending").first()
    if pending is not None:
        officer_access_decide(actor=nfp_ro, confirmation_id=pending.pk, confirm=True)
    TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    return Officer.objects.select_related("agency__party").get(pk=officer.pk)
