"""The hit search page: a justified, audited question answered hit or no hit, never who holds
it; open to the officers of parties that may hold personal data only."""

from __future__ import annotations

import pytest
from django.test import Client

from exchanges.services.inputs import EntityInput
from partners.models import Officer
from selec.core.audit import justification_of
from selec.core.models import AuditAction, AuditEvent
from tests.hits.pages import SEARCH, _assert_no_content, _canary_report, _page
from tests.hits.scenario import person, report

pytestmark = pytest.mark.django_db


# --- Search ---------------------------------------------------------------------------------


def _search(client: Client, data: dict[str, str]):
    return client.post(SEARCH, data)


def _person_search(
    names: str, birth: str = "", justification: str = "Operation Danube, request 17"
) -> dict[str, str]:
    return {
        "kind": "person",
        "justification": justification,
        "entity-names": names,
        "entity-date_of_birth": birth,
    }


def _searches() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="exchanges.hit_search"))


def test_the_search_page_asks_for_a_justification_and_warns_that_a_name_alone_is_weaker(
    login, lo_ro: Officer
) -> None:
    page = _page(login(lo_ro), SEARCH)

    assert 'name="justification"' in page
    assert 'name="entity-names"' in page
    assert "weaker" in page
    assert 'name="entity-plate"' in _page(login(lo_ro), f"{SEARCH}?kind=vehicle")


def test_a_search_without_justification_is_refused_and_not_run(login, lo_ro: Officer) -> None:
    response = _search(login(lo_ro), _person_search("Ion Popa", justification=""))

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert _searches() == []


def test_a_search_answers_hit_without_saying_who_and_audits_the_justification(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    held = _canary_report(lo_bg, "bg", "Djordje Djordjevic")

    response = _search(login(lo_ro), _person_search("Đorđe Đorđević", "1980-04-12"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-answer="hit"' in page
    assert "ask your NFP or the SELEC analyst" in page
    assert held.reference not in page
    assert "Bulgarian Police" not in page
    _assert_no_content(page.replace("Đorđe Đorđević", "").replace("1980-04-12", ""), sides=("bg",))
    (event,) = _searches()
    assert event.action == AuditAction.COMBINATION
    assert event.actor_id == lo_ro.pk
    # The officer's words are kept encrypted beside the event, not in it.
    assert event.reason == "hit search"
    assert justification_of(event) == "Operation Danube, request 17"
    assert "Danube" not in str(event.details)
    assert event.details["hits"] == 1
    assert "Đorđe" not in str(event.details)
    assert "1980" not in str(event.details)


def test_a_search_by_another_date_of_birth_is_no_hit(login, lo_ro: Officer, lo_bg: Officer) -> None:
    report(lo_bg, person("Djordje Djordjevic"))

    page = _search(
        login(lo_ro), _person_search("Djordje Djordjevic", "1980-04-13")
    ).content.decode()

    assert 'data-answer="hit"' not in page
    assert 'data-answer="no-hit"' in page
    assert _searches()[0].details["hits"] == 0


@pytest.mark.parametrize("language", ["en", "bg", "el"])
@pytest.mark.parametrize("typed", ["1980-04-12", "12.04.1980"])
def test_the_date_of_birth_is_read_as_iso_or_as_the_region_writes_it(
    login, lo_ro: Officer, lo_bg: Officer, language: str, typed: str
) -> None:
    report(lo_bg, person("Djordje Djordjevic", "1980-04-12"))
    Officer.objects.filter(pk=lo_ro.pk).update(language=language)

    response = _search(login(lo_ro), _person_search("Đorđe Đorđević", typed))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-answer="hit"' in page
    assert "weaker" not in page.split('id="answers"')[1].split("</section>")[0]


@pytest.mark.parametrize("typed", ["04/12/1980", "12.04.80", "31.02.1980"])
def test_a_date_of_birth_in_any_other_form_is_refused_not_misread(
    login, lo_ro: Officer, typed: str
) -> None:
    response = _search(login(lo_ro), _person_search("Djordje Djordjevic", typed))

    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert _searches() == []


def test_no_hit_is_said_plainly_once_for_the_whole_search(login, lo_ro: Officer) -> None:
    page = _search(
        login(lo_ro), _person_search("Djordje Djordjevic", "12.04.1980")
    ).content.decode()

    assert 'data-answer="none"' in page
    assert "No hit. No other agency holds what you typed." in " ".join(
        page.replace("<strong>", "").replace("</strong>", "").split()
    )
    assert 'data-answer="hit"' not in page


def test_the_no_hit_sentence_is_not_shown_when_any_attribute_is_a_hit(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    report(lo_bg, EntityInput("vehicle", {"plate": "PB 1234 TX"}))

    page = _search(
        login(lo_ro),
        {
            "kind": "vehicle",
            "justification": "Stolen vehicle alert",
            "entity-plate": "PB-1234-TX",
            "entity-vin": "WVWZZZ1JZXW000001",
        },
    ).content.decode()

    assert 'data-answer="hit"' in page
    assert 'data-answer="none"' not in page


def test_a_search_by_a_name_alone_says_it_is_weaker(login, lo_ro: Officer, lo_bg: Officer) -> None:
    report(lo_bg, person("Djordje Djordjevic"))

    page = _search(login(lo_ro), _person_search("Ђорђе Ђорђевић")).content.decode()

    assert "name alone, without a date of birth: weaker" in page
    assert 'data-answer="hit"' in page


def test_what_only_your_own_agency_holds_is_no_hit(login, lo_ro: Officer) -> None:
    report(lo_ro, person("Djordje Djordjevic"))

    page = _search(
        login(lo_ro), _person_search("Djordje Djordjevic", "1980-04-12")
    ).content.decode()

    assert "ask your NFP" not in page


def test_a_vehicle_is_searched_by_plate_and_vin_each_answered(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    report(lo_bg, EntityInput("vehicle", {"plate": "PB 1234 TX"}))

    response = _search(
        login(lo_ro),
        {
            "kind": "vehicle",
            "justification": "Stolen vehicle alert",
            "entity-plate": "PB-1234-TX",
            "entity-vin": "WVWZZZ1JZXW000001",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-answer="hit"') == 1
    assert page.count('data-answer="no-hit"') == 1
    (event,) = _searches()
    # Besides what was asked and found: the id and keyed digest of the encrypted justification.
    assert {key: event.details[key] for key in ("entity_kind", "attributes", "hits")} == {
        "entity_kind": "vehicle",
        "attributes": ["Registration plate", "VIN"],
        "hits": 1,
    }
    assert set(event.details) == {
        "entity_kind",
        "attributes",
        "hits",
        "justification",
        "justification_digest",
    }
    assert justification_of(event) == "Stolen vehicle alert"


@pytest.mark.parametrize("persona", ["obs_at", "dpo", "directory_admin", "analyst"])
def test_observers_and_the_secretariat_may_not_search(
    request: pytest.FixtureRequest, login, lo_bg: Officer, persona: str
) -> None:
    report(lo_bg, person("Djordje Djordjevic"))
    client = login(request.getfixturevalue(persona))

    assert client.get(SEARCH).status_code == 403
    response = _search(client, _person_search("Djordje Djordjevic", "1980-04-12"))
    assert response.status_code == 403
    assert "ask your NFP" not in response.content.decode()
    assert _searches() == []


@pytest.mark.parametrize("persona", ["outsider", "nfp_bg", "op_it"])
def test_officers_of_parties_that_may_hold_personal_data_may_search(
    request: pytest.FixtureRequest, login, persona: str
) -> None:
    client = login(request.getfixturevalue(persona))

    response = _search(client, _person_search("Djordje Djordjevic", "1980-04-12"))

    assert response.status_code == 200
    assert len(_searches()) == 1


def test_an_anonymous_search_leads_to_the_login(client: Client) -> None:
    response = client.post(SEARCH, _person_search("Ion Popa"))

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert _searches() == []
