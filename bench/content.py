"""What the generated exchanges say: subjects, bodies, restriction texts and entities.

Only the sizes and the shapes matter to the bench (everything here is stored encrypted), but
the entities must pass the product's entity rules (``exchanges.entity_rules``, checked for
every one generated) and normalise across scripts the way real ones do, so the names mix the
region's alphabets. A small share of entities is drawn again from a pool of recurring
subjects: those make the hits.
"""

# ruff: noqa: RUF001 - names are written in the region's scripts, Turkish dotless i included,
# as real exchanges write them: the blind index must meet them so.

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from stdnum import iban as stdnum_iban

from exchanges.entity_rules import entity_problems
from exchanges.models import EntityKind

# Given names and family names of the region, in the script each country writes them in.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "RO": (
        ("Andrei", "Ion", "Mihai", "Elena", "Maria", "Alexandru", "Cristian", "Ioana", "Vlad"),
        ("Popescu", "Ionescu", "Dumitrescu", "Stan", "Gheorghe", "Constantin", "Țurcanu"),
    ),
    "BG": (
        ("Георги", "Иван", "Димитър", "Мария", "Елена", "Николай", "Стоян"),
        ("Иванов", "Петров", "Георгиев", "Жеков", "Цветков", "Шишков", "Димитров"),
    ),
    "RS": (
        ("Марко", "Никола", "Ђорђе", "Милош", "Jelena", "Dragan", "Nemanja"),
        ("Ђорђевић", "Јовановић", "Петровић", "Nikolić", "Đorđević", "Marković"),
    ),
    "GR": (
        ("Νικόλαος", "Γεώργιος", "Μαρία", "Δημήτριος", "Eleni", "Konstantinos"),
        ("Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Papadakis", "Nikolaidis"),
    ),
    "TR": (
        ("Mehmet", "Ahmet", "Ayşe", "Fatma", "Mustafa", "İbrahim", "Hüseyin"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın"),
    ),
    "AL": (
        ("Arben", "Besnik", "Drita", "Ilir", "Fatmir", "Xhevdet"),
        ("Hoxha", "Krasniqi", "Gashi", "Berisha", "Shehu", "Xhafa"),
    ),
    "MD": (("Vasile", "Ion", "Natalia", "Sergiu", "Igor"), ("Rusu", "Ceban", "Munteanu", "Lupu")),
    "HU": (("László", "Zoltán", "Katalin", "Gábor"), ("Nagy", "Kovács", "Szabó", "Tóth")),
    "MK": (("Александар", "Стефан", "Бојан", "Ana"), ("Стојанов", "Николовски", "Trajkovski")),
    "BA": (("Emir", "Adnan", "Amra", "Haris"), ("Hodžić", "Kovačević", "Begić", "Mehmedović")),
    "ME": (("Vuk", "Milica", "Nikola"), ("Vujović", "Radulović", "Đukanović")),
}
NATIONALITIES = tuple(NAMES)

# Phone numbers as each country writes a mobile number, digits drawn at random: ``d`` is a
# digit, other characters are kept. Every number drawn is checked by the entity rules
# (the country's numbering plan), and drawn again when it does not pass.
PHONE_PATTERNS = (
    "+40 72d ddd ddd",
    "+40 74d ddd ddd",
    "+359 88d ddd ddd",
    "+359 89d ddd ddd",
    "+90 53d ddd dd dd",
    "+30 69d ddd dddd",
    "+381 64 ddd dddd",
    "+355 69 ddd dddd",
    "+373 69 ddd ddd",
    "+36 30 ddd dddd",
)
VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
MAKES = (
    ("Volkswagen", "Passat"),
    ("BMW", "X5"),
    ("Mercedes-Benz", "Sprinter"),
    ("Dacia", "Logan"),
    ("Renault", "Master"),
    ("Audi", "A6"),
    ("Ford", "Transit"),
    ("Toyota", "Land Cruiser"),
)
COLOURS = ("black", "white", "silver", "blue", "red", "grey")
COMPANY_FORMS = ("SRL", "EOOD", "DOO", "Ltd", "A.Ş.", "Sh.p.k.", "Kft.", "S.A.")
COMPANY_WORDS = (
    "Trans",
    "Logistic",
    "Euro",
    "Balkan",
    "Danube",
    "Black Sea",
    "Import",
    "Export",
    "Global",
    "Star",
    "Nord",
    "Delta",
)
DOCUMENT_TYPES = ("passport", "identity card", "driving licence", "residence permit")

SUBJECT_OPENINGS = (
    "Request for checks on",
    "Information on",
    "Follow-up on",
    "Urgent verification of",
    "Identification of",
    "Controlled delivery involving",
    "Suspected route of",
    "Seizure report concerning",
    "Criminal records of",
    "Movements of",
)
SUBJECT_MATTERS = (
    "a heroin shipment through the port of Constanța",
    "a truck crossing at Kapitan Andreevo",
    "vehicles stolen in Western Europe",
    "a migrant smuggling network on the Balkan route",
    "counterfeit euro banknotes",
    "a cigarette smuggling ring",
    "suspicious transfers to offshore accounts",
    "forged travel documents",
    "a container declared as textiles",
    "persons wanted for trafficking in human beings",
    "illegal logging exports",
    "firearms purchased online",
)
# Words the bodies are made of: officers' prose, sliced at random places and lengths.
_BODY_SENTENCES = (
    "according to information received from our national unit the suspect travelled by "
    "car across the border crossing point on the date mentioned and was checked by the "
    "border police the vehicle was registered to a company whose director is known to us "
    "in connection with previous cases of smuggling we kindly ask your services to verify "
    "whether the persons named below are known to your authorities and to provide any "
    "information on their criminal records addresses telephone numbers and vehicles used "
    "the shipment declared as spare parts was inspected at the terminal and found to contain "
    "packages of a white powder the investigation is conducted under the supervision of the "
    "prosecutor office and the results will be shared through the liaison officers please "
    "treat this information in accordance with the handling codes indicated and do not "
    "disseminate it without the consent of the provider further details will follow after "
    "the coordination meeting at the centre the controlled delivery is planned for the "
    "coming weeks and a joint team has been proposed"
)
RESTRICTION_TEXTS = (
    "Not to be shared with the customs services before the action day.",
    "Only for the investigating unit; do not contact the persons named.",
    "Not to be used before the end of the controlled delivery.",
    "The source must not be identifiable from any use of this information.",
    "May be shared with the prosecutor's office only.",
)
OPERATION_WORDS = (
    "Tara",
    "Danube",
    "Balkan Route",
    "Black Sea",
    "Orient",
    "Carpathian",
    "Morava",
    "Vardar",
    "Aegean",
    "Bosphorus",
    "Drina",
    "Prut",
)

# The share of entities that are one of the recurring subjects: enough to make some hits.
RECURRING_SHARE = 0.05


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _letters(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(count))


class Writer:
    """Draws the texts and entities of the generated exchanges."""

    def __init__(self, rng: random.Random, *, recurring: int) -> None:
        self.rng = rng
        words = " ".join(_BODY_SENTENCES).split()
        corpus = " ".join(rng.choice(words) for _ in range(40_000))
        self._corpus = corpus[: len(corpus) - 4_000]
        self._makers: dict[str, Callable[[], dict[str, Any]]] = {
            EntityKind.PERSON: self._person,
            EntityKind.VEHICLE: self._vehicle,
            EntityKind.DOCUMENT: self._document,
            EntityKind.PHONE: self._phone,
            EntityKind.COMPANY: self._company,
            EntityKind.BANK_ACCOUNT: self._bank_account,
        }
        self._recurring = {
            kind: [self._checked(kind) for _ in range(max(4, recurring))] for kind in self._makers
        }

    # --- Texts ------------------------------------------------------------------------------

    def _slice(self, length: int) -> str:
        start = self.rng.randrange(0, len(self._corpus) - length)
        return self._corpus[start : start + length].strip() or "information"

    def subject(self) -> str:
        """30 to 90 characters."""
        text = f"{self.rng.choice(SUBJECT_OPENINGS)} {self.rng.choice(SUBJECT_MATTERS)}"
        target = self.rng.randint(30, 90)
        if len(text) < target:
            text = f"{text} ({self._slice(target - len(text) - 3)})"
        return text[:target].strip()

    def body(self) -> str:
        """Mostly 200 to 1,200 characters; a few short notes and a few long reports."""
        draw = self.rng.random()
        if draw < 0.05:
            length = self.rng.randint(60, 200)
        elif draw < 0.92:
            length = self.rng.randint(200, 1_200)
        else:
            length = self.rng.randint(1_200, 3_500)
        return self._slice(length).capitalize() + "."

    def restriction_text(self) -> str:
        return self.rng.choice(RESTRICTION_TEXTS)

    def operation_name(self) -> str:
        return f"Operation {self.rng.choice(OPERATION_WORDS)} {self.rng.randint(1, 99)}"

    # --- Entities ---------------------------------------------------------------------------

    def entity(self, kind: str) -> tuple[dict[str, Any], bool]:
        """The attributes of an entity of this kind, and whether they are those of one of the
        recurring subjects (now and then), which other providers may hold too."""
        if self.rng.random() < RECURRING_SHARE:
            return dict(self.rng.choice(self._recurring[kind])), True
        return self._checked(kind), False

    def _checked(self, kind: str) -> dict[str, Any]:
        # The product's own rules decide what an entity may hold: a draw they refuse (a phone
        # number outside the country's plan) is drawn again.
        for _ in range(50):
            attributes = self._makers[kind]()
            if not entity_problems(kind, attributes):
                return attributes
        raise AssertionError(f"{kind}: {entity_problems(kind, attributes)} for {attributes}")

    def _name(self, country: str) -> str:
        given, family = NAMES[country]
        return f"{self.rng.choice(given)} {self.rng.choice(family)}"

    def _person(self) -> dict[str, Any]:
        country = self.rng.choice(NATIONALITIES)
        year, month, day = (
            self.rng.randint(1950, 2005),
            self.rng.randint(1, 12),
            self.rng.randint(1, 28),
        )
        person: dict[str, Any] = {
            "names": self._name(country),
            "date_of_birth": f"{year:04d}-{month:02d}-{day:02d}",
            "nationality": country,
        }
        if self.rng.random() < 0.5:
            person["documents"] = [
                {
                    "type": "passport",
                    "number": _letters(self.rng, 2) + _digits(self.rng, 7),
                    "issuing_country": country,
                }
            ]
        if self.rng.random() < 0.15:
            person["aliases"] = [self._name(self.rng.choice(NATIONALITIES))]
        return person

    def _vehicle(self) -> dict[str, Any]:
        make, model = self.rng.choice(MAKES)
        return {
            "plate": f"{_letters(self.rng, 2)} {_digits(self.rng, 4)} {_letters(self.rng, 2)}",
            "vin": "".join(self.rng.choice(VIN_CHARACTERS) for _ in range(17)),
            "make": make,
            "model": model,
            "colour": self.rng.choice(COLOURS),
        }

    def _document(self) -> dict[str, Any]:
        return {
            "type": self.rng.choice(DOCUMENT_TYPES),
            "number": _letters(self.rng, 2) + _digits(self.rng, 7),
            "issuing_country": self.rng.choice(NATIONALITIES),
        }

    def _phone(self) -> dict[str, Any]:
        pattern = self.rng.choice(PHONE_PATTERNS)
        return {
            "number": "".join(self.rng.choice("0123456789") if c == "d" else c for c in pattern)
        }

    def _company(self) -> dict[str, Any]:
        words = " ".join(self.rng.sample(COMPANY_WORDS, 2))
        return {
            "name": f"{words} {self.rng.choice(COMPANY_FORMS)}",
            "registration_number": _digits(self.rng, 9),
            "country": self.rng.choice(NATIONALITIES),
        }

    def _bank_account(self) -> dict[str, Any]:
        # A Romanian IBAN: bank code and account, with the check digits that make it valid.
        account = _letters(self.rng, 4) + _digits(self.rng, 16)
        check = stdnum_iban.calc_check_digits(f"RO00{account}")
        return {
            "iban": f"RO{check}{account}",
            "bank": f"{self.rng.choice(COMPANY_WORDS)} Bank",
            "holder": self._name(self.rng.choice(NATIONALITIES)),
        }
