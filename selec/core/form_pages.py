"""Pages that call a service from a form, all in the same steps: on a POST with a valid form
the service is called; a ``ValidationError`` it raises goes next to the fields it names (400),
a ``PermissionDenied`` is a refusal of the act, whatever the input (403); a GET shows the form.
What a page does on success or on a refusal (a message and a redirect, the form again, a page
of its own) stays the page's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

T = TypeVar("T")


def apply_service_errors(
    form: forms.Form, error: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError next to the fields it names (the rest above the form);
    ``aliases`` maps the service's names of inputs to the form's fields."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        field = aliases.get(key, key)
        form.add_error(field if field in form.fields else None, messages)


def refusal_reason(exc: Exception, default: str) -> str:
    """What a refusal says (the rule and whom it concerns), or ``default`` when it says
    nothing."""
    return " ".join(str(m) for m in getattr(exc, "args", ()) if m) or default


@dataclass(frozen=True)
class Submission(Generic[T]):
    status: int  # 200: shown or done; 400: the input is refused; 403: the act is refused
    done: bool = False
    result: T | None = None
    refusal: PermissionDenied | None = None


def submit(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[], T],
    aliases: Mapping[str, str] | None = None,
) -> Submission[T]:
    """Call ``act`` (the service) for a POST whose form is valid; see the module's text."""
    if request.method != "POST":
        return Submission(status=200)
    if not form.is_valid():
        return Submission(status=400)
    try:
        result = act()
    except ValidationError as exc:
        apply_service_errors(form, exc, aliases)
        return Submission(status=400)
    except PermissionDenied as exc:
        return Submission(status=403, refusal=exc)
    return Submission(status=200, done=True, result=result)
