"""Writes with an Idempotency-Key are done once; answers say what was committed.

The API is called with real tokens (the middleware scopes a key by the credential it sees, before
DRF authenticates), pages with a verified session. The transaction rules are pinned on the
middleware itself, around small views of this module: no URL of the project fails on purpose.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.client import encode_multipart
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from exchanges.forms_entities import ENTITY_FORMS
from exchanges.models import Exchange
from partners.api_auth import api_token_revoke
from partners.models import Officer
from selec.core.idempotency import (
    FORM_FIELD,
    REPLAYED_HEADER,
    IdempotencyMiddleware,
    idempotent_requests_purge,
)
from selec.core.models import IdempotentRequest, ServiceHeartbeat
from taskforces.models import CrimeArea
from tests.exchanges.scenario import agency_ids
from tests.helpers import at_once, issued_token

pytestmark = pytest.mark.django_db

EXCHANGES = "/api/v1/exchanges/"
COMPOSE = reverse("exchanges:compose")
KEY = "2f1c7d0e-5b1a-4c55-9a57-0d3f8f1f7a01"
A_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def no_throttle_carry_over() -> None:
    cache.clear()


def _token_client(officer: Officer) -> APIClient:
    _, plain = issued_token(officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client


def _send_body(subject: str = "Seizure report") -> dict[str, Any]:
    return {
        "kind": "information",
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": "drugs",
        "subject": subject,
        "body": "Forty kilograms at Kapitan Andreevo.",
        "restrictions": {"evidence": True},
    }


def _send(client: APIClient, body: dict[str, Any], key: str = KEY) -> Any:
    return client.post(EXCHANGES, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _sent_by(officer: Officer) -> int:
    return Exchange.objects.filter(author=officer).count()


# --- The API ----------------------------------------------------------------------------------


def test_a_retried_send_files_once_and_gets_the_first_answer_again(lo_ro: Officer) -> None:
    client = _token_client(lo_ro)

    first = _send(client, _send_body())
    second = _send(client, _send_body())

    assert first.status_code == 201, first.content
    assert REPLAYED_HEADER not in first
    assert _sent_by(lo_ro) == 1
    assert second.status_code == 201
    assert second[REPLAYED_HEADER] == "true"
    assert second.content == first.content
    assert second["Location"] == first["Location"]
    assert second["Content-Type"] == first["Content-Type"]
    # The headers of any answer are set afresh, not replayed.
    assert second["X-Request-ID"] != first["X-Request-ID"]
    assert "Set-Cookie" not in second


def test_a_multipart_retry_with_a_new_boundary_is_the_same_request(lo_ro: Officer) -> None:
    client = _token_client(lo_ro)
    fields = _send_body() | {"restrictions": json.dumps({"evidence": True})}

    def sent_with(boundary: str) -> Any:
        attachment = SimpleUploadedFile("note.pdf", A_PDF, content_type="application/pdf")
        return client.generic(
            "POST",
            EXCHANGES,
            # Django takes the body as bytes; the stubs ask for text.
            encode_multipart(boundary, fields | {"attachments": [attachment]}),  # type: ignore[arg-type]
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_IDEMPOTENCY_KEY=KEY,
        )

    first, retry = sent_with("first-boundary"), sent_with("another-boundary")

    assert first.status_code == 201, first.content
    assert (retry.status_code, retry[REPLAYED_HEADER]) == (201, "true")
    assert Exchange.objects.get(author=lo_ro).attachments.count() == 1


def test_a_multipart_retry_with_another_file_is_422(lo_ro: Officer) -> None:
    client = _token_client(lo_ro)
    fields = _send_body() | {"restrictions": json.dumps({"evidence": True})}

    def sent_with(content: bytes) -> Any:
        attachment = SimpleUploadedFile("note.pdf", content, content_type="application/pdf")
        return client.post(
            EXCHANGES,
            fields | {"attachments": [attachment]},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY=KEY,
        )

    assert sent_with(A_PDF).status_code == 201
    assert sent_with(A_PDF.replace(b"Catalog", b"Catalof")).status_code == 422
    assert _sent_by(lo_ro) == 1


def test_the_same_key_with_another_body_is_422_and_sends_nothing(lo_ro: Officer) -> None:
    client = _token_client(lo_ro)
    assert _send(client, _send_body("First")).status_code == 201

    response = _send(client, _send_body("Second"))

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert _sent_by(lo_ro) == 1


def test_a_refusal_is_not_kept_and_the_corrected_request_goes_through_under_its_key(
    lo_ro: Officer,
) -> None:
    client = _token_client(lo_ro)

    refused = _send(client, _send_body() | {"crime_area": "nope"})
    corrected = _send(client, _send_body())

    assert refused.status_code == 400
    assert corrected.status_code == 201
    assert REPLAYED_HEADER not in corrected
    assert _sent_by(lo_ro) == 1


def test_another_officers_same_key_is_another_key(lo_ro: Officer, lo_bg: Officer) -> None:
    body = _send_body() | {"recipients": agency_ids("Turkish Customs")}

    mine = _send(_token_client(lo_ro), body)
    theirs = _send(_token_client(lo_bg), body)

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert REPLAYED_HEADER not in theirs
    assert (_sent_by(lo_ro), _sent_by(lo_bg)) == (1, 1)


def test_a_revoked_token_gets_no_stored_answer(lo_ro: Officer, directory_admin: Officer) -> None:
    token, plain = issued_token(lo_ro)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    assert _send(client, _send_body()).status_code == 201
    api_token_revoke(actor=directory_admin, token=token)

    response = _send(client, _send_body())

    assert response.status_code == 401
    assert REPLAYED_HEADER not in response
    assert "reference" not in response.json()


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there", " spaced "])
def test_a_key_that_is_not_1_to_255_printable_ascii_characters_is_400(
    lo_ro: Officer, key: str
) -> None:
    response = _send(_token_client(lo_ro), _send_body(), key=key)

    assert response.status_code == 400
    assert "printable ASCII" in response.json()["errors"]["Idempotency-Key"][0]
    assert _sent_by(lo_ro) == 0


def test_a_malformed_form_key_is_400_with_a_page(login, lo_ro: Officer) -> None:
    response = login(lo_ro).post(COMPOSE, _compose_form(" spaced "))

    assert response.status_code == 400
    assert "printable ASCII" in response.content.decode()
    assert _sent_by(lo_ro) == 0


def test_a_key_of_255_characters_is_a_key(lo_ro: Officer) -> None:
    assert _send(_token_client(lo_ro), _send_body(), key="k" * 255).status_code == 201


def test_an_anonymous_request_is_left_alone(client) -> None:
    response = client.post(
        "/account/login/",
        {"login_view-current_step": "auth", "auth-username": "lo.ro", "auth-password": "wrong"},
        HTTP_IDEMPOTENCY_KEY=KEY,
    )

    assert response.status_code == 200
    assert not IdempotentRequest.objects.exists()


# --- Pages ----------------------------------------------------------------------------------


def _compose_form(key: str, subject: str = "Cocaine shipment via Constanța") -> dict[str, Any]:
    data: dict[str, Any] = {
        FORM_FIELD: key,
        "kind": "information",
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": CrimeArea.objects.get(code="drugs").pk,
        "priority": "routine",
        "subject": subject,
        "body": "Container MSCU 123456-7 expected on 3 December.",
    }
    for form, _title, _add in ENTITY_FORMS:
        prefix = form.kind.value
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    return data


def test_the_compose_form_carries_a_fresh_key_at_each_rendering(login, lo_ro: Officer) -> None:
    page = login(lo_ro)

    first, second = page.get(COMPOSE).content.decode(), page.get(COMPOSE).content.decode()

    marker = f'name="{FORM_FIELD}" value="'
    assert marker in first
    assert first.split(marker)[1][:32] != second.split(marker)[1][:32]


def test_a_form_sent_twice_files_once_and_both_lead_to_the_thread(login, lo_ro: Officer) -> None:
    page = login(lo_ro)

    first = page.post(COMPOSE, _compose_form(KEY))
    second = page.post(COMPOSE, _compose_form(KEY))

    assert first.status_code == 302, first.content.decode()[:2000]
    exchange = Exchange.objects.get(author=lo_ro)
    assert first["Location"] == reverse("exchanges:thread", args=[exchange.reference])
    assert (second.status_code, second["Location"]) == (302, first["Location"])
    assert second[REPLAYED_HEADER] == "true"


def test_a_form_sent_again_with_other_content_is_refused_with_a_page(login, lo_ro: Officer) -> None:
    page = login(lo_ro)
    page.post(COMPOSE, _compose_form(KEY))

    response = page.post(COMPOSE, _compose_form(KEY, subject="Something else"))

    assert response.status_code == 422
    text = response.content.decode()
    assert "already sent with other content" in text
    assert "nothing of this submission was saved" in text
    assert _sent_by(lo_ro) == 1


# --- The transaction, on the middleware itself ----------------------------------------------


def _chain(view: Callable[[HttpRequest], HttpResponse]) -> IdempotencyMiddleware:
    """The middleware around ``view``, as Django calls them: process_view, then the view."""

    def rest_of_the_chain(request: HttpRequest) -> HttpResponse:
        return middleware.process_view(request, view, (), {}) or view(request)

    middleware = IdempotencyMiddleware(rest_of_the_chain)
    return middleware


def _writes_and_answers(status: int) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        name = f"written:{status}:{uuid.uuid4().hex}"
        ServiceHeartbeat.objects.create(name=name, seen_at=timezone.now())
        return HttpResponse(f"answered {status}", status=status)

    return view


def _written(status: int) -> Any:
    return ServiceHeartbeat.objects.filter(name__startswith=f"written:{status}:")


def _write_request(user: Any, key: str | None = KEY) -> HttpRequest:
    headers = {} if key is None else {"Idempotency-Key": key}
    request = RequestFactory().post("/exchanges/new/", {"subject": "a"}, headers=headers)
    request.user = user
    return request


def test_a_server_error_leaves_nothing_stored_nor_kept(lo_ro: Officer) -> None:
    response = _chain(_writes_and_answers(500))(_write_request(lo_ro))

    assert response.status_code == 500
    assert not _written(500).exists()
    assert not IdempotentRequest.objects.exists()


def test_a_server_error_without_a_key_leaves_nothing_stored(lo_ro: Officer) -> None:
    _chain(_writes_and_answers(503))(_write_request(lo_ro, key=None))

    assert not _written(503).exists()


def test_a_refusal_keeps_what_the_view_wrote_but_not_the_key(lo_ro: Officer) -> None:
    # A 4xx is an answer like any other: what the view recorded (a failed code on an
    # authenticator, say) stays.
    _chain(_writes_and_answers(400))(_write_request(lo_ro))

    assert _written(400).exists()
    assert not IdempotentRequest.objects.exists()


def test_a_success_from_a_transaction_marked_for_rollback_is_answered_500(lo_ro: Officer) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        _writes_and_answers(201)(request)
        transaction.set_rollback(True)  # as a helper that swallowed a database error would
        return HttpResponse("stored, it says", status=201)

    response = _chain(view)(_write_request(lo_ro))

    assert response.status_code == 500
    assert not _written(201).exists()
    assert not IdempotentRequest.objects.exists()


def test_a_success_is_kept_and_its_replay_writes_nothing(lo_ro: Officer) -> None:
    middleware = _chain(_writes_and_answers(201))

    first = middleware(_write_request(lo_ro))
    second = middleware(_write_request(lo_ro))

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.content == b"answered 201"
    assert _written(201).count() == 1
    stored = IdempotentRequest.objects.get()
    assert (stored.scope, stored.key) == (f"officer:{lo_ro.pk}", KEY)


def test_an_expired_key_is_a_new_key(lo_ro: Officer, settings) -> None:
    middleware = _chain(_writes_and_answers(201))
    middleware(_write_request(lo_ro))
    IdempotentRequest.objects.update(
        created_at=timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    )

    again = middleware(_write_request(lo_ro))

    assert REPLAYED_HEADER not in again
    assert _written(201).count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_error_after_the_commit_answers_what_was_committed(caplog) -> None:
    def fails_after_commit() -> None:
        raise RuntimeError("the mail relay is down")

    def view(request: HttpRequest) -> HttpResponse:
        ServiceHeartbeat.objects.create(name="committed", seen_at=timezone.now())
        transaction.on_commit(fails_after_commit)
        return HttpResponse("stored", status=201)

    officer = SimpleNamespace(pk=1, is_authenticated=True)
    response = _chain(view)(_write_request(officer))

    assert response.status_code == 201
    assert ServiceHeartbeat.objects.filter(name="committed").exists()
    assert IdempotentRequest.objects.filter(scope="officer:1", key=KEY).exists()
    assert "a side effect failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_duplicates_sent_at_the_same_moment_file_once() -> None:
    # Parallel transactions need committed data: the transactional database starts empty.
    call_command("seed_demo", "--personas-only", verbosity=0)
    officer = Officer.objects.select_related("agency__party").get(username="lo.ro")
    _, plain = issued_token(officer)
    body = _send_body()
    answers: list[Any] = []

    def send() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
        answers.append(_send(client, body))

    assert at_once(send, send, send) == []

    assert _sent_by(officer) == 1
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert sorted(a.has_header(REPLAYED_HEADER) for a in answers) == [False, True, True]
    assert len({a.content for a in answers}) == 1


# --- The purge --------------------------------------------------------------------------------


def test_the_purge_deletes_the_keys_older_than_the_setting_only(settings) -> None:
    settings.IDEMPOTENCY_KEY_HOURS = 24
    now = timezone.now()
    for key, age in [("old", 25), ("young", 23)]:
        IdempotentRequest.objects.create(
            scope="officer:1",
            key=key,
            fingerprint="0" * 64,
            status_code=201,
            response={"headers": [], "body": ""},
            created_at=now - dt.timedelta(hours=age),
        )

    assert idempotent_requests_purge() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["young"]
    assert idempotent_requests_purge() == 0
