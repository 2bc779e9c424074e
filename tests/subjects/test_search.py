"""The DPO's search for one person through the blind index: every provider's exchanges holding
them, in any script or spelling, and nothing of their content."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from exchanges.models import Exchange
from partners.models import Officer
from selec.core.audit import justifications_of
from selec.core.models import AuditAction, AuditEvent
from subjects.models import SubjectAuditEvent
from tests.hits.scenario import A_DATE_OF_BIRTH
from tests.subjects.scenario import (
    CANARIES,
    CYRILLIC,
    DOCUMENT,
    LATIN,
    Api,
    Holdings,
    Login,
)

pytestmark = pytest.mark.django_db

SEARCH = "/subject-requests/search/"
API_SEARCH = "/api/v1/subject-requests/search/"
# The transaction's savepoint and its release, the tokens' one query, and the audit event with
# its justification (one statement).
QUERIES_PER_SEARCH = 4


def _no_content(text: str) -> None:
    for canary in CANARIES.values():
        assert canary not in text, canary
    # The other provider's spelling is theirs: the DPO typed the Latin one.
    assert CYRILLIC not in text


def test_the_page_finds_the_cyrillic_and_latin_spellings_across_two_providers(
    login: Login, dpo: Officer, holdings: Holdings
) -> None:
    response = login(dpo).post(SEARCH, {"names": LATIN, "date_of_birth": A_DATE_OF_BIRTH})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="match-' + holdings.romanian.reference + '"' in html
    assert 'id="match-' + holdings.bulgarian.reference + '"' in html
    assert holdings.unrelated.reference not in html
    assert "Romanian Police" in html
    assert "Bulgarian Police" in html
    assert "Person (name and date of birth)" in html
    _no_content(html)


def test_each_exchange_found_links_to_its_access_report(
    login: Login, dpo: Officer, holdings: Holdings
) -> None:
    response = login(dpo).post(SEARCH, {"names": LATIN, "date_of_birth": A_DATE_OF_BIRTH})
    page = response.content.decode()

    for exchange in (holdings.romanian, holdings.bulgarian):
        report = reverse("oversight:access_report", kwargs={"reference": exchange.reference})
        assert f'<a href="{report}"' in page
        assert login(dpo).get(report).status_code == 200


def test_the_api_finds_both_and_answers_metadata_only(
    api: Api, dpo: Officer, holdings: Holdings
) -> None:
    response = api(dpo).post(
        API_SEARCH,
        {"subject": {"names": CYRILLIC.upper(), "date_of_birth": A_DATE_OF_BIRTH}},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["exchanges"] == 2
    assert body["providers"] == 2
    found = {m["reference"]: m for m in body["matches"]}
    assert set(found) == {holdings.romanian.reference, holdings.bulgarian.reference}
    romanian = found[holdings.romanian.reference]
    assert romanian["agency"] == "Romanian Police"
    assert romanian["party"] == "RO"
    assert romanian["matched"] == ["person"]
    assert romanian["erased"] is False
    assert set(romanian) == {
        "reference",
        "agency_id",
        "agency",
        "party",
        "sent_at",
        "crime_area",
        "erased",
        "erased_at",
        "matched",
        "matched_labels",
    }
    text = response.content.decode()
    for canary in CANARIES.values():
        assert canary not in text
    assert LATIN not in text  # nor the other spelling


def test_a_document_number_is_found_however_it_was_typed(
    api: Api, dpo: Officer, holdings: Holdings
) -> None:
    client = api(dpo)
    # With the nationality standing for the issuing country, with the issuing country, and
    # with no country (looked up under every one).
    for subject in (
        {"document_number": DOCUMENT.lower(), "nationality": "rs"},
        {"document_number": DOCUMENT, "document_country": "RS", "nationality": "BG"},
        {"document_number": "RS 445-5667"},
    ):
        response = client.post(API_SEARCH, {"subject": subject}, format="json")
        assert response.status_code == 200, response.json()
        [match] = response.json()["matches"]
        assert match["reference"] == holdings.bulgarian.reference
        assert match["matched"] == ["document_number"]


def test_a_document_of_another_issuing_country_is_not_the_persons(
    api: Api, dpo: Officer, holdings: Holdings
) -> None:
    subject = {"document_number": DOCUMENT, "document_country": "BG"}
    response = api(dpo).post(API_SEARCH, {"subject": subject}, format="json")

    assert response.json()["matches"] == []


def test_name_and_document_together_say_which_matched(
    api: Api, dpo: Officer, holdings: Holdings
) -> None:
    subject = {"names": LATIN, "date_of_birth": A_DATE_OF_BIRTH, "document_number": DOCUMENT}
    response = api(dpo).post(API_SEARCH, {"subject": subject}, format="json")

    matched = {m["reference"]: m["matched"] for m in response.json()["matches"]}
    assert matched == {
        holdings.romanian.reference: ["person"],
        holdings.bulgarian.reference: ["document_number", "person"],
    }


def test_another_date_of_birth_finds_nobody(api: Api, dpo: Officer, holdings: Holdings) -> None:
    subject = {"names": LATIN, "date_of_birth": "1980-04-13"}
    response = api(dpo).post(API_SEARCH, {"subject": subject}, format="json")

    assert response.json() == {"exchanges": 0, "providers": 0, "matches": []}


@pytest.mark.parametrize(
    ("subject", "field"),
    [
        ({"names": LATIN}, "date_of_birth"),  # a name alone may be another person's
        ({"date_of_birth": A_DATE_OF_BIRTH}, "names"),
        ({}, "non_field_errors"),
        ({"document_number": DOCUMENT, "nationality": "RSX"}, "nationality"),
        ({"document_country": "RS"}, "document_number"),
    ],
)
def test_what_cannot_be_searched_is_refused_and_not_audited(
    api: Api, dpo: Officer, holdings: Holdings, subject: dict[str, str], field: str
) -> None:
    before = AuditEvent.objects.count()

    response = api(dpo).post(API_SEARCH, {"subject": subject}, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]["subject"]
    assert AuditEvent.objects.count() == before


def test_the_page_explains_a_name_without_its_date_of_birth(login: Login, dpo: Officer) -> None:
    response = login(dpo).post(SEARCH, {"names": LATIN})

    assert response.status_code == 400
    assert "a name alone may be another person" in response.content.decode()


def test_the_search_is_audited_with_the_identifiers_encrypted(
    api: Api, dpo: Officer, holdings: Holdings
) -> None:
    subject = {"names": LATIN, "date_of_birth": A_DATE_OF_BIRTH}
    api(dpo).post(API_SEARCH, {"subject": subject}, format="json")

    event = AuditEvent.objects.get(event=SubjectAuditEvent.SEARCHED)
    assert event.actor == dpo
    assert event.action == AuditAction.COMBINATION
    assert event.details["identifiers"] == ["person"]
    assert event.details["exchanges"] == 2
    assert sorted(event.details["references"]) == sorted(
        [holdings.romanian.reference, holdings.bulgarian.reference]
    )
    stored = json.dumps(event.details, ensure_ascii=False)
    assert LATIN not in stored
    assert A_DATE_OF_BIRTH not in stored
    # Kept encrypted beside the log, readable by the DPO's audit search.
    justification = justifications_of([event])[event.pk]
    assert justification is not None
    assert LATIN in justification
    assert A_DATE_OF_BIRTH in justification


def test_an_erased_exchange_is_shown_as_erased(api: Api, dpo: Officer, holdings: Holdings) -> None:
    Exchange.objects.filter(pk=holdings.romanian.pk).update(erased_at=timezone.now())

    subject = {"names": LATIN, "date_of_birth": A_DATE_OF_BIRTH}
    body = api(dpo).post(API_SEARCH, {"subject": subject}, format="json").json()

    erased = {m["reference"]: m["erased"] for m in body["matches"]}
    assert erased == {holdings.romanian.reference: True, holdings.bulgarian.reference: False}


def test_the_search_costs_the_same_queries_whatever_it_finds(
    api: Api,
    dpo: Officer,
    holdings: Holdings,
    lo_al: Officer,
    op_it: Officer,
    django_assert_num_queries,
) -> None:
    from tests.hits.scenario import person, report

    client = api(dpo)
    subject = {"subject": {"names": LATIN, "date_of_birth": A_DATE_OF_BIRTH}}
    client.post(API_SEARCH, subject, format="json")  # the officer's session and the like

    with django_assert_num_queries(QUERIES_PER_SEARCH):
        assert client.post(API_SEARCH, subject, format="json").json()["exchanges"] == 2
    report(lo_al, person(LATIN))
    report(op_it, person(CYRILLIC))
    with django_assert_num_queries(QUERIES_PER_SEARCH):
        assert client.post(API_SEARCH, subject, format="json").json()["exchanges"] == 4
