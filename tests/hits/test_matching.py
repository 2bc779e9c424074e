"""Hit/no-hit matching (hits.matching): what makes a hit, what never does, that a pair is
one hit however and whenever it is found, and how it is audited and announced."""

# ruff: noqa: RUF001 - names and plates written in Cyrillic, Greek and Turkish letters, some of
# which look like Latin ones: that is what the tests are about.

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from exchanges.models import Entity, Exchange
from exchanges.services.inputs import EntityInput
from hits import matching
from hits.blind_index import TokenKind, entity_tokens
from hits.demo import seed_demo_hit
from hits.matching import exchange_match, held_elsewhere, unmatched_entities_match
from hits.models import EntityToken, Hit, HitNotificationKind
from hits.tasks import match_exchange_entities, match_new_entities, match_unmatched_entities
from partners.models import Officer, Party, PartyStatus
from partners.services.party_status import party_change_status
from selec.celery import app as project_app
from selec.core.models import AuditAction, Notification
from tests.exchanges.scenario import send
from tests.hits.scenario import (
    _hit_events,
    a_hit,
    hit_between,
    match,
    person,
    reply,
    report,
)

pytestmark = pytest.mark.django_db


# --- What makes a hit -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("romanian", "bulgarian"),
    [
        # Serbian Cyrillic, Latin with diacritics, Latin without them; dates written two ways.
        (person("Ђорђе Ђорђевић"), person("Đorđe Đorđević", "19800412")),
        (person("Đorđe Đorđević"), person("Djordje Djordjevic", " 1980-04-12 ")),
        # Family name first, in capitals.
        (person("Djordje Djordjevic"), person("ĐORĐEVIĆ Đorđe")),
        # Greek (ELOT 743, as in Greek passports) and Latin.
        (person("Νικόλαος Παπαδόπουλος"), person("Nikolaos Papadopoulos")),
        # Turkish dotted and dotless i.
        (person("Mehmet Yılmaz"), person("MEHMET YİLMAZ")),
        (person("İsmail Kaya"), person("Ismail Kaya")),
        # Bulgarian Cyrillic and its streamlined romanisation; Romanian comma-below letters.
        (person("Георги Жеков"), person("Georgi Zhekov")),
        (person("Ștefănescu Ion"), person("Ion Stefanescu")),
        # Albanian xh and Serbian dž.
        (person("Arben Hoxha"), person("Arben Hodža")),
        # An alias of one is the name of the other.
        (
            person("Marko Marković", aliases=["Ђорђе Ђорђевић"]),
            person("Djordje Djordjevic"),
        ),
    ],
    ids=lambda entity: entity.attributes["names"],
)
def test_one_person_spelled_in_two_scripts_by_two_providers_is_one_hit(
    lo_ro: Officer, lo_bg: Officer, romanian: EntityInput, bulgarian: EntityInput
) -> None:
    mine, theirs = report(lo_ro, romanian), report(lo_bg, bulgarian)

    assert match(mine, theirs) == 1

    hit = hit_between(mine, theirs)
    assert hit is not None
    assert hit.token_kinds == [TokenKind.PERSON]


@pytest.mark.parametrize(
    ("romanian", "bulgarian", "token_kind"),
    [
        (
            EntityInput("vehicle", {"plate": "B 123 ABC"}),
            EntityInput("vehicle", {"plate": "B-123-ABC"}),
            TokenKind.VEHICLE_PLATE,
        ),
        (
            EntityInput("vehicle", {"plate": "b123abc", "make": "Dacia"}),
            EntityInput("vehicle", {"plate": "B.123.ABC", "make": "Renault"}),
            TokenKind.VEHICLE_PLATE,
        ),
        # A Bulgarian plate typed in Cyrillic letters that look like Latin ones.
        (
            EntityInput("vehicle", {"plate": "PB-1234-TX"}),
            EntityInput("vehicle", {"plate": "РВ 1234 ТХ"}),
            TokenKind.VEHICLE_PLATE,
        ),
        (
            EntityInput("vehicle", {"plate": "CT 01 XYZ", "vin": "WVW ZZZ 1JZ XW 000001"}),
            EntityInput("vehicle", {"plate": "PB 7777 AA", "vin": "wvwzzz1jzxw000001"}),
            TokenKind.VEHICLE_VIN,
        ),
        # A person's passport and the same passport reported as a document.
        (
            person("Ion Popa", documents=[{"number": "05 123 456", "issuing_country": "RO"}]),
            EntityInput("document", {"number": "05123456", "issuing_country": "RO"}),
            TokenKind.DOCUMENT_NUMBER,
        ),
        (
            EntityInput("phone", {"number": "+40 721 000 111"}),
            EntityInput("phone", {"number": "0040-721-000-111"}),
            TokenKind.PHONE,
        ),
        (
            EntityInput("company", {"name": "S.C. Dunărea Trans S.R.L.", "country": "RO"}),
            EntityInput("company", {"name": "SC Dunarea Trans SRL", "country": "RO"}),
            TokenKind.COMPANY,
        ),
        (
            EntityInput("bank_account", {"iban": "RO49 AAAA 1B31 0075 9384 0000"}),
            EntityInput("bank_account", {"iban": "ro49aaaa1b31007593840000"}),
            TokenKind.BANK_ACCOUNT,
        ),
    ],
    ids=[
        "plate-spaces-dashes",
        "plate-case-dots",
        "plate-cyrillic",
        "vin",
        "document",
        "phone",
        "company",
        "iban",
    ],
)
def test_identifiers_written_differently_by_two_providers_are_one_hit(
    lo_ro: Officer,
    lo_bg: Officer,
    romanian: EntityInput,
    bulgarian: EntityInput,
    token_kind: TokenKind,
) -> None:
    mine, theirs = report(lo_ro, romanian), report(lo_bg, bulgarian)

    assert match(mine, theirs) == 1

    hit = hit_between(mine, theirs)
    assert hit is not None
    assert hit.token_kinds == [token_kind]


def test_a_pair_is_stored_lower_entity_first_with_every_token_kind_it_shares(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    car: dict[str, object] = {"plate": "B 123 ABC", "vin": "WVWZZZ1JZXW000001"}
    first = report(lo_ro, EntityInput("vehicle", car))
    second = report(lo_bg, EntityInput("vehicle", car))

    match(second)  # found from the newer exchange's side

    hit = Hit.objects.get()
    assert hit.entity_a_id < hit.entity_b_id
    assert hit.entity_a_id == first.entities.get().pk
    assert (hit.exchange_a_id, hit.exchange_b_id) == (first.pk, second.pk)
    assert hit.token_kinds == [TokenKind.VEHICLE_PLATE, TokenKind.VEHICLE_VIN]


def test_two_agencies_of_one_party_are_two_providers(lo_ro: Officer, nfp_ro: Officer) -> None:
    mine, theirs = report(lo_ro, person("Ion Popa")), report(nfp_ro, person("POPA Ion"))

    assert match(mine, theirs) == 1


def test_an_operational_partner_takes_part_in_matching(lo_ro: Officer, op_it: Officer) -> None:
    mine, theirs = report(lo_ro, person("Ion Popa")), report(op_it, person("Ion Popa"))

    assert match(mine, theirs) == 1


# --- What never makes a hit -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("romanian", "bulgarian"),
    [
        # Namesakes: the same name, another date of birth.
        (person("Ivan Petrov", "1975-02-01"), person("Иван Петров", "1975-02-02")),
        (person("Ivan Petrov", "1975-02-01"), person("Ivan Petrov", "1957-02-01")),
        # A name alone says nothing about who the person is.
        (person("Ivan Petrov", None), person("Ivan Petrov", "1975-02-01")),
        (person("Ivan Petrov", None), person("Ivan Petrov", None)),
        # Other people, other vehicles.
        (person("Ivan Petrov"), person("Ivan Petrova")),
        (
            EntityInput("vehicle", {"plate": "B 123 ABC"}),
            EntityInput("vehicle", {"plate": "B 123 ABD"}),
        ),
        # The same number issued by two countries is two documents.
        (
            EntityInput("document", {"number": "05123456", "issuing_country": "RO"}),
            EntityInput("document", {"number": "05123456", "issuing_country": "BG"}),
        ),
    ],
    ids=[
        "other-day",
        "other-year",
        "one-without-birth",
        "both-without-birth",
        "other-name",
        "other-plate",
        "other-country",
    ],
)
def test_namesakes_and_different_identifiers_make_no_hit(
    lo_ro: Officer, lo_bg: Officer, romanian: EntityInput, bulgarian: EntityInput
) -> None:
    mine, theirs = report(lo_ro, romanian), report(lo_bg, bulgarian)

    assert match(mine, theirs) == 0

    assert not Hit.objects.exists()


def test_a_reply_about_the_person_its_request_named_makes_no_hit(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    request = report(lo_ro, person("Ђорђе Ђорђевић"), to=["Bulgarian Police"])
    answer = reply(lo_bg, request, person("Djordje Djordjevic"))
    answer_to_answer = reply(lo_ro, answer, person("Đorđe Đorđević"))

    assert match(request, answer, answer_to_answer) == 0

    assert not Hit.objects.exists()


def test_an_agency_does_not_match_itself(lo_ro: Officer) -> None:
    first = report(lo_ro, person("Ion Popa"))
    second = report(lo_ro, person("Ion Popa"), to=["Bulgarian Police"])

    assert match(first, second) == 0


@pytest.mark.parametrize("status", [PartyStatus.OBSERVER, PartyStatus.FORMER])
def test_no_hit_is_made_with_a_party_that_may_no_longer_hold_personal_data(
    lo_ro: Officer, lo_bg: Officer, status: PartyStatus
) -> None:
    theirs = report(lo_bg, person("Ion Popa"))
    party_change_status(
        actor=None,
        party=Party.objects.get(code="BG"),
        status=status,
        effective_from=dt.date.today(),
    )
    mine = report(lo_ro, person("Ion Popa"))

    # Neither the new exchange's matching nor the old one's makes the hit.
    assert match(mine, theirs) == 0

    assert not Hit.objects.exists()
    assert not Notification.objects.filter(kind=HitNotificationKind.HIT).exists()


def test_an_exchange_without_entities_or_gone_matches_nothing(lo_ro: Officer) -> None:
    plain = send(lo_ro, "Bulgarian Police")

    assert exchange_match(exchange_id=plain.pk) == 0
    assert exchange_match(exchange_id=plain.pk + 10_000) == 0


# --- One pair, one hit ------------------------------------------------------------------------


def test_matching_again_or_from_the_other_side_changes_nothing(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    mine, theirs = report(lo_ro, person("Ion Popa")), report(lo_bg, person("Ion Popa"))
    assert match(theirs) == 1
    notices = Notification.objects.filter(kind=HitNotificationKind.HIT).count()

    assert match(theirs, mine, theirs) == 0

    assert Hit.objects.count() == 1
    assert len(_hit_events()) == 1
    assert Notification.objects.filter(kind=HitNotificationKind.HIT).count() == notices


def test_matching_marks_every_entity_of_the_exchange_matched(lo_ro: Officer) -> None:
    exchange = report(
        lo_ro, person("Ion Popa"), EntityInput("phone", {"number": "+40 721 000 111"})
    )
    assert set(exchange.entities.values_list("matched_at", flat=True)) == {None}

    match(exchange)

    assert None not in set(exchange.entities.values_list("matched_at", flat=True))


def test_the_sweep_matches_what_no_task_matched_once_a_minute_has_passed(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    # Sent without their tasks running, as when the broker is down.
    mine, theirs = report(lo_ro, person("Ion Popa")), report(lo_bg, person("Ion Popa"))
    sent = max(mine.sent_at, theirs.sent_at)

    assert unmatched_entities_match(now=sent + dt.timedelta(seconds=30)) == 0
    assert not Hit.objects.exists()

    assert unmatched_entities_match(now=sent + dt.timedelta(minutes=2)) == 1
    assert hit_between(mine, theirs) is not None
    assert not Entity.objects.filter(matched_at__isnull=True).exists()
    assert unmatched_entities_match(now=sent + dt.timedelta(minutes=3)) == 0


def _fails_to_match(failing: Exchange, monkeypatch: pytest.MonkeyPatch) -> None:
    """Matching ``failing`` raises from now on (until ``monkeypatch.undo()``); the others match."""
    original = matching.exchange_match

    def broken_for_one(*, exchange_id: int) -> int:
        if exchange_id == failing.pk:
            raise RuntimeError("a database hiccup")
        return original(exchange_id=exchange_id)

    monkeypatch.setattr(matching, "exchange_match", broken_for_one)


def test_an_exchange_the_sweep_cannot_match_holds_the_others_back_no_longer(
    lo_ro: Officer,
    lo_bg: Officer,
    lo_al: Officer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    failing = report(lo_al, person("Arben Hoxha"))
    report(lo_ro, person("Ion Popa"))
    theirs = report(lo_bg, person("Ion Popa"))
    later = theirs.sent_at + dt.timedelta(minutes=2)
    _fails_to_match(failing, monkeypatch)
    assert unmatched_entities_match(now=later) == 1
    assert f"exchange #{failing.pk} failed" in caplog.text
    assert list(Entity.objects.filter(matched_at__isnull=True)) == [failing.entities.get()]

    monkeypatch.undo()
    assert unmatched_entities_match(now=later) == 0
    assert not Entity.objects.filter(matched_at__isnull=True).exists()


def test_the_run_after_commits_matches_every_batch_and_steps_past_a_failing_exchange(
    lo_ro: Officer,
    lo_bg: Officer,
    lo_al: Officer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # One exchange a batch: the run goes on batch after batch, past the one that fails.
    monkeypatch.setattr(matching, "SWEEP_BATCH", 1)
    failing = report(lo_al, person("Arben Hoxha"))
    mine = report(lo_ro, person("Ion Popa"))
    theirs = report(lo_bg, person("Ion Popa"))
    _fails_to_match(failing, monkeypatch)
    # Just sent: the run after the commits does not wait for them to settle.
    assert match_new_entities() == 1
    assert hit_between(mine, theirs) is not None
    assert f"exchange #{failing.pk} failed" in caplog.text
    assert list(Entity.objects.filter(matched_at__isnull=True)) == [failing.entities.get()]


def test_the_run_after_commits_matches_what_a_node_with_a_clock_ahead_sent(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    mine = report(lo_ro, person("Ion Popa"))
    theirs = report(lo_bg, person("Ion Popa"))
    # The sending node's clock ran a minute ahead of the matching node's.
    Exchange.objects.filter(pk=theirs.pk).update(sent_at=timezone.now() + dt.timedelta(minutes=1))
    assert match_new_entities() == 1
    assert hit_between(mine, theirs) is not None


def test_a_send_with_entities_queues_one_matching_run_for_all_of_them(
    lo_ro: Officer, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        report(lo_ro, person("Ion Popa"), EntityInput("phone", {"number": "+40 721 000 111"}))
    runs = [c for c in callbacks if getattr(c, "task_name", None) == match_new_entities.name]
    assert len(runs) == 1


def test_the_sweep_runs_every_minute_under_celery_beat() -> None:
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == match_unmatched_entities.name
    )
    assert entry["schedule"] <= 60
    assert match_unmatched_entities.name in project_app.tasks
    assert match_exchange_entities.name in project_app.tasks
    assert match_exchange_entities.acks_late


# --- Audit and notices ------------------------------------------------------------------------


def test_a_hit_is_audited_once_as_a_combination_without_attribute_values(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    hit = a_hit(lo_ro, lo_bg)

    (event,) = _hit_events()
    assert event.action == AuditAction.COMBINATION
    assert event.object_id == str(hit.pk)
    assert event.actor_id is None
    assert event.actor_username == "system"
    assert event.details["references"] == [hit.exchange_a.reference, hit.exchange_b.reference]
    assert event.details["token_kinds"] == [TokenKind.PERSON]
    recorded = json.dumps(event.details, ensure_ascii=False) + event.reason
    for value in ("Ђорђе", "Djordje", "Djordjevic", "1980-04-12", "1980"):
        assert value not in recorded


def test_both_providers_and_their_nfps_are_notified_and_nobody_else(
    lo_ro: Officer,
    lo_bg: Officer,
    nfp_ro: Officer,
    nfp_bg: Officer,
    lo_tr: Officer,
    obs_at: Officer,
    analyst: Officer,
    outsider: Officer,
) -> None:
    hit = a_hit(lo_ro, lo_bg)

    notified = Notification.objects.filter(kind=HitNotificationKind.HIT)
    assert sorted(n.officer.username for n in notified) == ["lo.bg", "lo.ro", "nfp.bg", "nfp.ro"]
    assert {n.link for n in notified} == {f"/hits/{hit.pk}/"}
    by_officer = {n.officer_id: n.title for n in notified}
    ro, bg = hit.exchange_a, hit.exchange_b
    # Each side is told from its own point of view: its reference, then the other provider's.
    assert (
        f"your {ro.reference} [H0] matches {bg.reference} [H0] of BG Bulgarian Police"
        in (by_officer[lo_ro.pk])
    )
    assert (
        f"your {bg.reference} [H0] matches {ro.reference} [H0] of RO Romanian Police"
        in (by_officer[nfp_bg.pk])
    )
    assert by_officer[lo_ro.pk] == by_officer[nfp_ro.pk]
    assert "Person (name and date of birth)" in by_officer[lo_ro.pk]


@pytest.mark.parametrize("codes", [("H2", "H0"), ("H0", "H2"), ("H2", "H2")])
def test_the_analyst_is_told_of_a_hit_the_h2_notice_sends_officers_about(
    lo_ro: Officer, lo_bg: Officer, analyst: Officer, outsider: Officer, codes: tuple[str, str]
) -> None:
    hit = a_hit(lo_ro, lo_bg, codes=codes)
    ro, bg = hit.exchange_a, hit.exchange_b

    (notice,) = Notification.objects.filter(kind=HitNotificationKind.HIT, officer=analyst)
    assert notice.link == f"/hits/{hit.pk}/"
    # Both sides, which the analyst may see, and why they are told.
    assert f"{ro.reference} [{' '.join(ro.handling_codes)}] of RO Romanian Police" in notice.title
    assert f"matches {bg.reference} [{' '.join(bg.handling_codes)}] of BG" in notice.title
    assert "officers were told to contact you" in notice.title
    assert "Person (name and date of birth)" in notice.title
    assert not Notification.objects.filter(officer=outsider).exists()
    # Matching again tells nobody again.
    match(ro, bg)
    assert Notification.objects.filter(officer=analyst).count() == 1


def test_an_inactive_analyst_is_not_told(lo_ro: Officer, lo_bg: Officer, analyst: Officer) -> None:
    Officer.objects.filter(pk=analyst.pk).update(is_active=False)

    a_hit(lo_ro, lo_bg, codes=("H2", "H0"))

    assert not Notification.objects.filter(officer=analyst).exists()


def test_the_analysts_notice_is_in_the_analysts_language(
    lo_ro: Officer, lo_bg: Officer, analyst: Officer
) -> None:
    # Composed for each recipient's language, not once in the matching worker's.
    Officer.objects.filter(pk=analyst.pk).update(language="ro")

    a_hit(lo_ro, lo_bg, codes=("H2", "H0"))

    title = Notification.objects.get(officer=analyst).title
    assert "Persoană (nume și data nașterii)" in title
    assert "Person (name and date of birth)" not in title


# --- The lookup ---------------------------------------------------------------------------------


def test_the_lookup_of_held_tokens_is_an_index_probe(lo_ro: Officer, lo_bg: Officer) -> None:
    theirs = report(lo_bg, EntityInput("phone", {"number": "+40 721 000 111"}))
    holder = theirs.entities.get()
    # Many other tokens held, so that the planner has a table worth an index.
    EntityToken.objects.bulk_create(
        EntityToken(entity=holder, kind=TokenKind.PHONE, token=f"{n:064x}") for n in range(20_000)
    )
    mine = report(lo_ro, EntityInput("phone", {"number": "0040721000111"}))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE exchanges_entitytoken")
    pairs = entity_tokens("phone", {"number": "0040721000111"})

    lookup = held_elsewhere(mine, pairs)

    assert "entity_token_lookup" in lookup.explain()
    assert [row[0] for row in lookup] == [holder.pk]


# --- Demo ---------------------------------------------------------------------------------------


def test_the_demo_makes_one_hit_between_lo_ro_and_lo_bg_once() -> None:
    assert seed_demo_hit() is True
    assert seed_demo_hit() is False

    hit = Hit.objects.select_related("exchange_a__sender_agency", "exchange_b__sender_agency").get()
    providers = {hit.exchange_a.sender_agency.name, hit.exchange_b.sender_agency.name}
    assert providers == {"Romanian Police", "Bulgarian Police"}
    assert Exchange.objects.count() == 2
