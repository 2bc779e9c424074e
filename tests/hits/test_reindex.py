"""The blind-index tokens carry their scheme: after a new key, the stale ones are known, are
never matched, and ``reindex_entities`` brings every entity back so that old and new match."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from exchanges.models import Entity
from hits.blind_index import current_scheme
from hits.matching import unmatched_entities_match
from hits.models import EntityToken
from hits.reindex import entities_reindex, entities_to_reindex
from hits.tasks import reindex_stale_entities
from partners.models import Officer
from selec.core.models import AuditEvent
from tests.hits.scenario import hit_between, match, person, report

pytestmark = pytest.mark.django_db

NEW_KEY = b"\x07" * 32


@pytest.fixture
def new_key(settings):
    """The operator's steps: a new BLIND_INDEX_KEY and its id raised."""

    def rotate() -> None:
        settings.BLIND_INDEX_KEY = NEW_KEY
        settings.BLIND_INDEX_KEY_ID = settings.BLIND_INDEX_KEY_ID + 1

    return rotate


def test_tokens_are_stored_with_the_scheme_they_were_made_under(lo_ro: Officer) -> None:
    exchange = report(lo_ro, person("Djordje Djordjevic"))
    schemes = set(
        EntityToken.objects.filter(entity__exchange=exchange).values_list("scheme", flat=True)
    )
    assert schemes == {current_scheme()}
    assert not entities_to_reindex().exists()


def test_stale_tokens_are_known_and_never_matched_even_when_equal(
    lo_ro: Officer, lo_bg: Officer, settings
) -> None:
    old = report(lo_ro, person("Ђорђе Ђорђевић"))
    # Another scheme that happens to give the same tokens: still not matched until reindexed.
    settings.BLIND_INDEX_KEY_ID += 1
    assert list(entities_to_reindex().values_list("exchange_id", flat=True)) == [old.pk]
    with pytest.raises(CommandError, match="1 entities hold tokens of another scheme"):
        call_command("reindex_entities", "--check")
    new = report(lo_bg, person("Djordje Djordjevic"))
    assert match(old, new) == 0


def test_reindexing_brings_old_and_new_entities_to_match_again(
    lo_ro: Officer, lo_bg: Officer, new_key
) -> None:
    old = report(lo_ro, person("Ђорђе Ђорђевић"))
    match(old)
    new_key()
    new = report(lo_bg, person("Djordje Djordjevic"))
    match(new)
    assert hit_between(old, new) is None

    done = entities_reindex()

    assert (done.entities, done.changed) == (1, 1)
    assert set(EntityToken.objects.values_list("scheme", flat=True)) == {current_scheme()}
    # The entity whose tokens changed waits for the sweep, which finds the pair.
    assert Entity.objects.get(exchange=old).matched_at is None
    assert unmatched_entities_match(now=old.sent_at.replace(year=old.sent_at.year + 1)) == 1
    assert hit_between(old, new) is not None
    event = AuditEvent.objects.filter(reason="blind-index tokens recomputed").get()
    assert event.details == {"scheme": current_scheme(), "entities": 1, "changed": 1}
    call_command("reindex_entities", "--check")


def test_a_second_run_finds_nothing_and_all_recomputes_without_changing_anything(
    lo_ro: Officer,
) -> None:
    report(lo_ro, person("Djordje Djordjevic"))
    before = set(EntityToken.objects.values_list("kind", "token", "scheme"))
    assert entities_reindex().entities == 0
    everything = entities_reindex(everything=True)
    assert (everything.entities, everything.changed) == (1, 0)
    assert set(EntityToken.objects.values_list("kind", "token", "scheme")) == before


def test_the_periodic_task_reindexes_what_a_release_left_stale_and_nothing_else(
    lo_ro: Officer, lo_bg: Officer, new_key, settings
) -> None:
    # The schedule runs it: a release that changes the scheme needs no operator.
    assert settings.CELERY_BEAT_SCHEDULE["reindex-stale-entities"]["task"] == (
        reindex_stale_entities.name
    )
    assert reindex_stale_entities() == 0  # nothing stale: nothing done
    report(lo_ro, person("Ђорђе Ђорђевић"))
    new_key()
    report(lo_bg, person("Djordje Djordjevic"))

    assert reindex_stale_entities() == 1
    assert set(EntityToken.objects.values_list("scheme", flat=True)) == {current_scheme()}
    assert reindex_stale_entities() == 0
