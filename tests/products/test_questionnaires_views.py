"""The questionnaire pages: the analyst drafts and sends from the threat assessment, the NFP
finds it in their list and answers in the page, the analyst reads every party's answers;
404 to whoever may not see it, a clear refusal to the NFP after the deadline, and a fixed
number of queries per page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products.models_questionnaires import Questionnaire, QuestionnaireAuditEvent
from products.services_questionnaires import questionnaire_answer, questionnaire_send
from selec.core.models import AuditEvent
from taskforces.models import CrimeArea
from tests.products.test_questionnaires import (
    ROUTES,
    answers_of,
    deadline_passed,
    drafted,
    in_days,
    nfp_of,
    sent,
    threat_assessment,
)


def page_of(questionnaire: Questionnaire) -> str:
    return f"/products/questionnaires/{questionnaire.uuid}/"


def test_the_analyst_drafts_and_sends_and_the_nfp_answers_in_the_pages(analyst, nfp_bg, login):
    product = threat_assessment(analyst)
    client = login(analyst)
    form = client.get(f"/products/{product.reference}/questionnaires/new/")
    assert form.status_code == 200
    assert "Questions about Drug trafficking" in form.content.decode()
    area = CrimeArea.objects.get(code="drugs").pk
    response = client.post(
        f"/products/{product.reference}/questionnaires/new/",
        {
            "deadline": in_days(10).isoformat(),
            "intro": "Your view of the drug routes.",
            f"area_{area}": f"{ROUTES}\n\nWho organises them?\n",
        },
    )
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(product=product)
    assert response["Location"] == page_of(questionnaire)
    assert [q.text for q in questionnaire.questions.all()] == [ROUTES, "Who organises them?"]
    page = client.get(page_of(questionnaire)).content.decode()
    assert "Send to the member states" in page
    assert client.post(f"{page_of(questionnaire)}send/").status_code == 302

    nfp = login(nfp_bg)
    listed = nfp.get("/products/questionnaires/").content.decode()
    assert page_of(questionnaire) in listed
    assert product.reference in listed
    shown = nfp.get(page_of(questionnaire)).content.decode()
    assert ROUTES in shown
    assert "Your view of the drug routes." in shown
    assert product.title not in shown  # the draft's title stays with the analysts
    first, second = questionnaire.questions.all()
    saved = nfp.post(
        page_of(questionnaire), {f"q{first.pk}": "Through Varna.", f"q{second.pk}": ""}
    )
    assert saved.status_code == 302
    assert "Through Varna." in nfp.get(page_of(questionnaire)).content.decode()

    read = login(analyst).get(page_of(questionnaire)).content.decode()
    assert re.search(r"<code>BG</code> — Through Varna\.", read)
    assert "Who answered: 1 of" in read
    into = login(analyst).post(f"{page_of(questionnaire)}into-draft/", {"question": ""})
    assert into.status_code == 302
    assert into["Location"] == f"/products/{product.reference}/"
    assert product.sections.filter(position=2).exists()


def test_a_wrong_deadline_is_shown_on_its_field_and_nothing_is_saved(analyst, login):
    product = threat_assessment(analyst)
    area = CrimeArea.objects.get(code="drugs").pk
    response = login(analyst).post(
        f"/products/{product.reference}/questionnaires/new/",
        {"deadline": in_days(0).isoformat(), f"area_{area}": ROUTES},
    )
    assert response.status_code == 400
    assert "Choose a deadline after today" in response.content.decode()
    assert not Questionnaire.objects.filter(product=product).exists()


def test_it_answers_404_to_whoever_the_questionnaire_is_not_for(
    analyst, nfp_bg, nfp_ro, lo_ro, obs_at, outsider, login
):
    questionnaire = sent(analyst)
    nfp_at = nfp_of("AT")  # an observer's NFP
    questionnaire_answer(
        officer=nfp_ro,
        questionnaire=questionnaire,
        answers=answers_of(questionnaire, ["By road from Bulgaria."]),
    )
    for officer in (lo_ro, obs_at, outsider, nfp_at):
        client = login(officer)
        assert client.get(page_of(questionnaire)).status_code == 404
        assert client.post(page_of(questionnaire), {}).status_code == 404
        assert client.get("/products/questionnaires/").status_code == 404
    # Another party's NFP: the page, without Romania's answers.
    shown = login(nfp_bg).get(page_of(questionnaire)).content.decode()
    assert "By road from Bulgaria." not in shown
    # The analysts' buttons are not the NFP's.
    assert login(nfp_bg).post(f"{page_of(questionnaire)}close/").status_code == 404


def test_a_draft_questionnaire_is_404_to_the_nfp(analyst, nfp_bg, login):
    questionnaire = drafted(analyst)
    assert login(nfp_bg).get(page_of(questionnaire)).status_code == 404
    questionnaire_send(officer=analyst, questionnaire=questionnaire)
    assert login(nfp_bg).get(page_of(questionnaire)).status_code == 200


def test_after_the_deadline_the_nfp_is_told_and_nothing_changes(analyst, nfp_bg, login):
    questionnaire = sent(analyst)
    (first, _second) = questionnaire.questions.all()
    client = login(nfp_bg)
    client.post(page_of(questionnaire), {f"q{first.pk}": "Through Varna."})
    deadline_passed(questionnaire)
    for response in (
        client.get(page_of(questionnaire)),
        client.post(page_of(questionnaire), {f"q{first.pk}": "Too late."}),
    ):
        assert response.status_code == 403
        assert "has passed: answers are no longer taken" in response.content.decode()
    assert first.answers.get().text == "Through Varna."
    assert page_of(questionnaire) not in client.get("/products/questionnaires/").content.decode()
    # The analysts still read it.
    assert "Through Varna." in login(analyst).get(page_of(questionnaire)).content.decode()


def test_reading_the_page_is_audited(analyst, nfp_bg, login):
    questionnaire = sent(analyst)
    login(nfp_bg).get(page_of(questionnaire))
    assert AuditEvent.objects.filter(
        actor=nfp_bg,
        event=QuestionnaireAuditEvent.CONSULTED,
        object_id=str(questionnaire.pk),
        action="consultation",
    ).exists()


# --- Query counts --------------------------------------------------------------------------------

MEMBERS = ("BG", "RO", "AL", "MD", "RS")


def _queries(client, path: str) -> int:
    client.get(path)  # the session and the caches warmed
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def nfps(nfp_bg, nfp_ro):
    return [nfp_bg, nfp_ro, *(nfp_of(code) for code in MEMBERS[2:])]


def test_the_questionnaire_page_costs_the_same_for_one_answer_as_for_five(
    analyst, nfps, login, django_assert_max_num_queries
):
    questionnaire = sent(analyst)
    questionnaire_answer(
        officer=nfps[0], questionnaire=questionnaire, answers=answers_of(questionnaire, ["A."])
    )
    analyst_client = login(analyst)
    one = _queries(analyst_client, page_of(questionnaire))
    nfp_one = _queries(login(nfps[0]), page_of(questionnaire))
    for nfp in nfps[1:]:
        questionnaire_answer(
            officer=nfp, questionnaire=questionnaire, answers=answers_of(questionnaire, ["B."])
        )
    questionnaire_answer(
        officer=nfps[0],
        questionnaire=questionnaire,
        answers=answers_of(questionnaire, ["A.", "C."]),
    )
    analyst_client = login(analyst)
    assert _queries(analyst_client, page_of(questionnaire)) == one
    assert _queries(login(nfps[0]), page_of(questionnaire)) == nfp_one
    with django_assert_max_num_queries(20):
        analyst_client.get(page_of(questionnaire))


def test_the_nfp_s_list_costs_the_same_for_one_questionnaire_as_for_five(
    analyst, nfp_bg, login, django_assert_max_num_queries
):
    product = threat_assessment(analyst)
    sent(analyst, product)
    client = login(nfp_bg)
    one = _queries(client, "/products/questionnaires/")
    for _ in range(4):
        questionnaire = sent(analyst, product)
        questionnaire_answer(
            officer=nfp_bg, questionnaire=questionnaire, answers=answers_of(questionnaire, ["A."])
        )
    assert _queries(client, "/products/questionnaires/") == one
    with django_assert_max_num_queries(12):
        response = client.get("/products/questionnaires/")
    assert response.content.decode().count("/products/questionnaires/") >= 5


def test_the_product_page_lists_its_questionnaires_and_the_menu_leads_nfps_to_theirs(
    analyst, nfp_bg, lo_bg, login
):
    questionnaire = sent(analyst)
    questionnaire_answer(
        officer=nfp_bg, questionnaire=questionnaire, answers=answers_of(questionnaire, ["Sea."])
    )
    page = login(analyst).get(f"/products/{questionnaire.product.reference}/").content.decode()
    assert "Questionnaires to the member states" in page
    assert page_of(questionnaire) in page
    assert re.search(r"1 of \d+", page)
    assert 'href="/products/questionnaires/"' in login(nfp_bg).get("/").content.decode()
    assert 'href="/products/questionnaires/"' not in login(lo_bg).get("/").content.decode()
