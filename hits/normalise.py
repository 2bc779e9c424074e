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
"""

# ruff: noqa: RUF001, RUF003 - this module maps Cyrillic and Greek letters, many of which look
# like Latin ones; that is its purpose, not an accident.

from __future__ import annotations

import unicodedata
from datetime import date, datetime

# Serbian, Macedonian, Bulgarian, Russian, Ukrainian and Belarusian Cyrillic, lower case, into
# Gaj's Latin. Decisions:
# - ђ→đ (then "dj"), ћ→ć, џ→dž, ж→ž, ш→š, ч→č, ц→c: Serbian Latin spelling, which the
#   digraph folding below makes meet the Bulgarian/English spellings (zh, sh, ch, ts).
# - Macedonian ѓ→gj, ќ→kj, ѕ→dz (Macedonian official romanisation); "gj" is also how Albanian
#   writes the sound, so "Ѓерѓ" meets "Gjergj". ѓ does not meet Serbian đ ("dj").
# - Bulgarian щ→št (folds to "st", as Bulgarian "sht" does), ъ→a, й→y, ю→yu, я→ya
#   (Bulgaria's official Streamlined System), є→ye, ї→yi by the same pattern.
# - ё→e: Russian writes ё as е more often than not ("Фёдоров" = "Федоров").
# - г→g for every language, Ukrainian included (Ukrainian romanises г as "h"; the letters
#   cannot tell the languages apart reliably and g is right for all the others).
# - ь is dropped (soft sign, silent in Latin spellings); ы→y, э→e, і→i, ґ→g, ў→u.
_CYRILLIC_TO_LATIN: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "ђ": "đ",
    "ѓ": "gj",
    "е": "e",
    "ѐ": "e",
    "ё": "e",
    "є": "ye",
    "ж": "ž",
    "з": "z",
    "ѕ": "dz",
    "и": "i",
    "ѝ": "i",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ћ": "ć",
    "ќ": "kj",
    "у": "u",
    "ў": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "џ": "dž",
    "ш": "š",
    "щ": "št",
    "ъ": "a",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}

# Greek letters, lower case, by ELOT 743 (the form in Greek passports and identity cards):
# η, ι, ϊ → i; υ, ϋ → y; ω → o; θ → th; χ → ch (folds to "c"); ψ → ps; ξ → x; β → v.
# "ϊ" and "ϋ" stand for a vowel with a dialytika, which breaks a diphthong (αϋ → "ay").
_GREEK_TO_LATIN: dict[str, str] = {
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "ϊ": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "ϋ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}
# ELOT 743 pairs. Passports write μπ "mp" and ντ "nt" everywhere (not "b", "d"); the word-initial
# folding below makes them meet the everyday spellings "B..." and "D...".
_GREEK_PAIRS: dict[str, str] = {"ου": "ou", "γγ": "ng", "γξ": "nx", "γχ": "nch"}
# αυ, ευ, ηυ: "v" before a vowel or a voiced consonant, "f" before a voiceless one or at the
# end of the word ("Ευάγγελος" → "Evangelos", "Ευστάθιος" → "Efstathios").
_GREEK_U_DIPHTHONG_FIRSTS = frozenset("αεη")
_GREEK_VOICELESS = frozenset("θκξπσςτφχψ")

# Latin letters that Unicode does not decompose into a base letter and a mark.
# đ → "dj" (Serbian without diacritics: "Đorđević" = "Djordjevic"; the ICAO spelling "D"
# does not meet it); ı (Turkish dotless i) → i; the rest by their usual ASCII spelling.
_LATIN_SPECIAL_LETTERS: dict[str, str] = {
    "đ": "dj",
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
    single spaces, in their original order ("Ђорђевић" = "Đorđević" = "DJORDJEVIC")."""
    text = _fold_case(value)
    text = "".join(ch for ch in text if not _joins_words(ch))
    text = _greek_to_latin(_greek_without_accents(text))
    text = "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in text)
    text = "".join(_LATIN_SPECIAL_LETTERS.get(ch, ch) for ch in text)
    words = _ascii_words(_without_marks(text))
    return " ".join(_fold_spellings(word) for word in words)


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


def _is_greek(ch: str) -> bool:
    return "\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff"


def _greek_without_accents(text: str) -> str:
    """Greek letters without tonos or polytonic marks, keeping the dialytika as ϊ and ϋ."""
    return "".join(_greek_base_letter(ch) if _is_greek(ch) else ch for ch in text)


def _greek_base_letter(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if "\u0308" in marks:
        return {"ι": "ϊ", "υ": "ϋ"}.get(base, base)
    return base


def _greek_to_latin(text: str) -> str:
    latin: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in _GREEK_PAIRS:
            latin.append(_GREEK_PAIRS[pair])
            i += 2
        elif text[i] in _GREEK_U_DIPHTHONG_FIRSTS and text[i + 1 : i + 2] == "υ":
            following = text[i + 2 : i + 3]
            voiced = following in _GREEK_TO_LATIN and following not in _GREEK_VOICELESS
            latin.append(_GREEK_TO_LATIN[text[i]] + ("v" if voiced else "f"))
            i += 2
        else:
            latin.append(_GREEK_TO_LATIN.get(text[i], text[i]))
            i += 1
    return "".join(latin)


def _transliterate_letter(ch: str) -> str:
    return _CYRILLIC_TO_LATIN.get(ch) or _GREEK_TO_LATIN.get(_greek_base_letter(ch), ch)


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
