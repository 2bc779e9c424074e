"""The values every app's policy speaks in: an agency as the rules see it, the handling
restrictions an exchange or a case carries (H1 evidence, H2 dissemination, H3 a text to
confirm; H0 holds for everything) and the refusal a rule gives. Plain data, no database: the
policies of exchanges and cases decide with them, forms and serializers yield them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AgencyFacts:
    id: int
    name: str
    party_id: int
    party_code: str
    party_status: str
    # The agency was offboarded: it receives nothing more (what it sent stays).
    closed: bool = False


class Restricted(Protocol):
    """What carries restrictions: an exchange, a case (the policy reads no model)."""

    restrict_evidence: bool
    restrict_dissemination: bool
    restriction_text: str


def normalised_text(text: str) -> str:
    """A typed text as it is kept: plain LF line breaks, no blank edges. Browsers send a
    textarea's line breaks as CRLF, API clients may send either: the same words must be the
    same text, or a provider who saves an H3 text unchanged asks every reader to confirm it
    again."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class Restrictions:
    """H1, H2 and the H3 text, which is normalised on construction (``normalised_text``):
    however it was typed or sent, one text compares equal to itself."""

    evidence: bool = False  # H1
    dissemination: bool = False  # H2
    text: str = ""  # H3

    def __post_init__(self) -> None:
        # Frozen: the normalised text replaces the given one before anyone sees the value.
        object.__setattr__(self, "text", normalised_text(self.text))

    @classmethod
    def of(cls, restricted: Restricted) -> Restrictions:
        """The restrictions an exchange or a case carries (their three columns)."""
        return cls(
            evidence=restricted.restrict_evidence,
            dissemination=restricted.restrict_dissemination,
            text=restricted.restriction_text,
        )

    def tightened_by(self, other: Restrictions) -> Restrictions:
        """The strictest of both: every restriction either one sets."""
        texts = [t for t in (self.text, other.text) if t]
        return Restrictions(
            evidence=self.evidence or other.evidence,
            dissemination=self.dissemination or other.dissemination,
            text="\n".join(dict.fromkeys(texts)),
        )

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes set, H0 aside (it holds for everything)."""
        return tuple(
            code
            for code, on in (
                ("H1", self.evidence),
                ("H2", self.dissemination),
                ("H3", bool(self.text)),
            )
            if on
        )

    @property
    def handling_codes(self) -> tuple[str, ...]:
        """The codes shown: those set, or H0 alone when none is."""
        return self.codes or ("H0",)


class PolicyError(Exception):
    """A send, forward or grant the rules forbid; the message names the agency and the rule.

    ``field`` names the input the refusal concerns (the recipients, the personal data), which
    the caller reports as a validation error of that field; a refusal without one concerns the
    act itself, whatever the input (a party that no longer takes part sends nothing)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def permits(check: Callable[[], None]) -> bool:
    """Whether a rule's check lets the act through: what a page offers is what the services
    it calls would allow, asked of the same checks."""
    try:
        check()
    except PolicyError:
        return False
    return True
