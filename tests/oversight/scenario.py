"""The fixture of the oversight tests: a few exchanges, consultations (each the first of its
thread by its officer, so carrying the purpose given), a forward, a hit between two providers,
a hit search and a refused attempt, each through the real services (or, for the
refusal, the real page), so the log holds the events they write."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from exchanges.models import Exchange
from exchanges.services.consultation import exchange_consult
from exchanges.services.sending import exchange_forward
from hits.matching import hit_search
from partners.models import Officer
from selec.core.models import AuditEvent
from tests.exchanges.scenario import agency_ids
from tests.helpers import purpose_given, verified_client
from tests.hits.scenario import match, person, report

FORWARD_WHY = "Case 12/2026 against Ion Marinescu"
SEARCH_WHY = "Operation Danube, request 17"
CONSULT_WHY = "Inquiry 4/2026 into the Ruse couriers"


@dataclass(frozen=True)
class Logged:
    romanian: Exchange  # lo.ro's report, consulted, forwarded, in a hit, refused to lo.gr
    bulgarian: Exchange  # lo.bg's report of the same person: the hit's other side
    baseline: int  # the last event before the scenario's


def events_since(baseline: int) -> list[AuditEvent]:
    """The scenario's events, newest first (the search's order)."""
    return list(AuditEvent.objects.filter(pk__gt=baseline).order_by("-occurred_at", "-id"))


def log_scenario(
    *, lo_ro: Officer, lo_bg: Officer, lo_tr: Officer, outsider: Officer, client: Client
) -> Logged:
    baseline = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    marinescu = person("Ion Marinescu")
    romanian = report(lo_ro, marinescu, subject="Marinescu, courier")
    bulgarian = report(lo_bg, marinescu, subject="Marinescu at Ruse")
    assert match(bulgarian) == 1
    purpose_given(lo_tr, romanian, CONSULT_WHY)
    purpose_given(lo_tr, bulgarian, CONSULT_WHY)
    exchange_consult(officer=lo_tr, exchange=romanian)
    exchange_consult(officer=lo_tr, exchange=bulgarian)
    exchange_forward(
        officer=lo_tr,
        exchange=romanian,
        agency_ids=agency_ids("Albanian State Police"),
        justification=FORWARD_WHY,
    )
    hit_search(
        officer=lo_ro,
        justification=SEARCH_WHY,
        kind="person",
        attributes={"names": "Ion Marinescu", "date_of_birth": "1980-04-12"},
    )
    refused = verified_client(client, outsider).get(f"/exchanges/{romanian.reference}/")
    assert refused.status_code == 404
    client.logout()
    return Logged(romanian=romanian, bulgarian=bulgarian, baseline=baseline)
