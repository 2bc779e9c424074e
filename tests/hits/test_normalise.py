"""The normaliser folds the spellings of the region to one form, and nothing more."""

# ruff: noqa: RUF001, RUF003 - Cyrillic and Greek letters that look like Latin ones are the
# very subject of these tests.

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hits.normalise import (
    normalise_date,
    normalise_identifier,
    normalise_name,
    normalise_name_tokens,
    normalise_phone,
)

CANONICAL_NAME = re.compile(r"^([a-z0-9]+( [a-z0-9]+)*)?$")
CANONICAL_IDENTIFIER = re.compile(r"^[A-Z0-9]*$")


def assert_all_normalise_to(expected: str, spellings: list[str]) -> None:
    results = {spelling: normalise_name(spelling) for spelling in spellings}
    assert results == dict.fromkeys(spellings, expected)


# --- Names: one table per script -------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        (
            "djordjevic",
            ["Ђорђевић", "Đorđević", "Djordjević", "Djordjevic", "DJORDJEVIC", "djordjevic"],
        ),
        ("cvetkovic", ["Цветковић", "Cvetković", "CVETKOVIC", "Cvetkovich"]),
        ("dzamic", ["Џамић", "Džamić", "Dzamic", "DŽAMIĆ"]),
        ("ljubisa njegos", ["Љубиша Његош", "Ljubiša Njegoš", "Ljubisa Njegos"]),
        ("jovan zivkovic", ["Јован Живковић", "Jovan Živković", "Jovan Zivkovic"]),
    ],
)
def test_serbian_cyrillic_and_latin_spellings_give_one_name(
    expected: str, spellings: list[str]
) -> None:
    assert_all_normalise_to(expected, spellings)


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        ("gjorgjievski", ["Ѓорѓиевски", "Gjorgjievski", "GJORGJIEVSKI"]),
        ("kjiro", ["Ќиро", "Kjiro"]),
        ("dzvezda", ["Ѕвезда", "Dzvezda"]),
        ("ljupco", ["Љупчо", "Ljupčo", "Ljupcho", "Ljupco"]),
    ],
)
def test_macedonian_cyrillic_meets_its_latin_romanisation(
    expected: str, spellings: list[str]
) -> None:
    assert_all_normalise_to(expected, spellings)


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        ("ivan petrov", ["Иван Петров", "Ivan Petrov", "IVAN PETROV"]),
        ("zekov", ["Жеков", "Zhekov", "Žekov", "Zekov"]),
        ("sterev", ["Щерев", "Shterev", "Šterev"]),
        ("yordan cvetkov", ["Йордан Цветков", "Yordan Tsvetkov", "Yordan Cvetkov"]),
        ("yana", ["Яна", "Yana"]),
        ("yuliyan", ["Юлиян", "Yuliyan"]),
        ("tarnev", ["Търнев", "Tarnev"]),
        ("atanas caprazov", ["Атанас Чапразов", "Atanas Chaprazov", "Atanas Čaprazov"]),
    ],
)
def test_bulgarian_cyrillic_meets_its_streamlined_romanisation(
    expected: str, spellings: list[str]
) -> None:
    assert_all_normalise_to(expected, spellings)


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        ("ryzkov", ["Рыжков", "Ryzhkov"]),
        ("erdogan", ["Эрдоган", "Erdogan"]),
        ("yevgeniya", ["Євгенія", "Yevgeniya"]),
        ("yilin", ["Їлін", "Yilin"]),
        ("gonta", ["Ґонта", "Gonta"]),
        ("fedorov", ["Фёдоров", "Федоров", "Fedorov"]),
        ("igor", ["Игорь", "Igor"]),
    ],
)
def test_russian_and_ukrainian_letters_of_moldovan_and_ukrainian_names_are_transliterated(
    expected: str, spellings: list[str]
) -> None:
    assert_all_normalise_to(expected, spellings)


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        ("papadopoulos", ["Παπαδόπουλος", "ΠΑΠΑΔΟΠΟΥΛΟΣ", "Papadopoulos", "PAPADOPOULOS"]),
        ("georgios", ["Γεώργιος", "ΓΕΩΡΓΙΟΣ", "Georgios"]),
        ("ioannis", ["Ιωάννης", "Ioannis"]),
        ("evangelos", ["Ευάγγελος", "Evangelos"]),
        ("efstathios", ["Ευστάθιος", "Efstathios"]),
        ("mavros", ["Μαύρος", "Mavros"]),
        ("catzidakis", ["Χατζηδάκης", "Chatzidakis"]),
        ("taygetos", ["Ταΰγετος", "Taygetos"]),
        ("bakogianni", ["Μπακογιάννη", "Mpakogianni", "Bakogianni"]),
        ("dinos", ["Ντίνος", "Ntinos", "Dinos"]),
        ("gikas", ["Γκίκας", "Gkikas", "Gikas"]),
        ("sokratis psaras", ["Σωκράτης Ψαράς", "Sokratis Psaras"]),
    ],
)
def test_greek_names_meet_their_elot_743_spelling_whatever_the_accents_and_final_sigma(
    expected: str, spellings: list[str]
) -> None:
    assert_all_normalise_to(expected, spellings)


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        # Comma below (U+0219, U+021B) and cedilla (U+015F, U+0163) forms of ș and ț.
        ("stefanescu", ["\u0218tef\u0103nescu", "\u015etef\u0103nescu", "Stefanescu"]),
        ("tiriac", ["\u021airiac", "\u0162iriac", "Tiriac"]),
        ("ion tanase", ["Ion Tănase", "Ion Tanase"]),
        ("sandu ioan", ["Sandu Ioan", "Săndu Îoan", "Sându Ioan"]),
    ],
)
def test_romanian_comma_and_cedilla_letters_meet_plain_latin(
    expected: str, spellings: list[str]
) -> None:
    assert_all_normalise_to(expected, spellings)


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        ("gerguri", ["Gërguri", "Gerguri"]),
        ("celik", ["Çelik", "Celik"]),
        ("dzaferi", ["Xhaferi", "Džaferi", "Џафери"]),
        ("sehu", ["Shehu", "Šehu", "Шеху"]),
        ("gjergj", ["Gjergj", "Ѓерѓ"]),
        ("ori gyozo", ["Őri Győző", "Ori Gyozo"]),
        ("tothne buru", ["Tóthné Bűrű", "Tothne Buru"]),
        ("ozturk", ["Öztürk", "Ozturk"]),
        ("dogan", ["Doğan", "Dogan"]),
        ("sahin", ["Şahin", "Sahin"]),
    ],
)
def test_albanian_hungarian_and_turkish_diacritics_are_dropped(
    expected: str, spellings: list[str]
) -> None:
    assert_all_normalise_to(expected, spellings)


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        ("yilmaz", ["YILMAZ", "Yılmaz", "Yilmaz", "yılmaz", "YİLMAZ"]),
        ("ismail", ["İsmail", "ISMAIL", "ismail", "ısmaıl", "İSMAİL"]),
        # str.lower() of "İ" leaves a combining dot above ("i̇"), which must not survive.
        ("istanbul", ["İstanbul".lower(), "Istanbul", "ıstanbul"]),
    ],
)
def test_turkish_dotted_and_dotless_i_all_fold_to_i(expected: str, spellings: list[str]) -> None:
    assert_all_normalise_to(expected, spellings)


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        ("z", ["ž", "zh", "ж", "Ž", "ZH"]),
        ("s", ["š", "sh", "ш", "ș", "ş"]),
        ("c", ["č", "ć", "ch", "ч", "ћ", "ç", "ц", "ts"]),
        ("dj", ["đ", "dj", "ђ", "Đ", "DJ"]),
        ("dz", ["dž", "џ", "dzh", "дж", "ѕ", "xh"]),
    ],
)
def test_the_spellings_of_one_sound_across_the_region_meet(
    expected: str, spellings: list[str]
) -> None:
    assert_all_normalise_to(expected, spellings)


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        (
            "ana maria popescu",
            ["Ana Maria Popescu", "  ana   maria\tpopescu ", "ANA\u00a0MARIA POPESCU"],
        ),
        ("anamaria obrien", ["Ana-Maria O'Brien", "Anamaria OBrien", "Ana‐Maria O’Brien"]),
        ("srl popescu andrei", ["S.R.L. Popescu,Andrei", "SRL Popescu, Andrei"]),
        ("ionescu popa", ["Ionescu (Popa)", "Ionescu / Popa"]),
        ("", ["", "   ", "-'.", "李"]),
    ],
)
def test_case_punctuation_and_spacing_are_ignored(expected: str, spellings: list[str]) -> None:
    assert_all_normalise_to(expected, spellings)


def test_the_name_keeps_word_order_and_its_tokens_do_not() -> None:
    assert normalise_name("Popescu Andrei") != normalise_name("Andrei Popescu")
    assert normalise_name_tokens("Popescu Andrei") == ("andrei", "popescu")
    assert normalise_name_tokens("ANDREI Popescu") == ("andrei", "popescu")
    assert normalise_name_tokens("Ђорђевић Марко") == normalise_name_tokens("Marko Djordjevic")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Petrov", "Petrovic"),
        ("Ivan", "Ivana"),
        ("Popescu", "Popa"),
        ("Jovan", "Yovan"),  # Serbian j and Bulgarian y are not folded together.
        ("Gjorgji", "Djordji"),  # Macedonian ѓ (gj) is not Serbian đ (dj).
        ("Marko Djordjevic", "Markodjordjevic"),
    ],
)
def test_names_that_differ_stay_different(first: str, second: str) -> None:
    assert normalise_name(first) != normalise_name(second)


# --- Names: properties ---------------------------------------------------------------------

# Gaj's Latin alphabet and Vuk's Cyrillic, letter for letter (lj, nj and dž are one letter).
SERBIAN_LATIN_TO_CYRILLIC = {
    "a": "а", "b": "б", "c": "ц", "č": "ч", "ć": "ћ", "d": "д", "dž": "џ", "đ": "ђ", "e": "е",
    "f": "ф", "g": "г", "h": "х", "i": "и", "j": "ј", "k": "к", "l": "л", "lj": "љ", "m": "м",
    "n": "н", "nj": "њ", "o": "о", "p": "п", "r": "р", "s": "с", "š": "ш", "t": "т", "u": "у",
    "v": "в", "z": "з", "ž": "ж",
}  # fmt: skip
SERBIAN_LATIN = list(SERBIAN_LATIN_TO_CYRILLIC)
SERBIAN_WITHOUT_DIACRITICS = {"č": "c", "ć": "c", "dž": "dz", "đ": "dj", "š": "s", "ž": "z"}


def serbian_latin_to_cyrillic(text: str) -> str:
    """Vuk's Cyrillic for a Serbian Latin text, longest letter first (lj, nj, dž)."""
    cyrillic: list[str] = []
    i = 0
    while i < len(text):
        for length in (2, 1):
            chunk = text[i : i + length]
            letter = SERBIAN_LATIN_TO_CYRILLIC.get(chunk.lower())
            if letter is not None:
                cyrillic.append(letter.upper() if chunk[0].isupper() else letter)
                i += length
                break
        else:
            cyrillic.append(text[i])
            i += 1
    return "".join(cyrillic)


def serbian_latin_without_diacritics(text: str) -> str:
    for letter, plain in SERBIAN_WITHOUT_DIACRITICS.items():
        text = text.replace(letter, plain).replace(letter.capitalize(), plain.capitalize())
    return text


serbian_words = st.lists(st.sampled_from(SERBIAN_LATIN), min_size=1, max_size=10).map(
    lambda letters: "".join(letters).capitalize()
)
serbian_names = st.lists(serbian_words, min_size=1, max_size=3).map(" ".join)

# The alphabets of the region, both cases, with the separators names are written with.
REGION_LOWER = (
    "abcdefghijklmnopqrstuvwxyz"
    "čćđšžșşțţăâîëçőűğıöüáéíóúàèìòùñ"
    "абвгдђежзијклљмнњопрстћуфхцчџш"  # Serbian
    "ѓѕќ"  # Macedonian
    "йщъьюя"  # Bulgarian
    "ыэёіїєґў"  # Russian, Ukrainian, Belarusian
    "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰς"  # Greek
)
REGION_ALPHABET = REGION_LOWER + REGION_LOWER.upper() + "İ" + " -'.,"
region_text = st.text(alphabet=REGION_ALPHABET, max_size=40)
any_text = st.one_of(region_text, st.text(max_size=40))


@given(any_text)
def test_normalising_a_name_twice_changes_nothing(value: str) -> None:
    once = normalise_name(value)
    assert normalise_name(once) == once


@given(any_text)
def test_a_normalised_name_is_lowercase_ascii_words_separated_by_single_spaces(
    value: str,
) -> None:
    assert CANONICAL_NAME.match(normalise_name(value))


@given(region_text)
def test_the_case_of_the_region_s_alphabets_does_not_matter(value: str) -> None:
    assert normalise_name(value.upper()) == normalise_name(value.lower())


@given(serbian_names)
def test_serbian_latin_names_survive_a_round_trip_through_cyrillic(name: str) -> None:
    assert normalise_name(serbian_latin_to_cyrillic(name)) == normalise_name(name)


@given(serbian_names)
def test_serbian_names_written_without_diacritics_meet_the_original(name: str) -> None:
    assert normalise_name(serbian_latin_without_diacritics(name)) == normalise_name(name)


@given(any_text)
def test_name_tokens_are_the_sorted_words_of_the_name(value: str) -> None:
    tokens = normalise_name_tokens(value)
    assert list(tokens) == sorted(normalise_name(value).split())


# --- Identifiers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        ("B123ABC", ["B 123 ABC", "B-123-ABC", "b123abc", "B.123.ABC", "B/123/ABC"]),
        # Bulgarian plate typed in Cyrillic: В, Р, Т, Х, А are Latin lookalikes.
        ("PB1234TX", ["РВ 1234 ТХ", "рв1234тх", "PB 1234 TX"]),
        # Greek plate typed in Greek: Ι, Κ, Β, Ζ, Η, Ν, Μ, Ο, Ρ, Τ, Υ, Χ, Α, Ε.
        ("IKB1234", ["ΙΚΒ-1234", "ικβ 1234", "IKB 1234"]),
        ("ZHNMOPTYXAE", ["ΖΗΝΜΟΡΤΥΧΑΕ", "ZHNMOPTYXAE"]),
        # Serbian plate letters with diacritics keep one letter each.
        ("BG123SD", ["BG 123-ŠĐ", "BG123SD"]),
        ("WVWZZZ1JZXW000001", ["wvwzzz1jzxw000001", "WVW ZZZ 1JZ XW 000001"]),
        ("RO49AAAA1B31007593840000", ["RO49 AAAA 1B31 0075 9384 0000", "ro49aaaa1b31007593840000"]),
        ("", ["", " - / . "]),
    ],
)
def test_identifier_spellings_give_one_form(expected: str, spellings: list[str]) -> None:
    results = {spelling: normalise_identifier(spelling) for spelling in spellings}
    assert results == dict.fromkeys(spellings, expected)


def test_cyrillic_letters_without_a_latin_lookalike_are_transliterated_not_lost() -> None:
    assert normalise_identifier("БГ 12") == "BG12"
    assert normalise_identifier("Д1") != normalise_identifier("1")


@given(st.text(max_size=40))
def test_a_normalised_identifier_is_uppercase_ascii_letters_and_digits_and_stable(
    value: str,
) -> None:
    once = normalise_identifier(value)
    assert CANONICAL_IDENTIFIER.match(once)
    assert normalise_identifier(once) == once


# --- Phones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "spellings"),
    [
        (
            "0040721000111",
            ["+40 721 000 111", "0040721000111", "0040-721-000-111", "(+40) 721.000.111"],
        ),
        ("0721000111", ["0721 000 111", "(0721) 000-111"]),
        ("", ["", "  ", "+", "n/a"]),
    ],
)
def test_phone_spellings_give_one_form(expected: str, spellings: list[str]) -> None:
    results = {spelling: normalise_phone(spelling) for spelling in spellings}
    assert results == dict.fromkeys(spellings, expected)


def test_country_codes_are_not_guessed() -> None:
    assert normalise_phone("0721 000 111") != normalise_phone("+40 721 000 111")


@given(st.text(max_size=30))
def test_a_normalised_phone_is_ascii_digits_only_and_stable(value: str) -> None:
    once = normalise_phone(value)
    assert re.fullmatch(r"[0-9]*", once)
    assert normalise_phone(once) == once


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [date(1980, 5, 7), "1980-05-07", " 1980-05-07 ", "19800507"], ids=repr
)
def test_dates_are_written_as_iso_calendar_dates(value: date | str) -> None:
    assert normalise_date(value) == "1980-05-07"


@pytest.mark.parametrize(
    "value",
    ["", "07/05/1980", "1980-02-30", "yesterday", None, 19800507, datetime(1980, 5, 7, 12, 0)],
    ids=repr,
)
def test_anything_but_a_date_or_an_iso_date_string_is_refused(value: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the messages vary with the input
        normalise_date(value)  # type: ignore[arg-type]
