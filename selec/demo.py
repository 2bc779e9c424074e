"""Demo personas: the fixed officers that demos, the README and the tests log in as."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Agency, Officer, Posting, Role
from partners.services.access_confirmations import officer_access_confirm_by_operator
from partners.services.officers import officer_create
from taskforces.models import SubTaskForce, TaskForce
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


__all__ = ["PERSONAS", "current_totp", "demo_allowed", "demo_password", "seed_demo_personas"]
