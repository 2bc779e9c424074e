"""Demo personas: the fixed officers that demos, the README and the tests log in as; and the
demo's retention reviews, due and overdue, of their agencies."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from exchanges.models import EntityKind, Exchange, ExchangeKind, Priority, Recipient
from exchanges.policy import date_plus_years, review_due_on
from exchanges.services.inputs import EntityInput, Evaluation, Message, due_date
from exchanges.services.sending import exchange_send
from partners.models import Agency, Officer, Posting, Role
from partners.services.access_confirmations import officer_access_confirm_by_operator
from partners.services.officers import officer_create
from taskforces.models import CrimeArea, SubTaskForce, TaskForce
from taskforces.services import membership_add

# Development only: demo commands refuse to run in production.
DEVELOPMENT_DEMO_PASSWORD = "selec-demo-password"  # noqa: S105


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    last_name: str
    role: Role
    agency: str | None  # the agency's name, None for secretariat staff
    posted_at: Posting = Posting.HQ
    task_forces: tuple[str, ...] = ()
    sub_task_forces: tuple[str, ...] = ()


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "lo.ro",
        "Andrei",
        "Popescu",
        Role.LIAISON_OFFICER,
        "Romanian Police",
        task_forces=("drugs", "financial_computer"),
        sub_task_forces=("cyber_crime",),
    ),
    Persona(
        "lo.bg",
        "Georgi",
        "Ivanov",
        Role.LIAISON_OFFICER,
        "Bulgarian Police",
        task_forces=("thb_migration",),
    ),
    Persona(
        "lo.tr",
        "Mehmet",
        "Yılmaz",  # noqa: RUF001 - a Turkish surname with a dotless i
        Role.LIAISON_OFFICER,
        "Turkish Customs",
        task_forces=("fraud_smuggling", "drugs"),
    ),
    Persona(
        "lo.gr",
        "Nikolaos",
        "Papadopoulos",
        Role.LIAISON_OFFICER,
        "Hellenic Police",
        task_forces=("drugs",),
    ),
    Persona(
        "lo.al",
        "Arben",
        "Hoxha",
        Role.LIAISON_OFFICER,
        "Albanian State Police",
        task_forces=("thb_migration", "drugs"),
    ),
    Persona(
        "nfp.bg",
        "Elena",
        "Dimitrova",
        Role.NFP_OFFICER,
        "National Focal Point of Bulgaria",
        posted_at=Posting.HOME,
    ),
    Persona(
        "nfp.ro",
        "Ioana",
        "Ionescu",
        Role.NFP_OFFICER,
        "National Focal Point of Romania",
        posted_at=Posting.HOME,
    ),
    Persona("obs.at", "Stefan", "Huber", Role.LIAISON_OFFICER, "Police of Austria"),
    Persona(
        "op.it", "Marco", "Rossi", Role.LIAISON_OFFICER, "Police of Italy", task_forces=("drugs",)
    ),
    Persona("analyst", "Vlad", "Marin", Role.ANALYST, None),
    # A second analyst: an analytical product is published by an analyst other than its author.
    Persona("reviewer", "Irina", "Dobre", Role.ANALYST, None),
    Persona("dpo", "Ana", "Stan", Role.DPO, None),
    Persona("admin", "Radu", "Enache", Role.DIRECTORY_ADMIN, None),
)


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEVELOPMENT_DEMO_PASSWORD


@transaction.atomic
def seed_demo_personas(password: str) -> list[Officer]:
    """Create the personas that do not exist yet, each with a confirmed TOTP device."""
    agencies = {a.name: a for a in Agency.objects.select_related("party")}
    task_forces = {t.code: t for t in TaskForce.objects.all()}
    sub_task_forces = {s.code: s for s in SubTaskForce.objects.select_related("task_force")}
    officers = []
    for persona in PERSONAS:
        officer = Officer.objects.filter(username=persona.username).first()
        if officer is None:
            officer = officer_create(
                actor=None,
                username=persona.username,
                password=password,
                role=persona.role,
                agency=agencies[persona.agency] if persona.agency else None,
                posted_at=persona.posted_at,
                first_name=persona.first_name,
                last_name=persona.last_name,
                email=f"{persona.username}@demo.selec.invalid",
                # The personas read SELEC's working language, whatever their posting; each
                # may choose another on their account page.
                language="",
            )
            if officer.awaits_confirmation:
                # Each persona is the first officer of its agency: nobody else could confirm.
                officer_access_confirm_by_operator(officer=officer, note="demo persona")
            for code in persona.task_forces:
                membership_add(actor=None, officer=officer, task_force=task_forces[code])
            for code in persona.sub_task_forces:
                sub = sub_task_forces[code]
                membership_add(
                    actor=None, officer=officer, task_force=sub.task_force, sub_task_force=sub
                )
        TOTPDevice.objects.get_or_create(user=officer, name="default", defaults={"confirmed": True})
        officers.append(officer)
    return officers


def current_totp(officer: Officer) -> str:
    device = TOTPDevice.objects.get(user=officer, name="default")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def demo_allowed() -> bool:
    return not settings.PRODUCTION


# --- Retention reviews --------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoReview:
    author: str  # a persona's username: the exchange is their agency's to review
    recipient: str  # the addressed agency's name
    due_in_days: int  # from the day of seeding: negative, overdue
    subject: str
    person: tuple[str, str]  # names, date of birth


# Reviews of lo.ro's, lo.bg's and nfp.bg's agencies: some overdue, some due within 30 days.
DEMO_REVIEWS: tuple[DemoReview, ...] = (
    DemoReview(
        "lo.ro",
        "Bulgarian Police",
        -41,
        "Cannabis couriers on the Calafat ferry",
        ("Vasile Marinescu", "1979-06-02"),
    ),
    DemoReview(
        "lo.ro",
        "Turkish Customs",
        -6,
        "Container of counterfeit cigarettes at Constanța",
        ("Mihai Dobre", "1984-11-20"),
    ),
    DemoReview(
        "lo.ro",
        "Albanian State Police",
        9,
        "Heroin stash in a Durrës warehouse",
        ("Ilir Kola", "1990-01-15"),
    ),
    DemoReview(
        "lo.ro",
        "Bulgarian Police",
        23,
        "Stolen SUVs re-registered in Ruse",
        ("Daniel Stan", "1987-03-08"),
    ),
    DemoReview(
        "lo.bg",
        "Romanian Police",
        -15,
        "Forged euro notes exchanged in Giurgiu",
        ("Dimitar Kolev", "1975-09-30"),
    ),
    DemoReview(
        "lo.bg",
        "Hellenic Police",
        12,
        "Migrant smuggling van stopped at Kulata",
        ("Nikolay Georgiev", "1982-12-01"),
    ),
    DemoReview(
        "nfp.bg",
        "Romanian Police",
        -3,
        "Request for the criminal record of a driver",
        ("Petar Iliev", "1969-04-22"),
    ),
)
# The crime area of the demo's reviews: they were sent its period (or the installation's) ago.
_DEMO_REVIEW_CRIME_AREA = "drugs"


def _demo_reviews_exist(agency_ids: list[int], horizon: dt.date) -> bool:
    return Exchange.objects.filter(
        sender_agency_id__in=agency_ids, review_due_on__lte=horizon
    ).exists()


def _aged(exchange: Exchange, sent_at: dt.datetime, area: CrimeArea) -> None:
    """Move an exchange sent now back to ``sent_at``, with the due and review dates the send
    would have given it then (its reference and audit events keep the day of seeding: the log
    is append-only, and says when the demo was loaded)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    exchange.sent_at = sent_at
    exchange.due_at = due_date(sent_at, exchange.priority)
    exchange.review_due_on = review_due_on(
        personal_data=exchange.personal_data,
        sent_on=sent_at.astimezone(zone).date(),
        area_years=area.personal_data_review_years,
        default_years=settings.PERSONAL_DATA_REVIEW_YEARS,
    )
    exchange.save(update_fields=["sent_at", "due_at", "review_due_on"])
    Recipient.objects.filter(exchange=exchange).update(delivered_at=sent_at, due_at=exchange.due_at)


@transaction.atomic
def seed_demo_reviews() -> bool:
    """Send the demo's exchanges whose retention review is due or overdue today (as if sent a
    review period ago), unless the demo agencies already have reviews due (idempotent).
    Returns whether they were sent now."""
    authors = {
        o.username: o
        for o in Officer.objects.select_related("agency__party").filter(
            username__in={review.author for review in DEMO_REVIEWS}
        )
    }
    agency_ids = [o.agency_id for o in authors.values() if o.agency_id is not None]
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    today = timezone.localtime(timezone.now(), zone).date()
    if len(agency_ids) < len(authors) or _demo_reviews_exist(
        agency_ids, today + dt.timedelta(days=30)
    ):
        return False
    area = CrimeArea.objects.get(code=_DEMO_REVIEW_CRIME_AREA)
    years = area.personal_data_review_years or settings.PERSONAL_DATA_REVIEW_YEARS
    agencies = dict(Agency.objects.values_list("name", "pk"))
    for review in DEMO_REVIEWS:
        names, born = review.person
        exchange = exchange_send(
            officer=authors[review.author],
            kind=ExchangeKind.INFORMATION,
            recipient_agency_ids=[agencies[review.recipient]],
            crime_area_id=area.pk,
            priority=Priority.ROUTINE,
            message=Message(
                subject=review.subject,
                body="Identified during a joint check; details on request.",
                personal_data=True,
                evaluation=Evaluation(source_reliability="B", information_accuracy="2"),
                entities=[EntityInput(EntityKind.PERSON, {"names": names, "date_of_birth": born})],
            ),
        )
        review_on = today + dt.timedelta(days=review.due_in_days)
        sent_on = date_plus_years(review_on, -years)
        _aged(exchange, dt.datetime.combine(sent_on, dt.time(10), tzinfo=zone), area)
    return True


__all__ = [
    "DEMO_REVIEWS",
    "PERSONAS",
    "current_totp",
    "demo_allowed",
    "demo_password",
    "seed_demo_personas",
    "seed_demo_reviews",
]
