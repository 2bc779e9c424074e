"""The curated variants of names: spellings of one name that no letter-by-letter rule of
``hits.normalise`` brings together, because the same Latin letters stand for other sounds in
another language of the region (a Greek "y" before e and i is a γ; a Turkish or Bulgarian "y"
is not). Data only: ``hits.normalise`` folds every spelling of a group to the group's first,
and the blind index's scheme (``hits.blind_index.current_scheme``) carries a digest of these
tables, so that a change here makes the tokens made before stale until ``reindex_entities``
recomputes them.

Each spelling is written as people write it, in any script: it is normalised like any name
before it is looked up, so "Γιώργος", "GIORGOS" and "giorgos" are one entry. A spelling
belongs to one group only, and every spelling is one word (``hits.normalise`` checks both).
Every pair is pinned by a test (``tests/hits/test_variants.py``).

Only spellings of one name in the language it belongs to: the Greek forms of a name are not
its Bulgarian or Serbian forms ("Georgios" is not "Georgi", "Hristos" is not "Hristo").
"""

# ruff: noqa: RUF002, RUF003 - Greek letters that look like Latin ones are the subject here.

from __future__ import annotations

# Whole words. Greek given names: the formal (katharevousa) form, which identity cards and
# passports print, with the everyday form officers are told, each in ELOT 743 (passports since
# 2001) and in the older passport and phonetic spellings (γ before e and i as "y", χ as "h",
# ει and υ as "i", doubled consonants, ντ as "nd").
GREEK_GIVEN_NAMES: tuple[tuple[str, ...], ...] = (
    ("Γεώργιος", "Yeorgios", "Yeoryios", "Γιώργος", "Giorgos", "Yiorgos", "Yorgos", "Jorgos"),
    ("Ιωάννης", "Ioanis", "Yoannis", "Γιάννης", "Giannis", "Yiannis", "Yannis"),
    ("Κωνσταντίνος", "Constantinos", "Konstandinos", "Κώστας", "Kostas", "Costas"),
    ("Δημήτριος", "Demetrios", "Dhimitrios", "Δημήτρης", "Dimitris", "Demetris"),
    ("Παναγιώτης", "Panayiotis", "Panayotis"),
    ("Βασίλειος", "Vasilios", "Vassilios", "Vassileios", "Βασίλης", "Vasilis", "Vassilis"),
    ("Νικόλαος", "Nicolaos", "Νίκος", "Nikos"),
    ("Ευάγγελος", "Evaggelos", "Evanghelos", "Βαγγέλης", "Vangelis", "Vaggelis"),
    ("Αθανάσιος", "Athanassios", "Θανάσης", "Thanasis", "Thanassis"),
    ("Σπυρίδων", "Spiridon", "Σπύρος", "Spyros", "Spiros"),
    ("Χαράλαμπος", "Charalambos", "Haralambos"),
    ("Γρηγόριος", "Gregorios", "Γρηγόρης", "Grigoris"),
    ("Αντώνιος", "Andonios", "Αντώνης", "Antonis", "Andonis"),
    ("Αναστάσιος", "Anastassios"),
    ("Ελευθέριος", "Eleutherios"),
    ("Κυριάκος", "Kiriakos"),
    ("Αικατερίνη", "Ekaterini", "Aikaterine"),
    ("Παναγιώτα", "Panayiota", "Panayota"),
    ("Ευαγγελία", "Evaggelia", "Evanghelia"),
    ("Βασιλική", "Vassiliki"),
)

# Greek surnames made of a given name in the genitive, in the older spellings.
GREEK_SURNAMES: tuple[tuple[str, ...], ...] = (
    ("Γεωργίου", "Yeorgiou", "Yeoryiou"),
    ("Παναγιώτου", "Panayiotou", "Panayotou"),
    ("Ιωάννου", "Ioanou"),
)

# Romanian: the 1993 spelling writes â inside a word where the older one wrote î, and the same
# names are typed without diacritics both ways.
ROMANIAN_NAMES: tuple[tuple[str, ...], ...] = (
    ("Sârbu", "Sîrbu", "Sirbu"),
    ("Câmpeanu", "Cîmpeanu", "Cimpeanu"),
    ("Pârvu", "Pîrvu", "Pirvu"),
    ("Cârstea", "Cîrstea", "Cirstea"),
    ("Bârsan", "Bîrsan", "Birsan"),
    ("Mândru", "Mîndru", "Mindru"),
    ("Vâlcu", "Vîlcu", "Vilcu"),
)

# Turkish: ö and ü written "oe" and "ue", as German-issued documents and their machine-readable
# zones write them (ICAO 9303), besides the letters without their dots.
TURKISH_NAMES: tuple[tuple[str, ...], ...] = (
    ("Öztürk", "Oeztuerk", "Oztuerk", "Oeztürk"),
    ("Özdemir", "Oezdemir"),
    ("Özkan", "Oezkan"),
    ("Öz", "Oez"),
    ("Gül", "Guel"),
    ("Güler", "Gueler"),
    ("Ünal", "Uenal"),
    ("Yücel", "Yuecel"),
    ("Türk", "Tuerk"),
    ("Türkmen", "Tuerkmen"),
    ("Gök", "Goek"),
    ("Köse", "Koese"),
    ("Sönmez", "Soenmez"),
    ("Güneş", "Guenes"),
)

NAME_VARIANTS: tuple[tuple[str, ...], ...] = (
    *GREEK_GIVEN_NAMES,
    *GREEK_SURNAMES,
    *ROMANIAN_NAMES,
    *TURKISH_NAMES,
)

# Beginnings of words, folded to the group's first whatever follows: the Greek χ of the
# commonest beginnings of names, which older passports write "h" and others "kh"
# ("Χατζηδάκης" = "Chatzidakis" = "Hatzidakis"; "Χρήστος" = "Christos" = "Hristos"; the
# Bulgarian "Христо" written "Hristo", "Khristo" or "Christo" alike).
NAME_BEGINNING_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("Χατζη", "Hatzi", "Khatzi"),
    ("Χριστ", "Hrist", "Khrist"),
    ("Χαραλ", "Haral", "Kharal"),
)
