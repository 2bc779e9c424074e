"""Normalisation of the identifying attributes of entities before they are blind-indexed.

Hit/no-hit matching compares HMACs, so two spellings of one name only meet when they normalise
to exactly the same string. Names are folded to one canonical ASCII form; identifiers, phone
numbers and dates to one canonical written form. Pure functions: no Django, no I/O.

The canonical form of a name is Gaj's Latin alphabet (Serbian/Croatian/Bosnian Latin) with its
diacritics stripped, in lower case:

- Cyrillic and Greek are first written in Latin with diacritics (ж→ž, ш→š, ч→č, ћ→ć, ђ→đ,
  џ→dž; Bulgarian щ→št; Greek by ELOT 743 as printed in Greek passports), then every
  diacritic is dropped (č, ć → c; š → s; ž → z; ș, ş → s; ë → e; ő → o), except đ, which
  becomes "dj" as Serbian writes it without diacritics.
- The digraphs other romanisations of the region use for the same sounds are folded to those
  letters: zh → z, sh → s, ch → c, ts → c, xh (Albanian) → dz. So "Жеков", "Žekov", "Zhekov"
  and "Zekov" meet, and so do "Цветков", "Cvetkov" and "Tsvetkov".
- Spellings of one name that no rule can join without joining other names are folded word by
  word by the curated tables of ``hits.variants`` ("Yiorgos" = "Giorgos" = "Georgios";
  "Hristos" = "Christos"; "Sîrbu" = "Sârbu"; "Oeztuerk" = "Öztürk"). Their digest
  (``NAME_VARIANTS_DIGEST``) is part of the blind index's scheme.
"""

# ruff: noqa: RUF001, RUF003 - this module maps Cyrillic and Greek letters, many of which look
# like Latin ones; that is its purpose, not an accident.

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

from hits.variants import NAME_BEGINNING_VARIANTS, NAME_VARIANTS
from selec.core.transliteration import (
    CYRILLIC_TO_LATIN,
    GREEK_TO_LATIN,
    cyrillic_to_latin,
    greek_base_letter,
    greek_to_latin,
    greek_without_accents,
)

# Cyrillic and Greek are written in Latin by the tables of ``selec.core.transliteration``
# (Gaj's letters, the Macedonian and Bulgarian official romanisations, ELOT 743), the same the
# pages use to show a name to a reader of another script.

# Latin letters that Unicode does not decompose into a base letter and a mark.
# đ → "dj" (Serbian without diacritics: "Đorđević" = "Djordjevic"; the ICAO spelling "D"
# does not meet it); ı (Turkish dotless i) → i; the rest by their usual ASCII spelling.
_LATIN_SPECIAL_LETTERS: dict[str, str] = {
    "đ": "dj",
    # Macedonian ѓ and ќ as ISO 9 and the older romanisations write them ("Ǵorǵi", "Ḱiro"):
    # the "gj" and "kj" of the official romanisation, not a bare g or k.
    "ǵ": "gj",
    "ḱ": "kj",
    "ı": "i",
    "ł": "l",
    "ø": "o",
    "æ": "ae",
    "œ": "oe",
    "ð": "d",
    "þ": "th",
    "ħ": "h",
    "ŧ": "t",
}

# Removed without leaving a space: they join the parts of one name or abbreviation, which are
# as often written without them ("Ana-Maria" = "Anamaria", "O'Brien" = "OBrien",
# "S.R.L." = "SRL"). Dashes are every character of Unicode category Pd.
_APOSTROPHES = frozenset("'`´‘’‚‛′ʹʻʼʽˈ")
_JOINING_PUNCTUATION = _APOSTROPHES | frozenset(".·")
# Turned into a space: they separate words ("Popescu,Andrei", "Ionescu (Popescu)").
_WORD_SEPARATORS = frozenset(",;:/\\()[]{}<>|_+&")

# Spellings folded inside a word after transliteration, until nothing changes. They make the
# digraph romanisations of the region (Bulgarian, Macedonian, Albanian, English, ELOT) meet
# Gaj's letters stripped of diacritics: zh = ž, sh = š, ch = č/ć, ts = ц, xh = dž.
_DIGRAPH_FOLDS: tuple[tuple[str, str], ...] = (
    ("xh", "dz"),
    ("zh", "z"),
    ("sh", "s"),
    ("ch", "c"),
    ("ts", "c"),
)
# Greek passport spellings at the start of a word, which no other language of the region
# begins a word with: "Mpakogianni" = "Bakogianni", "Ntinos" = "Dinos", "Gkikas" = "Gikas".
_WORD_INITIAL_FOLDS: tuple[tuple[str, str], ...] = (("mp", "b"), ("nt", "d"), ("gk", "g"))

# Cyrillic and Greek capitals printed on plates and documents in place of Latin ones that
# look the same. Cyrillic І, Ј, Ѕ (Ukrainian and Serbian/Macedonian letters) look like I, J, S.
_LATIN_LOOKALIKES = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "Е": "E",
        "І": "I",
        "Ј": "J",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Ѕ": "S",
        "Т": "T",
        "У": "Y",
        "Х": "X",
        "Α": "A",
        "Β": "B",
        "Ε": "E",
        "Ζ": "Z",
        "Η": "H",
        "Ι": "I",
        "Κ": "K",
        "Μ": "M",
        "Ν": "N",
        "Ο": "O",
        "Ρ": "P",
        "Τ": "T",
        "Υ": "Y",
        "Χ": "X",
    }
)
# Identifiers keep one character per printed character, so Đ is "D" there (as ICAO 9303
# writes it in machine-readable zones), not the "DJ" of names.
_IDENTIFIER_SPECIAL_LETTERS = str.maketrans(
    {"Đ": "D", "Ð": "D", "Ł": "L", "Ø": "O", "Æ": "AE", "Œ": "OE", "Þ": "TH", "Ħ": "H", "Ŧ": "T"}
)

_ASCII_LOWER_OR_DIGIT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ASCII_UPPER_OR_DIGIT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_ASCII_DIGITS = frozenset("0123456789")


def normalise_name(value: str) -> str:
    """The canonical form of a person's or company's name: lower-case ASCII words separated by
    single spaces, in their original order ("Ђорђевић" = "Đorđević" = "DJORDJEVIC"), each word
    folded to the first spelling of its group of variants ("Yiorgos" = "Georgios")."""
    return " ".join(_VARIANT_OF.get(word, word) for word in _spelled_words(value))


def _spelled_words(value: str) -> list[str]:
    """The words of the name by the letter rules, their beginnings folded (not yet the whole
    words of ``hits.variants``)."""
    return [_fold_beginning(word) for word in _lettered_words(value)]


def _lettered_words(value: str) -> list[str]:
    """The words of the name by the letter rules alone."""
    text = _fold_case(value)
    text = "".join(ch for ch in text if not _joins_words(ch))
    text = cyrillic_to_latin(greek_to_latin(greek_without_accents(text)))
    text = "".join(_LATIN_SPECIAL_LETTERS.get(ch, ch) for ch in text)
    return [_fold_spellings(word) for word in _ascii_words(_without_marks(text))]


def normalise_name_tokens(value: str) -> tuple[str, ...]:
    """The words of the normalised name, sorted, for matching regardless of word order
    ("Popescu Andrei" = "Andrei Popescu")."""
    return tuple(sorted(normalise_name(value).split()))


def normalise_identifier(value: str) -> str:
    """A plate, VIN, document or account number as upper-case ASCII letters and digits only
    ("B 123 ABC" = "B-123-ABC" = "b123abc"); Cyrillic and Greek letters that look like Latin
    ones are read as those Latin letters."""
    text = _without_marks(unicodedata.normalize("NFC", value).upper())
    text = text.translate(_LATIN_LOOKALIKES).translate(_IDENTIFIER_SPECIAL_LETTERS)
    # Any other Cyrillic or Greek letter is transliterated as in names rather than lost.
    text = "".join(_transliterate_letter(ch.lower()).upper() for ch in text)
    text = _with_ascii_digits(_without_marks(text))
    # Spaces, hyphens, dots, slashes and anything else that is not a letter or a digit are
    # layout, never part of the number.
    return "".join(ch for ch in text if ch in _ASCII_UPPER_OR_DIGIT)


def normalise_phone(value: str) -> str:
    """A phone number as its digits, a leading "+" written as the international prefix "00"
    ("+40 721 000 111" = "0040721000111"). Country codes are not guessed: "0721 000 111" and
    "+40 721 000 111" stay different."""
    text = _with_ascii_digits(unicodedata.normalize("NFKC", value)).strip()
    digits = "".join(ch for ch in text if ch in _ASCII_DIGITS)
    if not digits:
        return ""
    # "(+40) 721..." is international too: look past opening brackets and spaces.
    is_international = text.lstrip("([ ").startswith("+")
    return f"00{digits}" if is_international else digits


def normalise_date(value: date | str) -> str:
    """A date as YYYY-MM-DD, from a date or an ISO 8601 string. Raises ValueError otherwise."""
    # A datetime is a date too, but which calendar day it falls on depends on a time zone the
    # caller has not chosen; refuse it rather than guess.
    if isinstance(value, datetime):
        raise ValueError("Expected a date, not a datetime.")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return date.fromisoformat(value.strip()).isoformat()
    raise ValueError(f"Expected a date or an ISO date string, not {type(value).__name__}.")


def _fold_case(value: str) -> str:
    # Turkish İ and ı are i: str.casefold() would give "i̇" (i + combining dot) for İ and keep
    # ı, so they are replaced first. casefold() also folds ς to σ and ß to "ss".
    text = unicodedata.normalize("NFC", value).replace("İ", "i").replace("ı", "i")
    # casefold() can decompose (ΐ → ΐ); NFC puts the precomposed letters back for the tables.
    return unicodedata.normalize("NFC", text.casefold())


def _joins_words(ch: str) -> bool:
    return ch in _JOINING_PUNCTUATION or unicodedata.category(ch) == "Pd"


def _transliterate_letter(ch: str) -> str:
    return CYRILLIC_TO_LATIN.get(ch) or GREEK_TO_LATIN.get(greek_base_letter(ch), ch)


def _without_marks(text: str) -> str:
    # NFKD splits letters from their diacritics (ș → s + comma below, ş → s + cedilla) and
    # compatibility forms into plain ones (ﬁ → fi, full-width letters → ASCII).
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _with_ascii_digits(text: str) -> str:
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and ch not in _ASCII_DIGITS else ch
        for ch in text
    )


def _ascii_words(text: str) -> list[str]:
    """The runs of ASCII letters and digits; letters of scripts not covered here are dropped."""
    kept = [
        " " if ch.isspace() or ch in _WORD_SEPARATORS else ch
        for ch in _with_ascii_digits(text)
        if ch.isspace() or ch in _WORD_SEPARATORS or ch in _ASCII_LOWER_OR_DIGIT
    ]
    return "".join(kept).split()


def _fold_spellings(word: str) -> str:
    # Repeated until stable so that the result is a fixed point (normalising twice changes
    # nothing): a fold can bring two letters together that fold in turn.
    while True:
        folded = word
        for spelling, letter in _WORD_INITIAL_FOLDS:
            if folded.startswith(spelling):
                folded = letter + folded[len(spelling) :]
        for spelling, letter in _DIGRAPH_FOLDS:
            folded = folded.replace(spelling, letter)
        if folded == word:
            return word
        word = folded


def _fold_beginning(word: str) -> str:
    for spelling, canonical in _BEGINNING_OF:
        if word.startswith(spelling):
            return canonical + word[len(spelling) :]
    return word


def _variant_table(
    groups: tuple[tuple[str, ...], ...], words_of: Callable[[str], list[str]]
) -> dict[str, str]:
    """Each spelling of each group (as ``words_of`` spells it) to the group's first. Refuses a
    spelling that is not one word or that two groups claim: the tables are data, checked when
    they load rather than trusted."""
    table: dict[str, str] = {}
    for group in groups:
        spelled = [words_of(spelling) for spelling in group]
        for spelling, words in zip(group, spelled, strict=True):
            if len(words) != 1:
                raise ValueError(f"A variant is one word, not {spelling!r}.")
        canonical = spelled[0][0]
        for spelling, (word,) in zip(group, spelled, strict=True):
            if table.get(word, canonical) != canonical:
                raise ValueError(f"{spelling!r} is a variant of two names.")
            table[word] = canonical
    return table


# Longest first, so that a longer beginning wins over a shorter one it starts with.
_BEGINNING_OF: list[tuple[str, str]] = sorted(
    _variant_table(NAME_BEGINNING_VARIANTS, _lettered_words).items(),
    key=lambda item: -len(item[0]),
)
_VARIANT_OF: dict[str, str] = _variant_table(NAME_VARIANTS, _spelled_words)


# A digest of what the tables fold, not of how they are written: reordering or reformatting
# them changes nothing, a spelling added, removed or moved changes the scheme of the tokens.
def _digest(beginnings: list[tuple[str, str]], words: dict[str, str]) -> str:
    folds = [sorted(beginnings), sorted(words.items())]
    return hashlib.sha256(json.dumps(folds).encode()).hexdigest()[:6]


NAME_VARIANTS_DIGEST = _digest(_BEGINNING_OF, _VARIANT_OF)
