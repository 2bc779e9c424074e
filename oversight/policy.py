"""Who uses the data protection officer's tools: decided here only, from the officer's role and
whether their account is active (no database).

The DPO alone. Everybody else (directory administrators and analysts included, who see much of
the secretariat's work) is answered 404 on every page and endpoint of the tools, as for an
address that does not exist: the log shows who saw whom, and even its search is not shown."""

from __future__ import annotations

from partners.models import Role


def uses_oversight(*, role: str, is_active: bool) -> bool:
    return is_active and role == Role.DPO
