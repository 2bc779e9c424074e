"""The hits endpoints of the REST API: the same scope, masking and search as the pages."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from exchanges.services.inputs import EntityInput
from hits.selectors import MASKED_SIDE
from partners.models import Agency, Officer
from selec.core.audit import justification_of
from selec.core.models import AuditAction, AuditEvent
from tests.helpers import issued_token
from tests.hits.scenario import a_hit, match, person, report

pytestmark = pytest.mark.django_db

HITS = "/api/v1/hits/"
SEARCH = "/api/v1/hits/search/"


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


def _hits(client: APIClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"{HITS}{query}")
    assert response.status_code == 200, response.content
    return response.json()


def _search_body(**entity: Any) -> dict[str, Any]:
    return {
        "justification": "Operation Danube, request 17",
        "entity": entity
        or {
            "kind": "person",
            "attributes": {"names": "Đorđe Đorđević", "date_of_birth": "1980-04-12"},
        },
    }


# --- The list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("lo_ro", True),
        ("nfp_bg", True),
        ("analyst", True),
        ("lo_tr", False),
        ("obs_at", False),
        ("dpo", False),
        ("directory_admin", False),
        ("outsider", False),
    ],
)
def test_the_list_has_the_page_s_scope(
    request: pytest.FixtureRequest, api, lo_ro: Officer, lo_bg: Officer, persona: str, sees: bool
) -> None:
    hit = a_hit(lo_ro, lo_bg)

    results = _hits(api(request.getfixturevalue(persona)))["results"]

    assert [row["id"] for row in results] == ([hit.pk] if sees else [])


def test_a_hit_names_your_side_then_the_other_provider_and_how_to_ask(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    hit = a_hit(lo_ro, lo_bg, codes=("H0", "H1"))
    bulgarian_police = Agency.objects.get(name="Bulgarian Police")

    (row,) = _hits(api(lo_ro))["results"]

    assert row["matched"] == ["Person (name and date of birth)"]
    mine, other = row["sides"]
    assert mine == {
        "yours": True,
        "masked": False,
        "reference": hit.exchange_a.reference,
        "party": "RO",
        "agency_id": lo_ro.agency_id,
        "agency": "Romanian Police",
        "handling_codes": ["H0"],
        "notice": "",
    }
    assert other == {
        "yours": False,
        "masked": False,
        "reference": hit.exchange_b.reference,
        "party": "BG",
        "agency_id": bulgarian_police.pk,
        "agency": "Bulgarian Police",
        "handling_codes": ["H1"],
        "notice": "",
    }
    assert row["request_details_url"] == (
        f"/exchanges/new/?to={bulgarian_police.pk}&subject=Details%20on%20hit%20with%20"
        f"{hit.exchange_b.reference}"
    )


@pytest.mark.parametrize("h2_side", ["ro", "bg"])
def test_under_h2_the_other_side_gets_only_the_notice(
    api, lo_ro: Officer, lo_bg: Officer, h2_side: str
) -> None:
    hit = a_hit(lo_ro, lo_bg, codes=("H2", "H0") if h2_side == "ro" else ("H0", "H2"))
    provider, told = (lo_ro, lo_bg) if h2_side == "ro" else (lo_bg, lo_ro)
    hidden = hit.exchange_a if h2_side == "ro" else hit.exchange_b

    (provider_row,) = _hits(api(provider))["results"]
    assert [side["masked"] for side in provider_row["sides"]] == [False, False]

    body = json.dumps(_hits(api(told)), ensure_ascii=False)
    (row,) = json.loads(body)["results"]
    other = row["sides"][1]
    assert other["masked"] is True
    assert other["notice"] == str(MASKED_SIDE)
    assert other["reference"] is other["party"] is other["agency"] is other["agency_id"] is None
    assert other["handling_codes"] is None
    assert row["request_details_url"] is None
    assert hidden.reference not in body
    assert hidden.sender_agency.name not in body


def test_the_api_body_carries_nothing_of_either_side_s_content(
    api, lo_ro: Officer, lo_bg: Officer, analyst: Officer
) -> None:
    mine = report(
        lo_ro,
        person("Ђорђе Ђорђевић", aliases=["Zqaliasro"]),
        EntityInput("vehicle", {"plate": "ZQ 77 CAN"}),
        subject="Zqsubjectro",
        body="Zqbodyro",
    )
    theirs = report(
        lo_bg,
        person("Djordje Djordjevic", "19800412", nationality="ZW"),
        subject="Zqsubjectbg",
        body="Zqbodybg",
        code="H3",
    )
    match(mine, theirs)

    for officer in (lo_ro, lo_bg, analyst):
        body = json.dumps(_hits(api(officer)), ensure_ascii=False)
        assert mine.reference in body
        for canary in (
            "Zqaliasro",
            "ZQ 77 CAN",
            "Zqsubjectro",
            "Zqbodyro",
            "ZW",  # the nationality: a valid code of a country no side is from
            "Zqsubjectbg",
            "Zqbodybg",
            "Ђорђе",
            "Djordje",
            "1980-04-12",
            "19800412",
            # The H3 text is the provider's content too: only the code travels.
            "registered owner",
        ):
            assert canary not in body


def test_the_list_is_paged_by_cursor_at_a_constant_cost(
    api, lo_ro: Officer, lo_bg: Officer, django_assert_max_num_queries, django_assert_num_queries
) -> None:
    a_hit(lo_ro, lo_bg)
    client = api(lo_ro)
    with django_assert_max_num_queries(8) as small:
        _hits(client)
    for number in range(4):
        a_hit(lo_ro, lo_bg, names=(f"Ion Popa {number}", f"Popa Ion {number}"))

    with django_assert_num_queries(len(small.captured_queries)):
        page = _hits(client, "?limit=3")
    assert len(page["results"]) == 3
    assert page["previous"] is None
    assert page["next"].startswith("http://testserver/api/v1/hits/?cursor=")
    assert "limit=3" in page["next"]
    with django_assert_num_queries(len(small.captured_queries)):
        rest = _hits(client, page["next"].split(HITS, 1)[1])
    assert len(rest["results"]) == 2
    assert rest["next"] is None
    ids = [row["id"] for row in page["results"] + rest["results"]]
    assert ids == sorted(ids, reverse=True)
    back = _hits(client, rest["previous"].split(HITS, 1)[1])
    assert [row["id"] for row in back["results"]] == ids[:3]
    assert back["previous"] is None
    assert back["next"] == page["next"]


def test_previous_from_a_middle_page_is_the_newest_page_before_it(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    for number in range(5):
        a_hit(lo_ro, lo_bg, names=(f"Ion Popa {number}", f"Popa Ion {number}"))
    client = api(lo_ro)

    first = _hits(client, "?limit=2")
    second = _hits(client, first["next"].split(HITS, 1)[1])
    third = _hits(client, second["next"].split(HITS, 1)[1])
    back = _hits(client, third["previous"].split(HITS, 1)[1])

    assert [row["id"] for row in back["results"]] == [row["id"] for row in second["results"]]
    assert len(third["results"]) == 1
    assert third["next"] is None


def _cursor(position: str) -> str:
    """A cursor as DRF encodes one (forged, for the refusals)."""
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=x", "limit"),
        ("?cursor=x", "cursor"),
        (f"?cursor={_cursor('0')}", "cursor"),
        (f"?cursor={_cursor('x')}", "cursor"),
        (f"?cursor={_cursor(str(2**63))}", "cursor"),
    ],
)
def test_a_parameter_that_does_not_parse_is_400(
    api, lo_ro: Officer, query: str, field: str
) -> None:
    response = api(lo_ro).get(f"{HITS}{query}")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}


def test_the_schema_describes_the_paging(api, lo_ro: Officer) -> None:
    schema = api(lo_ro).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"][HITS]["get"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    envelope = schema["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]

    assert {p["name"] for p in operation["parameters"]} == {"cursor", "limit"}
    assert set(envelope["properties"]) == {"next", "previous", "results"}
    assert envelope["properties"]["results"]["items"]["$ref"].endswith("/Hit")


def test_an_api_token_reaches_the_list_and_no_token_is_401(lo_ro: Officer) -> None:
    _, plain = issued_token(lo_ro)
    client = APIClient()

    assert client.get(HITS).status_code == 401
    assert client.get(HITS, HTTP_AUTHORIZATION=f"Token {plain}").status_code == 200


# --- The search -----------------------------------------------------------------------------


def _searches() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="exchanges.hit_search"))


def test_a_search_answers_per_attribute_and_audits_the_justification(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    held = report(lo_bg, person("Djordje Djordjevic", documents=[{"number": "AB 123"}]))

    response = api(lo_ro).post(
        SEARCH,
        _search_body(
            kind="person",
            attributes={
                "names": "Đorđe Đorđević",
                "date_of_birth": "1980-04-12",
                "aliases": ["Marko Marković"],
                "documents": [{"number": "AB-123"}],
            },
        ),
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "answers": [
            {"attribute": "Name", "hit": True, "weaker": False},
            {"attribute": "Aliases", "hit": False, "weaker": False},
            {"attribute": "Identity document", "hit": True, "weaker": False},
        ],
        "advice": "A hit: ask your NFP or the SELEC analyst.",
    }
    assert held.reference not in response.content.decode()
    (event,) = _searches()
    assert event.action == AuditAction.COMBINATION
    assert event.reason == "hit search"
    assert justification_of(event) == "Operation Danube, request 17"
    assert event.details["hits"] == 2
    assert "Đorđe" not in str(event.details)
    assert "AB" not in str(event.details)


def test_a_search_by_a_name_alone_is_marked_weaker(api, lo_ro: Officer, lo_bg: Officer) -> None:
    report(lo_bg, person("Djordje Djordjevic"))

    response = api(lo_ro).post(
        SEARCH, _search_body(kind="person", attributes={"names": "Ђорђе Ђорђевић"}), format="json"
    )

    assert response.json()["answers"] == [{"attribute": "Name", "hit": True, "weaker": True}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_search_body() | {"justification": ""}, "justification"),
        ({"entity": _search_body()["entity"]}, "justification"),
        (_search_body(kind="vehicle", attributes={"make": "Dacia"}), "attributes"),
        (_search_body(kind="person", attributes={"date_of_birth": "1980-04-12"}), "attributes"),
        (_search_body(kind="person", attributes={"names": 7}), "entity"),
        (_search_body(kind="starship", attributes={"names": "x"}), "entity"),
        (_search_body() | {"justification": "\ud800"}, "justification"),
    ],
    ids=["blank", "missing", "nothing-identifying", "birth-alone", "not-text", "kind", "surrogate"],
)
def test_an_incomplete_search_is_400_and_not_audited(
    api, lo_ro: Officer, body: dict[str, Any], field: str
) -> None:
    # Encoded here: a lone surrogate is valid as a JSON escape, not as text to encode.
    response = api(lo_ro).post(SEARCH, json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert _searches() == []


@pytest.mark.parametrize("persona", ["obs_at", "dpo", "directory_admin", "analyst"])
def test_observers_and_the_secretariat_are_refused_the_search(
    request: pytest.FixtureRequest, api, persona: str
) -> None:
    response = api(request.getfixturevalue(persona)).post(SEARCH, _search_body(), format="json")

    assert response.status_code == 403
    assert _searches() == []


def test_the_outsider_may_search_and_learns_only_hit_or_no_hit(
    api, lo_bg: Officer, outsider: Officer
) -> None:
    held = report(lo_bg, EntityInput("vehicle", {"plate": "PB 1234 TX"}))

    response = api(outsider).post(
        SEARCH,
        _search_body(kind="vehicle", attributes={"plate": "РВ-1234-ТХ"}),  # noqa: RUF001
        format="json",
    )

    assert response.json()["answers"] == [
        {"attribute": "Registration plate", "hit": True, "weaker": False}
    ]
    assert held.reference not in response.content.decode()
    assert "BG" not in response.content.decode()
