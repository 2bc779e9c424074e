"""The figures of what an officer does: sending a request with entities and an attachment,
and a hit/no-hit search."""

from __future__ import annotations

from bench.http_load import recipient_agency_ids
from bench.load_client import ATTACHMENT_BYTES, padded_pdf
from bench.measure import Figure, Plan, fresh_officer, measure
from exchanges.models import Entity, Priority
from exchanges.services.inputs import AttachmentInput, EntityInput, Evaluation, Message
from exchanges.services.sending import exchange_send
from hits.matching import SearchAnswer, hit_search
from partners.models import Officer, PartyStatus
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea

# --- Sending ---------------------------------------------------------------------------------

# The 100 KB PDF the HTTP benchmark's officers attach.
ATTACHMENT = padded_pdf(ATTACHMENT_BYTES)


def _send_message() -> Message:
    return Message(
        subject="Request for checks on a truck crossing at Kapitan Andreevo",
        body="According to information received from our national unit " * 12,
        restrictions=Restrictions(dissemination=True),
        personal_data=True,
        evaluation=Evaluation(source_reliability="B", information_accuracy="2"),
        entities=(
            EntityInput(
                "person",
                {"names": "Marko Petrović", "date_of_birth": "1984-02-03", "nationality": "RS"},
            ),
            EntityInput("phone", {"number": "+40 721 234 567"}),
        ),
        attachments=(AttachmentInput("report.pdf", "application/pdf", ATTACHMENT),),
    )


def send(username: str, plan: Plan, *, transport: str) -> Figure:
    """``exchange_send`` of a request to three agencies (those the HTTP benchmark's sends
    address), with two entities and a 100 KB attachment: committed, its tasks queued on the bench's broker (``bench.queueing``)."""
    fresh = fresh_officer(username)
    recipients = recipient_agency_ids(fresh())
    crime_area = CrimeArea.objects.order_by("position", "pk").values_list("pk", flat=True)[0]
    message = _send_message()

    def run(officer: Officer) -> object:
        return exchange_send(
            officer=officer,
            kind="request",
            recipient_agency_ids=recipients,
            crime_area_id=crime_area,
            priority=Priority.ROUTINE,
            message=message,
        )

    figure = measure(run, fresh, times=plan.repeat, warmup=plan.warmup)
    figure.extra["broker"] = transport
    return figure


# --- Hit/no-hit ------------------------------------------------------------------------------


def hit_lookup(username: str, plan: Plan) -> Figure:
    """A hit/no-hit search for a person another provider holds (name and date of birth)."""
    fresh = fresh_officer(username)
    officer = fresh()
    held = (
        Entity.objects.filter(
            kind="person", exchange__sender_agency__party__status=PartyStatus.MEMBER
        )
        .exclude(exchange__sender_agency_id=officer.agency_id)
        .order_by("pk")
        .first()
    )
    assert held is not None
    attributes = {k: held.attributes[k] for k in ("names", "date_of_birth") if k in held.attributes}

    def run(officer: Officer) -> list[SearchAnswer]:
        return hit_search(
            officer=officer,
            justification="Checking a suspect named in an incoming request.",
            kind="person",
            attributes=attributes,
        )

    figure = measure(run, fresh, times=plan.repeat, warmup=plan.warmup)
    figure.extra["hits"] = sum(a.hit for a in run(fresh()))
    return figure
