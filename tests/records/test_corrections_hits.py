"""A corrected entity is indexed and matched afresh: its old blind-index tokens and the hits
they made go with the old row, the new values get tokens of their own, and a hit holds only
while the corrected values still match another provider's entity."""

from __future__ import annotations

import pytest

from exchanges.models import Entity
from hits.blind_index import entity_tokens
from hits.models import EntityToken, Hit
from partners.models import Officer
from records.services_corrections import EntityCorrection
from tests.hits.scenario import hit_between, match, person, report
from tests.records.corrections_scenario import correct

pytestmark = pytest.mark.django_db


def _tokens(entity: Entity) -> set[tuple[str, str]]:
    return set(EntityToken.objects.filter(entity=entity).values_list("kind", "token"))


def test_a_corrected_entity_loses_its_old_tokens_and_gets_those_of_its_new_values(
    lo_ro: Officer,
) -> None:
    mine = report(lo_ro, person("Ђорђе Ђорђевић"))
    old = mine.entities.get()
    old_tokens = _tokens(old)
    assert old_tokens

    correct(
        lo_ro,
        mine,
        entity=EntityCorrection(
            uuid=old.uuid, attributes={"names": "Marko Marković", "date_of_birth": "1975-01-30"}
        ),
    )

    new = mine.entities.get()
    assert not EntityToken.objects.filter(entity_id=old.pk).exists()
    assert _tokens(new) == set(entity_tokens(new.kind, new.attributes))
    assert not _tokens(new) & old_tokens
    # Matched afresh by the after-commit task (not yet run here).
    assert new.matched_at is None


def test_a_hit_goes_when_the_correction_no_longer_matches_and_comes_back_when_it_does(
    lo_ro: Officer, lo_bg: Officer
) -> None:
    mine = report(lo_ro, person("Ђорђе Ђорђевић"))
    theirs = report(lo_bg, person("Djordje Djordjevic"))
    match(mine, theirs)
    assert hit_between(mine, theirs) is not None

    # Another man: the hit built on the old values goes with them, and none comes back.
    correct(
        lo_ro,
        mine,
        entity=EntityCorrection(
            index=0, attributes={"names": "Marko Marković", "date_of_birth": "1980-04-12"}
        ),
    )
    assert hit_between(mine, theirs) is None
    assert match(mine) == 0
    assert hit_between(mine, theirs) is None

    # Corrected back to the man the Bulgarians hold (in Latin letters this time): a hit again.
    correct(
        lo_ro,
        mine,
        entity=EntityCorrection(
            index=0, attributes={"names": "Đorđe Đorđević", "date_of_birth": "1980-04-12"}
        ),
    )
    assert match(mine) == 1
    hit = hit_between(mine, theirs)
    assert hit is not None
    assert hit.entity_a_id in {mine.entities.get().pk, theirs.entities.get().pk}
    assert Hit.objects.count() == 1
