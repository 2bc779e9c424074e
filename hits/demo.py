"""Demo data of hit/no-hit matching: lo.ro and lo.bg each report the same man, one in Latin
letters, the other in Bulgarian Cyrillic with the date of birth written another way, so that
the demo shows one hit (and, the Bulgarian report being under H2, the masked other side)."""

from __future__ import annotations

from django.db.models import Q

from exchanges.models import EntityKind, ExchangeKind, Priority
from exchanges.services.inputs import EntityInput, Evaluation, Message
from exchanges.services.sending import exchange_send
from hits.matching import exchange_match
from hits.models import Hit
from partners.models import Agency, Officer
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea

_EVALUATED = Evaluation(source_reliability="B", information_accuracy="2")

# (author, recipient agency, message): the same person, spelled each side's way.
_REPORTS = (
    (
        "lo.ro",
        "Turkish Customs",
        Message(
            subject="Courier of heroin consignments through Giurgiu",
            body="A Bulgarian national drives the consignments across the Danube bridge; "
            "please check your records for his earlier crossings.",
            personal_data=True,
            evaluation=_EVALUATED,
            entities=[
                EntityInput(
                    EntityKind.PERSON,
                    {"names": "Stoyan Petrov", "date_of_birth": "1975-03-14", "nationality": "BG"},
                )
            ],
        ),
    ),
    (
        "lo.bg",
        "Albanian State Police",
        Message(
            subject="Driver of a heroin network based in Ruse",
            body="Identified during surveillance of the network's warehouse.",
            restrictions=Restrictions(dissemination=True),
            personal_data=True,
            evaluation=_EVALUATED,
            entities=[
                EntityInput(
                    EntityKind.PERSON,
                    {"names": "Стоян Петров", "date_of_birth": "19750314", "nationality": "BG"},
                )
            ],
        ),
    ),
)


def _demo_hit_exists(sender_ids: list[int]) -> bool:
    a, b = sender_ids
    return Hit.objects.filter(
        Q(exchange_a__sender_agency_id=a, exchange_b__sender_agency_id=b)
        | Q(exchange_a__sender_agency_id=b, exchange_b__sender_agency_id=a)
    ).exists()


def seed_demo_hit() -> bool:
    """Send the two reports and match them, unless their hit exists already (idempotent).
    Returns whether the reports were sent now."""
    authors = {o.username: o for o in Officer.objects.filter(username__in=["lo.ro", "lo.bg"])}
    if len(authors) < 2:
        return False
    senders = [authors["lo.ro"].agency_id, authors["lo.bg"].agency_id]
    # The demo officers are seeded with agencies (were one missing, no hit would match and the
    # send below would refuse them).
    if _demo_hit_exists(senders):  # type: ignore[arg-type]
        return False
    drugs = CrimeArea.objects.get(code="drugs")
    for username, recipient, message in _REPORTS:
        exchange = exchange_send(
            officer=authors[username],
            kind=ExchangeKind.INFORMATION,
            recipient_agency_ids=[Agency.objects.get(name=recipient).pk],
            crime_area_id=drugs.pk,
            priority=Priority.URGENT,
            message=message,
        )
        # At once rather than after the commit: the demo must not wait for a worker.
        exchange_match(exchange_id=exchange.pk)
    return True
