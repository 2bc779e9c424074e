"""The hits pages: who sees which hit, what they are told of the other side (never its content;
under H2 not even its reference); the search is in test_views_search."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.models import Entity
from exchanges.services.restriction_changes import exchange_change_restrictions
from hits.models import Hit, HitNotificationKind
from hits.selectors import hit_page
from partners.models import Agency, Officer, Party, PartyStatus, Role
from partners.selectors import officers_signing_in
from partners.services.party_status import party_change_status
from selec.core.models import AuditEvent, Notification, OutboxMessage
from selec.core.policy_values import Restrictions
from tests.hits.pages import HITS, MASKED, _assert_no_content, _canary_report, _page
from tests.hits.scenario import a_hit, match, person, report

pytestmark = pytest.mark.django_db

# Who sees a hit between an exchange of the Romanian Police and one of the Bulgarian Police.
SEES = ["lo_ro", "lo_bg", "nfp_ro", "nfp_bg", "analyst"]
SEES_NOT = ["lo_tr", "lo_al", "op_it", "obs_at", "dpo", "directory_admin", "outsider"]


# --- Scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", SEES)
def test_the_providers_their_nfps_and_the_analyst_see_the_hit(
    request: pytest.FixtureRequest, login, lo_ro: Officer, lo_bg: Officer, persona: str
) -> None:
    hit = a_hit(lo_ro, lo_bg)

    client = login(request.getfixturevalue(persona))
    page = _page(client)

    assert hit.exchange_a.reference in page
    assert hit.exchange_b.reference in page
    assert client.get(f"{HITS}{hit.pk}/").status_code == 200


@pytest.mark.parametrize("persona", SEES_NOT)
def test_everyone_else_sees_no_hit_and_gets_404_for_it(
    request: pytest.FixtureRequest, login, lo_ro: Officer, lo_bg: Officer, persona: str
) -> None:
    # lo.tr's agency received both exchanges: receiving is not providing.
    hit = a_hit(lo_ro, lo_bg)

    client = login(request.getfixturevalue(persona))
    page = _page(client)

    assert "No hit to show." in page
    assert hit.exchange_a.reference not in page
    assert hit.exchange_b.reference not in page
    assert client.get(f"{HITS}{hit.pk}/").status_code == 404
    assert client.get(f"{HITS}{hit.pk + 1000}/").status_code == 404


def test_a_liaison_officer_sees_the_hits_of_their_agency_an_nfp_those_of_their_country(
    login, lo_ro: Officer, lo_bg: Officer, nfp_ro: Officer, nfp_bg: Officer
) -> None:
    bulgarian = a_hit(lo_ro, lo_bg)  # Romanian Police and Bulgarian Police
    # Two Romanian agencies, no Bulgarian one.
    in_romania = a_hit(nfp_ro, lo_ro, names=("Ion Popa", "POPA Ion"))

    lo_bg_page = _page(login(lo_bg))
    nfp_ro_page = _page(login(nfp_ro))

    assert f"hit-{bulgarian.pk}" in lo_bg_page
    assert f"hit-{in_romania.pk}" not in lo_bg_page
    assert f"hit-{bulgarian.pk}" in nfp_ro_page
    assert f"hit-{in_romania.pk}" in nfp_ro_page


def test_a_hit_names_the_agencies_of_its_two_exchanges(lo_ro: Officer, lo_bg: Officer) -> None:
    hit = Hit.objects.select_related("exchange_a", "exchange_b").get(pk=a_hit(lo_ro, lo_bg).pk)

    assert (hit.agency_a_id, hit.agency_b_id) == (
        hit.exchange_a.sender_agency_id,
        hit.exchange_b.sender_agency_id,
    )
    assert {hit.agency_a_id, hit.agency_b_id} == {lo_ro.agency_id, lo_bg.agency_id}


def test_an_agency_with_one_hit_among_thousands_reads_it_by_its_index(
    lo_ro: Officer, lo_bg: Officer, lo_al: Officer, nfp_ro: Officer
) -> None:
    mine = a_hit(lo_ro, lo_bg)
    # Thousands of hits between two other agencies, all newer than the Romanian one: walked
    # newest first, every one of them would be read before it.
    _many_hits_between(lo_bg, lo_al, count=20_000)

    for officer in (lo_ro, nfp_ro):
        signed_in = officers_signing_in().get(pk=officer.pk)
        with CaptureQueriesContext(connection) as reading:
            assert [row.id for row in hit_page(signed_in).rows] == [mine.pk]
        (sql,) = [q["sql"] for q in reading.captured_queries if Hit._meta.db_table in q["sql"]]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "hit_of_agency_a" in plan, plan
        assert "hit_of_agency_b" in plan, plan


def _many_hits_between(first: Officer, second: Officer, *, count: int) -> None:
    """``count`` hits between an exchange of each officer's agency, stored directly (matching
    that many entities one by one would take minutes), then the table analysed."""
    side = int(count**0.5) + 1
    exchanges = [report(first, person("Ana Petrova")), report(second, person("Ayse Yilmaz"))]
    entities = [
        Entity.objects.bulk_create(
            Entity(exchange=exchange, kind="person", attributes={"names": f"N {n}"})
            for n in range(side)
        )
        for exchange in exchanges
    ]
    now = timezone.now()
    Hit.objects.bulk_create(
        Hit(
            entity_a=a,
            entity_b=b,
            exchange_a=exchanges[0],
            exchange_b=exchanges[1],
            agency_a_id=exchanges[0].sender_agency_id,
            agency_b_id=exchanges[1].sender_agency_id,
            token_kinds=["person"],
            created_at=now,
        )
        for a, b in itertools.islice(itertools.product(*entities), count)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Hit._meta.db_table}")


def test_a_row_links_your_exchange_and_offers_to_request_the_details(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    hit = a_hit(lo_ro, lo_bg)
    ro, bg = hit.exchange_a, hit.exchange_b
    bulgarian_police = Agency.objects.get(name="Bulgarian Police")

    page = _page(login(lo_ro))

    assert f'href="/exchanges/{ro.reference}/"' in page
    assert f'href="/exchanges/{bg.reference}/"' not in page  # not theirs to open
    assert "Bulgarian Police <code>BG</code>" in page
    assert "Person (name and date of birth)" in page
    assert (
        f'href="/exchanges/new/?to={bulgarian_police.pk}&amp;subject=Details%20on%20hit%20with%20'
        f'{bg.reference}"'
    ) in page


def test_the_analyst_sees_both_sides_without_links_to_content(
    login, lo_ro: Officer, lo_bg: Officer, analyst: Officer
) -> None:
    hit = a_hit(lo_ro, lo_bg, codes=("H2", "H2"))

    page = _page(login(analyst))

    assert hit.exchange_a.reference in page
    assert hit.exchange_b.reference in page
    assert MASKED not in page
    assert "/exchanges/" not in page.split("<main", 1)[1]  # neither threads nor compose


def test_the_hits_page_costs_the_same_queries_for_one_hit_or_many(
    login,
    lo_ro: Officer,
    lo_bg: Officer,
    nfp_bg: Officer,
    analyst: Officer,
    django_assert_max_num_queries,
    django_assert_num_queries,
) -> None:
    a_hit(lo_ro, lo_bg)
    counts = {}
    for officer in (lo_ro, nfp_bg, analyst):
        client = login(officer)
        with django_assert_max_num_queries(10) as small:
            client.get(HITS)
        counts[officer.username] = len(small.captured_queries)
    for number in range(5):
        mine = report(lo_ro, person(f"Ion Popa {number}"), code="H2" if number % 2 else "H0")
        theirs = report(lo_bg, person(f"Popa Ion {number}"), code="H1")
        match(mine, theirs)
    assert Hit.objects.count() == 6

    for officer in (lo_ro, nfp_bg, analyst):
        client = login(officer)
        with django_assert_num_queries(counts[officer.username]):
            assert client.get(HITS).content.decode().count('id="hit-') == 6


def test_older_hits_follow_on_the_next_page(
    login, lo_ro: Officer, lo_bg: Officer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hits.views.ROWS_PER_PAGE", 2)
    hits = [a_hit(lo_ro, lo_bg, names=(f"Ion Popa {n}", f"Popa Ion {n}")) for n in range(3)]
    client = login(lo_ro)

    first = _page(client)
    assert f"?before={hits[1].pk}" in first
    assert f"hit-{hits[0].pk}" not in first
    second = _page(client, f"{HITS}?before={hits[1].pk}")
    assert f"hit-{hits[0].pk}" in second
    assert "Older hits" not in second
    # Neither a position nor a number int reads (a digit to str.isdigit): the first page.
    for position in ("nonsense", "%C2%B2", "9" * 30):
        assert "hit-" in _page(client, f"{HITS}?before={position}")


def test_the_menu_offers_hits_to_agency_officers_and_the_analyst_only(
    login, lo_ro: Officer, analyst: Officer, dpo: Officer, directory_admin: Officer
) -> None:
    for officer, offered in [
        (lo_ro, True),
        (analyst, True),
        (dpo, False),
        (directory_admin, False),
    ]:
        client = login(officer)
        assert (f'href="{HITS}"' in _page(client, "/")) is offered, officer.username


# --- Nothing of the other side's content ----------------------------------------------------


@pytest.mark.parametrize("codes", [("H0", "H0"), ("H2", "H0"), ("H0", "H2")])
def test_nothing_of_either_sides_content_reaches_the_pages_or_the_notices(
    login,
    lo_ro: Officer,
    lo_bg: Officer,
    nfp_ro: Officer,
    nfp_bg: Officer,
    analyst: Officer,
    codes: tuple[str, str],
) -> None:
    ro = _canary_report(lo_ro, "ro", "Ђорђе Ђорђевић", codes[0])
    bg = _canary_report(lo_bg, "bg", "Djordje Djordjevic", codes[1])
    match(ro, bg)
    hit = Hit.objects.get()

    for officer in (lo_ro, lo_bg, nfp_ro, nfp_bg, analyst):
        client = login(officer)
        _assert_no_content(_page(client))
        _assert_no_content(_page(client, f"{HITS}{hit.pk}/"))
    notices = Notification.objects.filter(kind=HitNotificationKind.HIT)
    # The two providers and their NFPs; under H2 the analysts too (the demo's two), whom the
    # notice names.
    analysts = Officer.objects.filter(role=Role.ANALYST, is_active=True).count()
    assert analysts == 2
    assert notices.count() == (4 + analysts if "H2" in codes else 4)
    for notice in notices:
        _assert_no_content(notice.title)
    for mail in OutboxMessage.objects.all():
        _assert_no_content(mail.subject + mail.body)
    _assert_no_content(str(AuditEvent.objects.get(object_type="exchanges.hit").details))


# --- H2 -------------------------------------------------------------------------------------


def _notice_of(officer: Officer) -> str:
    return Notification.objects.get(officer=officer, kind=HitNotificationKind.HIT).title


@pytest.mark.parametrize("h2_side", ["ro", "bg"])
def test_under_h2_the_other_side_is_told_only_to_contact_the_analyst(
    login, lo_ro: Officer, lo_bg: Officer, nfp_ro: Officer, nfp_bg: Officer, h2_side: str
) -> None:
    hit = a_hit(lo_ro, lo_bg, codes=("H2", "H0") if h2_side == "ro" else ("H0", "H2"))
    ro, bg = hit.exchange_a, hit.exchange_b
    provider, provider_nfp, told = (
        (lo_ro, nfp_ro, lo_bg) if h2_side == "ro" else (lo_bg, nfp_bg, lo_ro)
    )
    hidden, own = (ro, bg) if h2_side == "ro" else (bg, ro)
    told_nfp = nfp_bg if h2_side == "ro" else nfp_ro

    # The H2 provider sees both references, and may ask the other side.
    for officer in (provider, provider_nfp):
        page = _page(login(officer))
        assert ro.reference in page
        assert bg.reference in page
        assert MASKED not in page
        assert "Request details" in page
        assert ro.reference in _notice_of(officer)
        assert bg.reference in _notice_of(officer)
    # The other side learns that a match exists, not where.
    for officer in (told, told_nfp):
        page = _page(login(officer))
        assert own.reference in page
        assert hidden.reference not in page
        assert MASKED in page
        assert "Request details" not in page
        assert hidden.sender_agency.name not in page
        notice = _notice_of(officer)
        assert own.reference in notice
        assert hidden.reference not in notice
        assert hidden.sender_agency.party.code not in notice.replace(own.reference, "")
        assert MASKED in notice


def test_both_sides_under_h2_see_only_their_own_reference(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    hit = a_hit(lo_ro, lo_bg, codes=("H2", "H2"))

    for officer, own, other in [
        (lo_ro, hit.exchange_a, hit.exchange_b),
        (lo_bg, hit.exchange_b, hit.exchange_a),
    ]:
        page = _page(login(officer))
        assert own.reference in page
        assert other.reference not in page
        assert MASKED in page


def test_a_later_tightening_to_h2_hides_the_reference_at_once(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    hit = a_hit(lo_ro, lo_bg)
    bg = hit.exchange_b
    client = login(lo_ro)
    assert bg.reference in _page(client)

    exchange_change_restrictions(
        officer=lo_bg, exchange=bg, restrictions=Restrictions(dissemination=True)
    )

    page = _page(client)
    assert bg.reference not in page
    assert MASKED in page
    assert bg.reference not in _page(client, f"{HITS}{hit.pk}/")


# --- Observers ------------------------------------------------------------------------------


def test_a_party_downgraded_to_observer_takes_its_hits_out_of_sight(
    login, lo_ro: Officer, lo_bg: Officer, nfp_bg: Officer, analyst: Officer
) -> None:
    hit = a_hit(lo_ro, lo_bg)
    bulgaria = Party.objects.get(code="BG")

    party_change_status(
        actor=None, party=bulgaria, status=PartyStatus.OBSERVER, effective_from=dt.date.today()
    )

    for officer in (lo_ro, lo_bg, nfp_bg, analyst):
        client = login(officer)
        assert hit.exchange_b.reference not in _page(client)
        assert client.get(f"{HITS}{hit.pk}/").status_code == 404

    party_change_status(
        actor=None, party=bulgaria, status=PartyStatus.MEMBER, effective_from=dt.date.today()
    )
    assert hit.exchange_b.reference in _page(login(lo_ro))


def test_an_officer_of_a_party_that_may_not_be_matched_is_shown_no_hit_without_reading_them(
    lo_ro: Officer, lo_bg: Officer, obs_at: Officer
) -> None:
    a_hit(lo_ro, lo_bg)
    party_change_status(
        actor=None,
        party=Party.objects.get(code="BG"),
        status=PartyStatus.FORMER,
        effective_from=dt.date.today(),
    )
    for officer in (lo_bg, obs_at):
        # Loaded as each request loads the signed-in officer.
        signed_in = officers_signing_in().get(pk=officer.pk)
        with CaptureQueriesContext(connection) as reading:
            assert hit_page(signed_in).rows == []
        assert not any(Hit._meta.db_table in q["sql"] for q in reading.captured_queries)
    assert hit_page(officers_signing_in().get(pk=lo_ro.pk)).rows == []
