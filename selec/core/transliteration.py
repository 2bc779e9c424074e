"""Names written in another script, transliterated for the reader.

The region writes names in three scripts: Latin, Cyrillic (Bulgarian, Macedonian, Serbian) and
Greek. A name is always shown as its provider wrote it; beside it, a reader whose language is
written in another script gets the name in their own script, so that an officer in Athens can
read "Петровић" and one in Sofia "Papadopoulos". Pure functions: no Django, no I/O.

Into Latin: Cyrillic by Gaj's alphabet as Serbian writes it (ж → ž, ш → š, ч → č, ц → c,
љ → lj, њ → nj, џ → dž), with the Macedonian letters by Macedonia's official romanisation
(ѓ → gj, ќ → kj, ѕ → dz) and the Bulgarian ones by Bulgaria's Streamlined System (щ → št,
ъ → a, й → y, ю → yu, я → ya, ьо → yo); Greek by ELOT 743, the form of Greek passports.
These are the letters ``hits.normalise`` folds names from, so what is shown and what is
matched agree.

Into Cyrillic and Greek: the reverse for the reader's own language, approximate by nature
(Latin spellings do not say which sounds they stand for); digraphs before single letters.
"""

# ruff: noqa: RUF001, RUF002, RUF003 - this module maps Cyrillic and Greek letters, many of which look
# like Latin ones; that is its purpose, not an accident.

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from enum import StrEnum


class Script(StrEnum):
    LATIN = "Latn"
    CYRILLIC = "Cyrl"
    GREEK = "Grek"


# Cyrillic, lower case, into Latin (see the module's text for the choices; ё → e: Russian
# writes ё as е more often than not; ь is silent and dropped).
CYRILLIC_TO_LATIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "ђ": "đ", "ѓ": "gj",
    "е": "e", "ѐ": "e", "ё": "e", "є": "ye", "ж": "ž", "з": "z", "ѕ": "dz", "и": "i",
    "ѝ": "i", "і": "i", "ї": "yi", "й": "y", "ј": "j", "к": "k", "л": "l", "љ": "lj",
    "м": "m", "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "ћ": "ć", "ќ": "kj", "у": "u", "ў": "u", "ф": "f", "х": "h", "ц": "c", "ч": "č",
    "џ": "dž", "ш": "š", "щ": "št", "ъ": "a", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
# Pairs written otherwise than their letters: Bulgarian ьо is "yo" by the Streamlined System
# ("Щерьо" → "Shteryo", "Кольо" → "Kolyo"), where ь alone is silent.
CYRILLIC_PAIRS: dict[str, str] = {"ьо": "yo"}

# Greek, lower case and without accents, by ELOT 743: η, ι, ϊ → i; υ, ϋ → y; ω → o; θ → th;
# χ → ch; ψ → ps; ξ → x; β → v. ϊ and ϋ carry a dialytika, which breaks a diphthong.
GREEK_TO_LATIN: dict[str, str] = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "ϊ": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o",
    "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "ϋ": "y", "φ": "f",
    "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
# ELOT 743 pairs; passports write μπ "mp" and ντ "nt" everywhere.
GREEK_PAIRS: dict[str, str] = {"ου": "ou", "γγ": "ng", "γξ": "nx", "γχ": "nch"}
# αυ, ευ, ηυ: "v" before a vowel or a voiced consonant, "f" before a voiceless one or at the
# end of the word ("Ευάγγελος" → "Evangelos", "Ευστάθιος" → "Efstathios").
GREEK_U_DIPHTHONG_FIRSTS = frozenset("αεη")
GREEK_VOICELESS = frozenset("θκξπσςτφχψ")

# Latin into the Cyrillic of each language that writes it, longest spellings first. Serbian
# and Macedonian have a letter for each sound (lj, nj, dž); Bulgarian writes some with two.
_LATIN_TO_CYRILLIC_COMMON: dict[str, str] = {
    "shch": "щ", "sht": "щ", "zh": "ж", "sh": "ш", "ch": "ч", "ts": "ц", "kh": "х",
    "yu": "ю", "ya": "я", "ph": "ф", "th": "т", "ca": "ка", "co": "ко", "cu": "ку",
    "a": "а", "b": "б", "c": "ц", "č": "ч", "ć": "ч", "d": "д", "e": "е", "f": "ф",
    "g": "г", "h": "х", "i": "и", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о",
    "p": "п", "q": "к", "r": "р", "s": "с", "š": "ш", "t": "т", "u": "у", "v": "в",
    "w": "в", "x": "кс", "y": "й", "z": "з", "ž": "ж",
}  # fmt: skip
_LATIN_TO_CYRILLIC: dict[str, dict[str, str]] = {
    "bg": {**_LATIN_TO_CYRILLIC_COMMON, "dž": "дж", "dzh": "дж", "xh": "дж", "j": "й",
           "lj": "л", "nj": "н", "đ": "дж", "dj": "дж", "gj": "дж"},
    "mk": {**_LATIN_TO_CYRILLIC_COMMON, "dž": "џ", "dzh": "џ", "xh": "џ", "j": "ј",
           "lj": "љ", "nj": "њ", "đ": "ѓ", "dj": "ѓ", "gj": "ѓ", "kj": "ќ", "ć": "ќ",
           "dz": "ѕ", "y": "ј"},
    "sr": {**_LATIN_TO_CYRILLIC_COMMON, "dž": "џ", "dzh": "џ", "xh": "џ", "j": "ј",
           "lj": "љ", "nj": "њ", "đ": "ђ", "dj": "ђ", "ć": "ћ", "y": "ј"},
}  # fmt: skip
# Latin into Greek, for a Greek reader (the reverse of ELOT 743, approximate).
_LATIN_TO_GREEK: dict[str, str] = {
    "th": "θ", "ch": "χ", "ph": "φ", "ps": "ψ", "ks": "ξ", "ou": "ου", "sh": "σ",
    "zh": "ζ", "dž": "τζ", "xh": "τζ", "mp": "μπ", "nt": "ντ", "gk": "γκ",
    "a": "α", "b": "μπ", "c": "κ", "č": "τσ", "ć": "τσ", "d": "δ", "đ": "τζ", "e": "ε",
    "f": "φ", "g": "γ", "h": "χ", "i": "ι", "j": "ι", "k": "κ", "l": "λ", "m": "μ",
    "n": "ν", "o": "ο", "p": "π", "q": "κ", "r": "ρ", "s": "σ", "š": "σ", "t": "τ",
    "u": "ου", "v": "β", "w": "ου", "x": "ξ", "y": "ι", "z": "ζ", "ž": "ζ",
}  # fmt: skip

# The script each language of the pages is written in; the others are Latin.
_LANGUAGE_SCRIPTS: dict[str, Script] = {
    "bg": Script.CYRILLIC,
    "mk": Script.CYRILLIC,
    "sr": Script.CYRILLIC,
    "el": Script.GREEK,
}


def script_of_language(language: str) -> Script:
    """The script a language of the pages is written in ("sr" Cyrillic, "sr-latn" Latin)."""
    return _LANGUAGE_SCRIPTS.get(language.lower(), Script.LATIN)


def script_of(text: str) -> Script | None:
    """The script most of the text's letters are written in; None when it has no letter."""
    counts = dict.fromkeys(Script, 0)
    for ch in text:
        if ch.isalpha():
            counts[_letter_script(ch)] += 1
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else None


def for_reader(name: str, language: str) -> str:
    """The name in the script of the reader's language; empty when it is written in that
    script already (or has no letter), so that nothing is shown twice."""
    target = script_of_language(language)
    source = script_of(name)
    if source is None or source == target:
        return ""
    latin = name if source == Script.LATIN else to_latin(name)
    if target == Script.LATIN:
        return latin
    if target == Script.GREEK:
        return _by_words(latin, _from_latin_word(_LATIN_TO_GREEK, final_sigma=True), Script.LATIN)
    return _by_words(latin, _from_latin_word(_LATIN_TO_CYRILLIC[language.lower()]), Script.LATIN)


def to_latin(text: str) -> str:
    """Cyrillic and Greek letters written in Latin, case kept; everything else unchanged."""
    return _by_words(_by_words(text, _word_to_latin, Script.CYRILLIC), _word_to_latin, Script.GREEK)


def _letter_script(ch: str) -> Script:
    if "\u0400" <= ch <= "\u04ff":
        return Script.CYRILLIC
    if "\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff":
        return Script.GREEK
    return Script.LATIN


def _by_words(text: str, convert: Callable[[str], str], source: Script) -> str:
    """Convert each run of letters on its own, in lower case, and give it back its case: all
    capitals stay capitals, a capital first letter stays one ("ЉУБА" → "LJUBA", "Љуба" →
    "Ljuba")."""
    out: list[str] = []
    word: list[str] = []
    for ch in [*text, " "]:
        if ch.isalpha() or unicodedata.category(ch) == "Mn":
            word.append(ch)
            continue
        if word:
            text = "".join(word)
            # A word with no letter of the source script is left as it is ("McDonald", "API").
            converts = any(_letter_script(ch) == source for ch in text if ch.isalpha())
            out.append(_with_case_of(text, convert(text.lower())) if converts else text)
            word = []
        out.append(ch)
    return "".join(out[:-1])


def _with_case_of(original: str, converted: str) -> str:
    letters = [ch for ch in original if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return converted.upper()
    if letters and letters[0].isupper():
        return converted[:1].upper() + converted[1:]
    return converted


def _word_to_latin(word: str) -> str:
    return cyrillic_to_latin(greek_to_latin(greek_without_accents(word)))


def cyrillic_to_latin(text: str) -> str:
    """Lower-case Cyrillic in Latin by ``CYRILLIC_TO_LATIN``, its pairs (``CYRILLIC_PAIRS``)
    first; other characters unchanged."""
    for pair, latin in CYRILLIC_PAIRS.items():
        text = text.replace(pair, latin)
    return "".join(CYRILLIC_TO_LATIN.get(ch, ch) for ch in text)


def greek_without_accents(text: str) -> str:
    """Greek letters without tonos or polytonic marks, keeping the dialytika as ϊ and ϋ."""
    return "".join(
        greek_base_letter(ch) if _letter_script(ch) == Script.GREEK else ch for ch in text
    )


def greek_base_letter(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if "\u0308" in marks:
        return {"ι": "ϊ", "υ": "ϋ"}.get(base, base)
    return base


def greek_to_latin(text: str) -> str:
    """Lower-case Greek without accents (``greek_without_accents``) in Latin by ELOT 743, its
    pairs and diphthongs included; other characters unchanged."""
    latin: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in GREEK_PAIRS:
            latin.append(GREEK_PAIRS[pair])
            i += 2
        elif text[i] in GREEK_U_DIPHTHONG_FIRSTS and text[i + 1 : i + 2] == "υ":
            following = text[i + 2 : i + 3]
            voiced = following in GREEK_TO_LATIN and following not in GREEK_VOICELESS
            latin.append(GREEK_TO_LATIN[text[i]] + ("v" if voiced else "f"))
            i += 2
        else:
            latin.append(GREEK_TO_LATIN.get(text[i], text[i]))
            i += 1
    return "".join(latin)


def _from_latin_word(table: dict[str, str], *, final_sigma: bool = False) -> Callable[[str], str]:
    """A converter of one lower-case Latin word by the table, longest spelling first; letters
    the table lacks lose their diacritics first (ș → s, ö → o), and stay if still unknown."""
    longest = max(len(key) for key in table)

    def convert(word: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(word):
            for size in range(min(longest, len(word) - i), 0, -1):
                piece = word[i : i + size]
                if piece in table:
                    out.append(table[piece])
                    i += size
                    break
                plain = _without_marks(piece)
                if size == 1 and plain in table:
                    out.append(table[plain])
                    i += 1
                    break
            else:
                out.append(word[i])
                i += 1
        text = "".join(out)
        if final_sigma and text.endswith("σ"):
            text = text[:-1] + "ς"
        return text

    return convert


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)) or text
