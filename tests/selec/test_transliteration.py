"""Names in another script, transliterated for the reader (``selec.core.transliteration``)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from selec.core.transliteration import Script, for_reader, script_of, to_latin


@pytest.mark.parametrize(
    ("name", "language", "shown"),
    [
        # Into Latin: Gaj's letters for Cyrillic, ELOT 743 for Greek; the case is kept.
        ("Ђорђе Ђорђевић", "en", "Đorđe Đorđević"),
        ("Љубомир ЈОВАНОВИЋ", "ro", "Ljubomir JOVANOVIĆ"),
        ("Георги Щерев", "tr", "Georgi Šterev"),
        ("Ѓорѓе Ќосевски", "sq", "Gjorgje Kjosevski"),
        ("Ευάγγελος Παπαδόπουλος", "hu", "Evangelos Papadopoulos"),
        ("Ευστάθιος", "sr-latn", "Efstathios"),
        # Into the Cyrillic of the reader's language.
        ("Đorđe Đorđević", "sr", "Ђорђе Ђорђевић"),
        ("Ivan Zhekov", "bg", "Иван Жеков"),
        ("Xhafer Hoxha", "mk", "Џафер Хоџа"),
        ("Ana Popescu", "bg", "Ана Попеску"),
        # Into Greek, and between the non-Latin scripts through Latin.
        ("Papadopoulos", "el", "Παπαδοπουλος"),
        ("Boris Petrov", "el", "Μπορις Πετροβ"),
        ("Θεόδωρος", "bg", "Теодорос"),
    ],
)
def test_a_name_is_given_in_the_readers_script(name: str, language: str, shown: str) -> None:
    assert for_reader(name, language) == shown


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("Ion Popescu", "ro"),
        ("Иван Иванов", "bg"),
        ("Иван Иванов", "sr"),
        ("Νίκος", "el"),
        ("", "en"),
        ("1234", "bg"),
    ],
)
def test_nothing_is_added_for_a_reader_of_the_same_script(name: str, language: str) -> None:
    assert for_reader(name, language) == ""


def test_the_script_of_a_text_is_the_one_of_most_of_its_letters() -> None:
    assert script_of("Иван Ivanov Иванович") == Script.CYRILLIC
    assert script_of("Νίκος K.") == Script.GREEK
    assert script_of("-- 42 --") is None
    assert to_latin("SELEC-2026-000123 Ж") == "SELEC-2026-000123 Ž"


def test_the_filter_shows_the_name_as_written_and_its_transliteration_beside_it() -> None:
    template = Template("{% load scripts %}{{ name|with_transliteration }}")
    with translation.override("en"):
        html = template.render(Context({"name": "Петров <b>"}))
    assert html.startswith('Петров &lt;b&gt; <span class="transliteration" lang="en-Latn"')
    assert html.endswith(">(Petrov &lt;b&gt;)</span>")
    with translation.override("bg"):
        assert template.render(Context({"name": "Петров"})) == "Петров"
