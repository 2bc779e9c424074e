"""The migration that gives each hit its exchanges' agencies fills them for the hits already
stored, and goes back without losing a hit."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hits.models import Hit
from partners.models import Officer
from tests.hits.scenario import a_hit

BEFORE = ("hits", "0002_drop_redundant_index")
AFTER = ("hits", "0003_hits_name_their_providers_agencies")


def _migrate(target: tuple[str, str]) -> None:
    MigrationExecutor(connection).migrate([target])


# Schema changes cannot share a transaction with the rows' pending foreign-key checks.
@pytest.mark.django_db(transaction=True)
def test_the_hits_stored_before_get_their_exchanges_agencies(in_process_tasks) -> None:
    # The transactional database starts empty.
    call_command("seed_demo", "--personas-only", verbosity=0)
    lo_ro, lo_bg, nfp_ro = (
        Officer.objects.select_related("agency__party").get(username=username)
        for username in ("lo.ro", "lo.bg", "nfp.ro")
    )
    hits = [a_hit(lo_ro, lo_bg), a_hit(nfp_ro, lo_bg, names=("Ion Popa", "POPA Ion"))]
    _migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {Hit._meta.db_table}")  # noqa: S608
            assert cursor.fetchone() == (2,)
    finally:
        _migrate(AFTER)

    stored = {
        hit.pk: (hit.agency_a_id, hit.agency_b_id)
        for hit in Hit.objects.select_related("exchange_a", "exchange_b")
    }
    assert stored == {
        hit.pk: (hit.exchange_a.sender_agency_id, hit.exchange_b.sender_agency_id) for hit in hits
    }
    assert {agency for pair in stored.values() for agency in pair} == {
        lo_ro.agency_id,
        lo_bg.agency_id,
        nfp_ro.agency_id,
    }
