"""What the tests of the hits pages share: the pages' addresses, the masked side, and a report
whose every field carries a canary that must never reach the other side."""

from __future__ import annotations

from django.test import Client

from exchanges.services.inputs import EntityInput
from hits.selectors import MASKED_SIDE
from partners.models import Officer
from tests.hits.scenario import person, report

HITS = "/hits/"
SEARCH = "/hits/search/"
MASKED = str(MASKED_SIDE)


def _page(client: Client, path: str = HITS) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


CANARIES = {
    "ro": ("Zqsubjectro", "Zqbodyro", "Zqdocro", "ZQ 11 ROX", "Zqnickro"),
    "bg": ("Zqsubjectbg", "Zqbodybg", "Zqdocbg", "ZQ 22 BGX", "Zqnickbg"),
}
NAMES = ("Ђорђе Ђорђевић", "Djordje Djordjevic", "Djordjevic", "1980-04-12", "19800412")


def _canary_report(officer: Officer, side: str, names: str, code: str = "H0"):
    subject, body, document, plate, alias = CANARIES[side]
    return report(
        officer,
        person(
            names,
            "1980-04-12" if side == "ro" else "19800412",
            aliases=[alias],
            nationality="RS",
            documents=[{"type": document, "number": f"{side}-998877"}],
        ),
        EntityInput("vehicle", {"plate": plate, "make": document}),
        subject=subject,
        body=body,
        code=code,
    )


def _assert_no_content(text: str, *, sides: tuple[str, ...] = ("ro", "bg")) -> None:
    for side in sides:
        for canary in CANARIES[side]:
            assert canary not in text
    for value in NAMES:
        assert value not in text
