"""The DPO's page on the integrity of the audit log: the verifications kept, whether one is
running (the list refreshes itself while it does) and a button to start one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oversight.access import dpo_or_404
from oversight.integrity import running, verification_runs, verification_start
from partners.auth import officer_of


@require_GET
def integrity(request: HttpRequest) -> HttpResponse:
    dpo_or_404(officer_of(request))
    runs = verification_runs()
    context = {"runs": runs, "running": running(runs), "polled": "polled" in request.GET}
    template = "oversight/_runs.html" if context["polled"] else "oversight/integrity.html"
    return render(request, template, context)


@require_POST
def integrity_start(request: HttpRequest) -> HttpResponse:
    officer = dpo_or_404(officer_of(request))
    try:
        verification_start(officer=officer)
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The verification is asked for: a worker starts it shortly."))
    return redirect("oversight:integrity")
