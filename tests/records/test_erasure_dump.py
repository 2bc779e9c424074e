"""After an erasure, a dump of the database holds none of the erased values: neither in clear
(the canaries of every text, entity and file of the thread) nor as they were stored (each
ciphertext, each file's sealed bytes, each blind-index token), while another provider's
unrelated exchange is still there, ciphertexts and tokens."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from partners.models import Officer
from records.services_erasure import exchange_erase
from selec.core.models import AuditEvent
from tests.exchanges.test_encryption_at_rest import _pg_dump
from tests.records.erasure_scenario import CANARIES, OTHER, erasure_thread

# Per table, the stored columns of the thread's content, and how to find its rows.
_STORED = {
    "exchanges_exchange": (["subject", "body", "restriction_text"], "id"),
    "exchanges_entity": (["attributes"], "exchange_id"),
    "exchanges_attachment": (["filename", "sha256", "encode(content, 'hex')"], "exchange_id"),
    "exchanges_disseminationrequest": (
        ["intended_use", "justification", "decision_note"],
        "exchange_id",
    ),
    "records_inaccuracyflag": (["note", "answer"], "exchange_id"),
}


def _stored_values(exchange_ids: list[int]) -> dict[str, set[str]]:
    """Every value stored for these exchanges' content, as the columns hold it, and their
    entities' blind-index tokens."""
    found: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        for table, (columns, key) in _STORED.items():
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = ANY(%s)",  # noqa: S608
                [exchange_ids],
            )
            found[table] = {value for row in cursor.fetchall() for value in row if value}
        cursor.execute(
            "SELECT token.token FROM exchanges_entitytoken token "
            "JOIN exchanges_entity entity ON entity.id = token.entity_id "
            "WHERE entity.exchange_id = ANY(%s)",
            [exchange_ids],
        )
        found["tokens"] = {token for (token,) in cursor.fetchall()}
    return found


@pytest.mark.django_db(transaction=True)
def test_a_dump_after_the_erasure_holds_none_of_the_erased_values() -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)  # the database starts empty
    lo_ro, lo_bg, lo_al = (
        Officer.objects.select_related("agency__party").get(username=name)
        for name in ("lo.ro", "lo.bg", "lo.al")
    )
    thread = erasure_thread(lo_ro, lo_bg, lo_al)
    erased_ids = [thread.request.pk, thread.reply.pk, thread.second_reply.pk]
    erased = _stored_values(erased_ids)
    kept = _stored_values([thread.other.pk])
    # The scenario put content in every kind of column: nothing to find would prove nothing.
    assert all(erased.values()), {table: len(values) for table, values in erased.items()}
    # The hits' partner holds the same person and phone: those tokens are its own as well.
    shared = _stored_values([thread.theirs.pk])["tokens"]
    # Each value is found in a dump as captured (the bytes of a file as the dump writes them).
    before = _pg_dump(connection.settings_dict["NAME"])
    assert all(value in before for values in erased.values() for value in values)

    exchange_erase(officer=lo_ro, exchange=thread.request, reason="Calafat case closed")

    dump = _pg_dump(connection.settings_dict["NAME"])
    assert thread.request.reference in dump  # the rows stay
    assert AuditEvent.objects.filter(event="retention.erased").exists()
    assert [label for label, value in CANARIES.items() if value in dump] == []
    assert "vulturescu" not in dump.lower()
    leaked = {
        table: [value[:24] for value in values if value in dump] for table, values in erased.items()
    }
    leaked["tokens"] = [t[:12] for t in erased["tokens"] - shared if t in dump]
    assert leaked == {table: [] for table in leaked}
    # The tokens shared with the other provider are in the dump only as its rows hold them.
    for token in erased["tokens"] & shared:
        assert dump.count(token) == 1
    # Another provider's unrelated exchange is all there, as stored.
    assert OTHER["subject"] not in dump  # encrypted, as ever
    for table in ("exchanges_exchange", "exchanges_entity", "exchanges_attachment", "tokens"):
        assert kept[table], table
        assert all(value in dump for value in kept[table]), table
