"""Importing historical exchange logs: all or nothing, every bad line named, a file once."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from analytics import importer
from analytics.importer import LineError, LogAlreadyImported, LogRejected, exchange_log_import
from analytics.models import ExchangeImport, ImportedExchange
from partners.models import Party
from selec.core.models import AuditAction, AuditEvent
from taskforces.models import TaskForce

pytestmark = pytest.mark.django_db

HEADER = "date,sender,recipients,kind,crime_area,channel"
GOOD = "2008-03-14,RO,BG;TR,request,drugs,daily"


def _import(text: str | bytes, name: str = "log.csv") -> ExchangeImport:
    content = text.encode() if isinstance(text, str) else text
    return exchange_log_import(source=io.BytesIO(content), file_name=name, recompute=False)


def _errors(text: str | bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(LogRejected) as refused:
        _import(text)
    assert not ImportedExchange.objects.exists()
    assert not ExchangeImport.objects.exists()
    return [(e.line, e.column, e.reason) for e in refused.value.errors]


def _write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def test_a_valid_log_is_imported_as_metadata_only_rows_marked_as_imported() -> None:
    batch = _import(
        "\n".join(
            [
                HEADER,
                GOOD,
                "2008-03-15,AT,RO,information,migrant_smuggling,regional_operation",
                "2007-12-31,bg,ro;Ro;TR,Request,DRUGS,Daily",
                "2008-03-16,RO,TR;BG,information,drugs,daily",
            ]
        )
    )
    assert (batch.rows, batch.years, batch.file_name, batch.imported_by) == (
        4,
        [2007, 2008],
        "log.csv",
        None,
    )
    codes = dict(Party.objects.values_list("pk", "code"))
    rows = {
        (row.date, codes[row.sender_party_id]): row
        for row in ImportedExchange.objects.filter(batch=batch)
    }
    first = rows[(dt.date(2008, 3, 14), "RO")]
    assert {codes[p] for p in first.recipients.party_ids} == {"BG", "TR"}
    assert (first.kind, first.crime_area.code, first.channel) == ("request", "drugs", "daily")
    assert first.task_force == TaskForce.objects.get(code="drugs")
    # Codes in any case; a party named twice is one recipient.
    last = rows[(dt.date(2007, 12, 31), "BG")]
    assert sorted(codes[p] for p in last.recipients.party_ids) == ["RO", "TR"]
    # A set of recipients is stored once, whatever the order the log names them in.
    assert rows[(dt.date(2008, 3, 16), "RO")].recipients_id == first.recipients_id
    task_force = rows[(dt.date(2008, 3, 15), "AT")].task_force
    assert task_force is not None
    assert task_force.code == "thb_migration"


def test_the_import_is_audited_as_a_collection() -> None:
    batch = _import(f"{HEADER}\n{GOOD}\n")
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type, event.object_id) == (
        AuditAction.COLLECTION,
        "analytics.exchangeimport",
        str(batch.pk),
    )
    assert event.details["rows"] == 1
    assert event.details["sha256"] == batch.sha256


def test_every_bad_line_is_reported_with_its_column_and_nothing_is_imported() -> None:
    errors = _errors(
        "\n".join(
            [
                HEADER,
                GOOD,
                "2008-03-14,XX,BG,request,drugs,daily",  # 3: wrong party code
                "2008-03-14,RO,BG,request,piracy,daily",  # 4: unknown crime area
                "2008-02-30,RO,BG,request,drugs,daily",  # 5: bad date
                "2008-03-14,RO,BG,request,drugs",  # 6: missing column
                GOOD,
            ]
        )
    )
    assert errors == [
        (3, "sender", "unknown party code 'XX'"),
        (4, "crime_area", "unknown crime area 'piracy'"),
        (5, "date", "not a date (YYYY-MM-DD): '2008-02-30'"),
        (6, "channel", "missing column"),
    ]


def test_recipients_kind_channel_and_shape_are_checked_too() -> None:
    errors = _errors(
        "\n".join(
            [
                HEADER,
                "2008-03-14,RO,,request,drugs,daily",  # 2
                "2008-03-14,RO,BG;RO,request,drugs,daily",  # 3
                "2008-03-14,RO,BG;;TR,request,drugs,daily",  # 4
                "2008-03-14,RO,BG,reply,drugs,weekly",  # 5
                "",  # 6: a blank line before more lines
                "2008-03-14,RO,BG,request,drugs,daily,extra",  # 7
                "14/03/2008,RO,BG,request,drugs,daily",  # 8
                "2999-01-01,RO,BG,request,drugs,daily",  # 9
            ]
        )
    )
    assert errors == [
        (2, "recipients", "no recipients"),
        (3, "recipients", "the sender RO is among the recipients"),
        (4, "recipients", "no party code"),
        (5, "kind", "'reply' is not one of request, information"),
        (5, "channel", "'weekly' is not one of daily, regional_operation"),
        (6, "", "empty line"),
        (7, "", "1 extra column(s): 7 values"),
        (8, "date", "not a date (YYYY-MM-DD): '14/03/2008'"),
        (9, "date", "2999-01-01 is in the future"),
    ]


def test_a_line_that_is_not_utf8_is_reported() -> None:
    latin1 = "2008-03-14,RO,BG,request,drugs,daily # Türkiye\n".encode("latin-1")
    errors = _errors(f"{HEADER}\n{GOOD}\n".encode() + latin1 + f"{GOOD}\n".encode())
    assert errors == [(3, "", "not UTF-8 text")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"{GOOD}\n", [(1, "", f"the header row is missing: {HEADER}")]),
        ("", [(1, "", f"the header row is missing: {HEADER}")]),
        (
            "date,from,recipients,kind,crime_area,channel\n" + GOOD,
            [
                (1, "sender", "missing from the header row"),
                (1, "from", "not a column of the format"),
            ],
        ),
        (f"{HEADER}\n\n", [(2, "", "the file holds no exchanges")]),
    ],
    ids=["data-first", "empty-file", "wrong-column", "header-only"],
)
def test_a_missing_or_wrong_header_is_refused(content: str, expected: list) -> None:
    assert _errors(content) == expected


def test_columns_may_come_in_any_order() -> None:
    batch = _import(
        "channel,kind,date,crime_area,recipients,sender\ndaily,request,2008-03-14,drugs,BG,RO\n"
    )
    row = ImportedExchange.objects.get(batch=batch)
    assert (row.date, row.sender_party.code, row.channel) == (dt.date(2008, 3, 14), "RO", "daily")


def test_a_byte_order_mark_crlf_line_ends_and_blank_trailing_lines_are_accepted() -> None:
    content = "\ufeff" + f"{HEADER}\r\n{GOOD}\r\n{GOOD}\r\n\r\n  \r\n"
    assert _import(content.encode("utf-8")).rows == 2


def test_the_same_file_is_refused_a_second_time_even_renamed() -> None:
    first = _import(f"{HEADER}\n{GOOD}\n", "2008.csv")
    with pytest.raises(LogAlreadyImported, match=r"already imported .* as '2008.csv'"):
        _import(f"{HEADER}\n{GOOD}\n", "copy of 2008.csv")
    assert ExchangeImport.objects.get() == first
    assert ImportedExchange.objects.count() == 1


def test_an_error_prints_as_line_column_and_reason() -> None:
    assert str(LineError(4, "crime_area", "unknown crime area 'x'")) == (
        "line 4, column crime_area: unknown crime area 'x'"
    )
    assert str(LineError(6, "", "empty line")) == "line 6: empty line"


# --- The command ------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_says_what_it_did(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_exchange_log", str(_write(tmp_path, f"{HEADER}\n{GOOD}\n")), stdout=out)
    assert "Imported 1 exchanges of 2008 from log.csv" in out.getvalue()
    assert ImportedExchange.objects.count() == 1


def test_the_command_lists_every_bad_line_and_fails(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"{HEADER}\n2008-03-14,XX,BG,request,drugs,daily\n{GOOD}\n2008-13-01,RO,BG,request,drugs,daily\n",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 bad line"):
        call_command("import_exchange_log", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "line 2, column sender: unknown party code 'XX'",
        "line 4, column date: not a date (YYYY-MM-DD): '2008-13-01'",
    ]
    assert not ImportedExchange.objects.exists()


def test_the_command_refuses_a_file_imported_before(tmp_path: Path) -> None:
    path = _write(tmp_path, f"{HEADER}\n{GOOD}\n")
    call_command("import_exchange_log", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="already imported"):
        call_command("import_exchange_log", str(path), stdout=io.StringIO())


def test_the_command_reports_progress_on_big_files(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    path = _write(tmp_path, "\n".join([HEADER, *[GOOD] * 5]) + "\n")
    err = io.StringIO()
    call_command("import_exchange_log", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "2 lines checked",
        "4 lines checked",
        "2 exchanges written",
        "4 exchanges written",
    ]


def test_the_command_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_exchange_log", str(tmp_path / "missing.csv"))
