"""Building hits for tests: two providers report entities through the real services, and the
matching runs as the after-commit task would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Unpack

from exchanges.models import Exchange
from exchanges.services.inputs import EntityInput
from exchanges.services.sending import exchange_reply
from hits.matching import exchange_match
from hits.models import Hit
from partners.models import Officer
from selec.core.models import AuditEvent
from tests.exchanges.scenario import MessageText, message, send

# Recipient of every report: an agency that receives both providers' exchanges but provides
# neither, so it has no hit of its own.
RECIPIENT = "Turkish Customs"
A_DATE_OF_BIRTH = "1980-04-12"


def person(names: str, date_of_birth: str | None = A_DATE_OF_BIRTH, **more: object) -> EntityInput:
    attributes: dict[str, object] = {"names": names, **more}
    if date_of_birth is not None:
        attributes["date_of_birth"] = date_of_birth
    return EntityInput("person", attributes)


def report(
    officer: Officer,
    *entities: EntityInput,
    code: str = "H0",
    to: Sequence[str] = (RECIPIENT,),
    **message_kwargs: Unpack[MessageText],
) -> Exchange:
    """An information exchange carrying the entities, sent by the officer's agency."""
    return send(
        officer,
        *to,
        code=code,
        personal=True,
        kind="information",
        entities=list(entities),
        attachments=(),
        **message_kwargs,
    )


def reply(officer: Officer, parent: Exchange, *entities: EntityInput) -> Exchange:
    return exchange_reply(
        officer=officer,
        parent=parent,
        message=message(personal=True, entities=list(entities), attachments=()),
    )


def match(*exchanges: Exchange) -> int:
    """Run the matching of each exchange, as its after-commit task does; the new hits."""
    return sum(exchange_match(exchange_id=exchange.pk) for exchange in exchanges)


def hit_between(first: Exchange, second: Exchange) -> Hit | None:
    ids = {first.pk, second.pk}
    for hit in Hit.objects.filter(exchange_a__in=ids, exchange_b__in=ids):
        if {hit.exchange_a_id, hit.exchange_b_id} == ids:
            return hit
    return None


def a_hit(
    first: Officer,
    second: Officer,
    *,
    codes: tuple[str, str] = ("H0", "H0"),
    names: tuple[str, str] = ("Ђорђе Ђорђевић", "Djordje Djordjevic"),
) -> Hit:
    """Two providers report one man (by default in Serbian Cyrillic, then in Latin letters
    without diacritics). Each call needs names of its own to make exactly one hit."""
    mine = report(first, person(names[0]), code=codes[0])
    theirs = report(second, person(names[1]), code=codes[1])
    match(mine, theirs)
    hit = hit_between(mine, theirs)
    assert hit is not None
    return hit


def _hit_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="exchanges.hit"))
