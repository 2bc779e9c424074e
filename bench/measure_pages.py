"""The figures of the pages beside the inbox: the home page (dashboard) and the thread page,
each as its view computes it (rendering aside)."""

from __future__ import annotations

from django.db.models import Count

from bench.measure import Figure, Plan, fresh_officer, measure, nothing
from exchanges.models import Exchange
from exchanges.policy import Perm
from exchanges.selectors import exchange_get_for_officer, officer_perms_by_exchange
from exchanges.selectors_dashboard import agency_work
from exchanges.selectors_thread import thread_messages
from exchanges.services.consultation import exchange_consult
from exchanges.services.on_receipt import acknowledges_for
from oversight.services import access_report_read
from partners.capabilities import capabilities_for
from partners.models import Officer
from partners.selectors import officer_profile
from selec.core.models import AuditEvent
from taskforces.selectors import memberships_of

# --- The home page ---------------------------------------------------------------------------


def dashboard_data(officer_id: int) -> object:
    """What the dashboard view computes, in its order (rendering aside)."""
    officer = officer_profile(officer_id)
    party = officer.party
    work = agency_work(officer)
    memberships = memberships_of(officer)
    capabilities = capabilities_for(party.status) if party else None
    return work, memberships, capabilities


def dashboard(username: str, plan: Plan) -> Figure:
    pk = Officer.objects.values_list("pk", flat=True).get(username=username)
    figure = measure(lambda _: dashboard_data(pk), nothing, times=plan.repeat, warmup=plan.warmup)
    work = agency_work(officer_profile(pk))
    if work is not None:
        figure.extra["overdue_shown"] = len(work.overdue.receipts)
        figure.extra["unread_shown"] = len(work.unread.receipts)
    return figure


# --- The thread page -------------------------------------------------------------------------


def _longest_thread_root() -> Exchange:
    root_id = (
        Exchange.objects.filter(thread_root__isnull=False)
        .values("thread_root_id")
        .annotate(reply_count=Count("id"))
        .order_by("-reply_count", "-thread_root_id")
        .values_list("thread_root_id", flat=True)
        .first()
    )
    if root_id is None:
        raise Exchange.DoesNotExist("The benchmark's data holds no thread.")
    return Exchange.objects.select_related("author").get(pk=root_id)


def thread_page(officer: Officer, reference: str) -> int:
    """What the thread view loads for a thread: the message by its reference, the thread's
    messages with their receipts and requests, the officer's permissions on each, whether
    they acknowledge a receipt, and the content of the message named (its audited read)."""
    exchange = exchange_get_for_officer(officer, reference=reference)
    thread = thread_messages(officer, exchange)
    perms = officer_perms_by_exchange(officer, [m.pk for m in thread])
    for message in thread:
        receipts = list(message.recipients.all())
        list(message.dissemination_requests.all())
        if Perm.VIEW in perms[message.pk]:
            [acknowledges_for(officer, r) for r in receipts if r.acknowledged_at is None]
    exchange_consult(officer=officer, exchange=exchange, known_perms=perms[exchange.pk])
    return len(thread)


def thread(plan: Plan) -> Figure:
    root = _longest_thread_root()
    # Its author, who reads it as the provider (no H3 confirmation asked of them).
    fresh = fresh_officer(root.author.username)
    figure = measure(
        lambda officer: thread_page(officer, root.reference),
        fresh,
        times=plan.repeat,
        warmup=plan.warmup,
    )
    figure.extra["messages"] = thread_page(fresh(), root.reference)
    return figure


# --- The DPO's access report -----------------------------------------------------------------

DPO_PERSONA = "dpo"


def _most_audited_exchange() -> Exchange:
    """The exchange the log names most often: the longest report. (A listing's event, the
    subjects of a page of the inbox, names no one exchange: its object id is empty.)"""
    exchange_id = (
        AuditEvent.objects.filter(object_type="exchanges.exchange")
        .exclude(object_id="")
        .values("object_id")
        .annotate(events=Count("id"))
        .order_by("-events", "object_id")
        .values_list("object_id", flat=True)
        .first()
    )
    if exchange_id is None:
        raise Exchange.DoesNotExist("The benchmark's audit log names no exchange.")
    return Exchange.objects.get(pk=int(exchange_id))


def access_report(plan: Plan) -> Figure:
    """The DPO's access report of the exchange with the most events, as its page reads it (the
    report, the officers' purposes, and the audit event of the reading)."""
    exchange = _most_audited_exchange()
    fresh = fresh_officer(DPO_PERSONA)
    figure = measure(
        lambda officer: access_report_read(
            officer=officer, reference=exchange.reference, reason="benchmark"
        ),
        fresh,
        times=plan.repeat,
        warmup=plan.warmup,
    )
    figure.extra["events"] = len(
        access_report_read(officer=fresh(), reference=exchange.reference, reason="benchmark").rows
    )
    return figure
