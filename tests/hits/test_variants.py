"""Variant romanisations of one name meet: a pair per line, and the curated list of variants is
part of the blind index's scheme, so that changing it makes the tokens made before stale."""

# ruff: noqa: RUF001, RUF003 - Cyrillic and Greek letters that look like Latin ones are the subject.

from __future__ import annotations

import pytest

from hits import blind_index, normalise, variants
from hits.blind_index import current_scheme, entity_tokens
from hits.models import EntityToken
from hits.normalise import normalise_name, normalise_name_tokens
from hits.reindex import entities_to_reindex
from partners.models import Officer
from tests.hits.scenario import person, report

# Two spellings of one name, as two providers may write it.
SAME_NAME = [
    # Greek: the formal and the everyday given name, ELOT 743 and the older passports.
    ("Yiorgos", "Giorgos"),
    ("Giorgos", "Georgios"),
    ("Yiorgos", "Georgios"),
    ("Γιώργος", "Γεώργιος"),
    ("Γιώργος", "Yeoryios"),
    ("Yorgos", "Georgios"),
    ("Hristos", "Christos"),
    ("Khristos", "Χρήστος"),
    ("Christodoulou", "Hristodoulou"),
    ("Hatzidakis", "Chatzidakis"),
    ("Khatzidakis", "Χατζηδάκης"),
    ("Haralambos", "Charalampos"),
    ("Yiannis", "Ioannis"),
    ("Γιάννης", "Ιωάννης"),
    ("Panayiotis", "Panagiotis"),
    ("Panayiotou", "Παναγιώτου"),
    ("Yeorgiou", "Georgiou"),
    ("Vassilios", "Vasileios"),
    ("Vasilis", "Βασίλειος"),
    ("Dimitris", "Dimitrios"),
    ("Kostas", "Konstantinos"),
    ("Konstandinos", "Κωνσταντίνος"),
    ("Evaggelos", "Evangelos"),
    ("Vangelis", "Ευάγγελος"),
    ("Athanassios", "Athanasios"),
    ("Spiros", "Spyridon"),
    ("Nikos", "Nikolaos"),
    ("Antonis", "Antonios"),
    ("Ekaterini", "Aikaterini"),
    ("Mpakogianni", "Bakogianni"),
    ("Ntinos", "Ντίνος"),
    # Bulgarian: ьо is "yo" by the Streamlined System; х as "h", "kh" or "ch".
    ("Щерьо", "Shteryo"),
    ("Кольо", "Kolyo"),
    ("Христо", "Hristo"),
    ("Hristo", "Khristo"),
    ("Christo", "Hristo"),
    ("Щерьо Христов", "Shteryo Hristov"),
    # Serbian and Macedonian digraphs: written as two letters, one Unicode letter, or ISO 9.
    ("Ǆamić", "Džamić"),
    ("ǈubiša", "Ljubiša"),
    ("ǋegoš", "Njegoš"),
    ("Ljubisha", "Љубиша"),
    ("Dzhamich", "Џамић"),
    ("Ǵorǵi", "Gjorgji"),
    ("Ѓорѓи", "Ǵorǵi"),
    ("Ḱiro", "Kjiro"),
    ("Ќиро", "Ḱiro"),
    ("Ѕвезда", "Dzvezda"),
    # Romanian: comma and cedilla, and the î written before 1993 where â is written now.
    ("Ștefănescu", "Ştefănescu"),
    ("Țiriac", "Ţiriac"),
    ("Sîrbu", "Sârbu"),
    ("Sirbu", "Sârbu"),
    ("Cîmpeanu", "Câmpeanu"),
    ("Pîrvu", "Pârvu"),
    ("Cîrstea", "Cârstea"),
    # Turkish: dotted and dotless i, the letters without their marks, ö and ü as oe and ue.
    ("Yılmaz", "YILMAZ"),
    ("İsmail", "Ismail"),
    ("Öztürk", "Oeztuerk"),
    ("Öztürk", "Ozturk"),
    ("Özdemir", "Oezdemir"),
    ("Gül", "Guel"),
    ("Ünal", "Uenal"),
    ("Güneş", "Guenes"),
    ("Çelik", "Chelik"),
    ("Doğan", "Dogan"),
]

# Names of other people, or the same name in another language, which stay apart.
OTHER_NAMES = [
    ("Georgios", "Georgi"),  # the Greek and the Bulgarian forms of George
    ("Hristos", "Hristo"),  # the Greek and the Bulgarian forms of Christos
    ("Giorgos", "Gjorgji"),  # Greek and Macedonian
    ("Yiannis", "Yanis"),
    ("Kostas", "Kosta"),
    ("Shteryo", "Shtero"),
    ("Sârbu", "Sarb"),
    ("Öztürk", "Türk"),
    ("Gjorgji", "Djordji"),  # Macedonian ѓ is not Serbian đ
    ("Jovan", "Yovan"),
    ("Hatzidakis", "Hadzidakis"),
]


@pytest.mark.parametrize(("one", "other"), SAME_NAME, ids=[f"{a}={b}" for a, b in SAME_NAME])
def test_variant_romanisations_of_one_name_meet(one: str, other: str) -> None:
    assert normalise_name(one) == normalise_name(other)


@pytest.mark.parametrize(("one", "other"), OTHER_NAMES, ids=[f"{a}!={b}" for a, b in OTHER_NAMES])
def test_other_names_stay_apart(one: str, other: str) -> None:
    assert normalise_name(one) != normalise_name(other)


def test_a_person_written_in_variants_by_two_providers_has_the_same_tokens() -> None:
    greek = entity_tokens("person", {"names": "Γιώργος Χατζηδάκης", "date_of_birth": "1970-01-02"})
    older = entity_tokens("person", {"names": "HATZIDAKIS Yiorgos", "date_of_birth": "1970-01-02"})
    assert greek == older
    assert normalise_name_tokens("Щерьо Христов") == normalise_name_tokens("Hristov Shteryo")


def _all_spellings() -> list[tuple[tuple[str, ...], str]]:
    return [(group, spelling) for group in variants.NAME_VARIANTS for spelling in group]


@pytest.mark.parametrize(
    ("group", "spelling"), _all_spellings(), ids=[s for _g, s in _all_spellings()]
)
def test_every_curated_spelling_meets_the_first_of_its_group_and_is_stable(
    group: tuple[str, ...], spelling: str
) -> None:
    canonical = normalise_name(group[0])
    assert normalise_name(spelling) == canonical
    assert normalise_name(canonical) == canonical
    assert " " not in canonical


def test_a_spelling_claimed_by_two_groups_or_of_two_words_is_refused() -> None:
    with pytest.raises(ValueError, match="variant of two names"):
        normalise._variant_table(
            (("Giorgos", "Yiorgos"), ("Georgi", "Yiorgos")), normalise._spelled_words
        )
    with pytest.raises(ValueError, match="one word"):
        normalise._variant_table((("Giorgos", "Yi orgos"),), normalise._spelled_words)


def test_the_scheme_carries_the_digest_of_the_variants_and_fits_its_column(settings) -> None:
    assert current_scheme() == (
        f"v{blind_index.NORMALISATION_VERSION}.{normalise.NAME_VARIANTS_DIGEST}"
        f"-k{settings.BLIND_INDEX_KEY_ID}"
    )
    settings.BLIND_INDEX_KEY_ID = 9999
    column = EntityToken._meta.get_field("scheme").max_length
    assert column is not None
    assert len(current_scheme()) <= column


@pytest.mark.django_db
def test_a_change_of_the_variants_changes_the_scheme_and_makes_the_tokens_stale(
    monkeypatch, lo_ro: Officer
) -> None:
    held = report(lo_ro, person("Yiorgos Hatzidakis"))
    assert not entities_to_reindex().exists()
    # The tables as they would load with one more variant: another digest, another scheme.
    table = normalise._variant_table(
        (*variants.NAME_VARIANTS, ("Stavros", "Stavross")), normalise._spelled_words
    )
    digest = normalise._digest(normalise._BEGINNING_OF, table)
    assert digest != normalise.NAME_VARIANTS_DIGEST
    before = current_scheme()
    monkeypatch.setattr(blind_index, "NAME_VARIANTS_DIGEST", digest)

    assert current_scheme() != before
    assert list(entities_to_reindex().values_list("exchange_id", flat=True)) == [held.pk]
