"""Choices the core stores but does not name: each app declares its own (a ``TextChoices``) and
registers them when it starts (its ``AppConfig.ready``), so that the core knows no app above it.
Used for the kinds of notification and the names of audit events."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise

Choices = list[tuple[str, str | Promise]]


def register_choices(registry: Choices, declared: type[models.TextChoices], *, what: str) -> None:
    """Add an app's choices to ``registry``, in the order the apps register. Registering the
    same choices again changes nothing; two apps that declare one value with different labels
    are a configuration error."""
    known = dict(registry)
    for value, label in declared.choices:
        if value not in known:
            registry.append((value, label))
        elif known[value] != label:
            raise ImproperlyConfigured(f"Two apps declare the {what} {value!r}.")
