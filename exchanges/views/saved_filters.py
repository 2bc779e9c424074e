"""Saving the inbox's current filters as a named view, and deleting one (``POST`` only)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from exchanges.inbox import parse_inbox_request, saved_query
from exchanges.models_saved_filters import SAVED_FILTER_NAME_MAX_LENGTH
from exchanges.services.saved_filters import inbox_filter_delete, inbox_filter_save
from partners.auth import officer_of
from selec.core.form_fields import LabelledForm


class SaveViewForm(LabelledForm):
    name = forms.CharField(
        label=gettext_lazy("Name of this view"), max_length=SAVED_FILTER_NAME_MAX_LENGTH
    )
    # The inbox's query string as the page had it; checked again before it is saved.
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


@require_POST
def save(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    form = SaveViewForm(request.POST)
    params = QueryDict(request.POST.get("query", ""))
    query = saved_query(params, parse_inbox_request(params, officer=officer).form)
    inbox = reverse("exchanges:inbox") + (f"?{query}" if query else "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(inbox)
    try:
        view = inbox_filter_save(officer=officer, name=form.cleaned_data["name"], query=query)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, str(message))
        return redirect(inbox)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(inbox)


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    inbox_filter_delete(officer=officer_of(request), view_id=pk)
    messages.success(request, _("The view was deleted."))
    return redirect("exchanges:inbox")
