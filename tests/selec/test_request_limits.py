"""What the server takes in of a request body: a body over a limit gets 413 or 400 with a clear
message (JSON on the API, a page elsewhere), JSON nests at most MAX_JSON_DEPTH levels, and a file
whose name Django would drop or alter refuses the whole request, naming its field. A refused
request saves nothing."""

from __future__ import annotations

import html
import io
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from hypothesis import assume, given
from hypothesis import strategies as st

from cases.models import MeetingAttachment, OperationalMeeting
from exchanges.models import Attachment, Entity, Exchange
from partners.models import Officer
from selec.core.api_parsers import MAX_JSON_DEPTH, TOO_DEEP, nested_deeper_than
from selec.core.request_limits import (
    TOO_MANY_FIELDS,
    TOO_MANY_FILES,
    _PartHeadersAsText,
    too_large_message,
)
from taskforces.models import CrimeArea
from tests.cases.scenario import open_case
from tests.exchanges.scenario import agency_ids, send

API = "/api/v1/"
COMPOSE = "/exchanges/new/"
URLENCODED = "application/x-www-form-urlencoded"
A_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BOUNDARY = b"SelecTestBoundary7MA4YWxkTrZu0gW"
PERSON = {"kind": "person", "attributes": {"names": "Ivan Petrov", "date_of_birth": "1975-02-01"}}


@pytest.fixture(autouse=True)
def _no_throttle_carry_over() -> None:
    cache.clear()


def _rows() -> tuple[int, int, int, int, int]:
    return (
        Exchange.objects.count(),
        Attachment.objects.count(),
        Entity.objects.count(),
        OperationalMeeting.objects.count(),
        MeetingAttachment.objects.count(),
    )


def multipart(
    fields: list[tuple[str, str]], files: list[tuple[str, bytes]], *, disposition: bytes = b""
) -> tuple[bytes, str]:
    """A multipart/form-data body written byte by byte, so that a file's name may be any
    bytes: ``files`` are (field, raw filename) pairs, each carrying a small PDF. A non-empty
    ``disposition`` replaces the files' ``filename="..."`` parameter as it is."""
    out = bytearray()
    for name, value in fields:
        out += b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (
            BOUNDARY,
            name.encode(),
            value.encode(),
        )
    for name, filename in files:
        parameter = disposition or b'filename="%s"' % filename
        out += (
            b'--%s\r\nContent-Disposition: form-data; name="%s"; %s\r\n'
            b"Content-Type: application/pdf\r\n\r\n%s\r\n"
            % (BOUNDARY, name.encode(), parameter, A_PDF)
        )
    out += b"--%s--\r\n" % BOUNDARY
    return bytes(out), f"multipart/form-data; boundary={BOUNDARY.decode()}"


def _api_send_fields() -> list[tuple[str, str]]:
    """A request with an entity, as the API takes it in a multipart body."""
    return [
        ("kind", "request"),
        ("recipients", str(agency_ids("Bulgarian Police")[0])),
        ("crime_area", "drugs"),
        ("subject", "Heroin via Kapitan Andreevo"),
        ("body", "Scanned report attached."),
        ("personal_data", "true"),
        ("evaluation", json.dumps({"source_reliability": "B", "information_accuracy": "2"})),
        ("entities", json.dumps([PERSON])),
    ]


def _compose_fields(**overrides: str) -> list[tuple[str, str]]:
    """The compose page's form, valid, with one person."""
    fields = {
        "kind": "request",
        "recipients": str(agency_ids("Bulgarian Police")[0]),
        "crime_area": str(CrimeArea.objects.get(code="drugs").pk),
        "priority": "urgent",
        "subject": "Heroin via Kapitan Andreevo",
        "body": "Scanned report attached.",
        "personal_data": "on",
        "source_reliability": "B",
        "information_accuracy": "2",
        "person-0-names": "Ivan Petrov",
        **overrides,
    }
    for kind in ("person", "vehicle", "document", "phone", "company", "bank_account"):
        fields |= {
            f"{kind}-TOTAL_FORMS": "1",
            f"{kind}-INITIAL_FORMS": "0",
            f"{kind}-MIN_NUM_FORMS": "0",
            f"{kind}-MAX_NUM_FORMS": "50",
        }
    return list(fields.items())


def _page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- JSON depth -----------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5_000, 200_000])
@pytest.mark.parametrize(
    "path",
    ["exchanges/", "hits/search/", "cases/"],
    ids=["exchange-send", "hit-search", "case-open"],
)
def test_json_nested_too_deep_is_400_in_the_api_error_shape(
    api, lo_ro: Officer, path: str, depth: int
) -> None:
    before = _rows()

    response = api(lo_ro).post(f"{API}{path}", _nested(depth), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"errors": {"non_field_errors": [TOO_DEEP]}}
    assert _rows() == before


def test_json_nested_too_deep_inside_a_multipart_field_is_400_on_that_field(
    api, lo_ro: Officer
) -> None:
    before = _rows()
    fields = [(k, v) for k, v in _api_send_fields() if k != "entities"]
    body, content_type = multipart([*fields, ("entities", _nested(5_000))], [])

    response = api(lo_ro).post(f"{API}exchanges/", body, content_type=content_type)

    assert response.status_code == 400
    assert TOO_DEEP in json.dumps(response.json()["errors"]["entities"])
    assert _rows() == before


def test_the_depth_limit_counts_levels_of_lists_and_objects_without_recursion() -> None:
    assert not nested_deeper_than(json.loads(_nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)
    assert nested_deeper_than(json.loads(_nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)
    deep_object: Any = "leaf"
    for _ in range(MAX_JSON_DEPTH + 1):
        deep_object = {"a": deep_object}
    assert nested_deeper_than(deep_object, MAX_JSON_DEPTH)
    # Wide is not deep; a structure far deeper than the interpreter's stack is walked too.
    assert not nested_deeper_than({"entities": [PERSON] * 300}, MAX_JSON_DEPTH)
    very_deep: Any = []
    for _ in range(100_000):
        very_deep = [very_deep]
    assert nested_deeper_than(very_deep, MAX_JSON_DEPTH)


# --- Body size, number of fields and files ---------------------------------------------------


def test_an_api_body_over_the_limit_is_413_naming_the_limit(api, lo_ro: Officer, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = _rows()
    request = {
        "kind": "request",
        "recipients": agency_ids("Bulgarian Police"),
        "crime_area": "drugs",
        "subject": "Long",
        "body": "x" * 20_000,
    }

    as_json = api(lo_ro).post(f"{API}exchanges/", request, format="json")
    body, content_type = multipart(
        [(k, v) for k, v in _api_send_fields() if k != "body"] + [("body", "x" * 20_000)], []
    )
    as_multipart = api(lo_ro).post(f"{API}exchanges/", body, content_type=content_type)

    for response in (as_json, as_multipart):
        assert response.status_code == 413
        assert response.json() == {"detail": too_large_message()}
        assert "9.8 KB" in too_large_message()
        assert f"{settings.MAX_ATTACHMENT_MB} MB" in too_large_message()
    assert _rows() == before


def test_a_page_body_over_the_limit_is_413_with_a_page_naming_the_limit(
    login, lo_ro: Officer, settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = _rows()
    client = login(lo_ro)

    form = client.post(
        COMPOSE, urlencode(_compose_fields(body="x" * 20_000)), content_type=URLENCODED
    )
    body, content_type = multipart(_compose_fields(body="x" * 20_000), [])
    upload = client.post(COMPOSE, body, content_type=content_type)

    for response in (form, upload):
        assert response.status_code == 413
        assert too_large_message() in _page_text(response)
        assert "Nothing was saved" in _page_text(response)
    assert _rows() == before


def test_too_many_fields_is_400_on_the_api_and_on_the_page(
    api, login, lo_ro: Officer, settings
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    before = _rows()
    message = TOO_MANY_FIELDS.format(limit=5)
    body, content_type = multipart(_api_send_fields(), [])

    urlencoded = api(lo_ro).post(
        f"{API}exchanges/", urlencode(_api_send_fields()), content_type=URLENCODED
    )
    in_multipart = api(lo_ro).post(f"{API}exchanges/", body, content_type=content_type)
    page = login(lo_ro).post(COMPOSE, dict(_compose_fields()))

    for response in (urlencoded, in_multipart):
        assert response.status_code == 400
        assert response.json() == {"errors": {"non_field_errors": [message]}}
    assert page.status_code == 400
    assert message in _page_text(page)
    assert _rows() == before


def test_too_many_files_is_400_on_the_api_and_on_the_page(
    api, login, lo_ro: Officer, settings
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    before = _rows()
    message = TOO_MANY_FILES.format(limit=2)
    files = [("attachments", f"part-{n}.pdf".encode()) for n in range(3)]

    body, content_type = multipart(_api_send_fields(), files)
    response = api(lo_ro).post(f"{API}exchanges/", body, content_type=content_type)
    body, content_type = multipart(_compose_fields(), files)
    page = login(lo_ro).post(COMPOSE, body, content_type=content_type)

    assert response.status_code == 400
    assert response.json() == {"errors": {"non_field_errors": [message]}}
    assert page.status_code == 400
    assert message in _page_text(page)
    assert _rows() == before


# --- File names -----------------------------------------------------------------------------

# (raw bytes of the filename parameter, what the refusal says)
REFUSED_NAMES = [
    pytest.param(b'filename="r\xe9port.pdf"', "not valid UTF-8", id="latin-1"),
    pytest.param(b"filename*=UTF-8''r%E9port.pdf", "not valid UTF-8", id="rfc2231-not-utf8"),
    pytest.param(b'filename="rep\x00ort.pdf"', "U+0000", id="nul"),
    pytest.param(b'filename="report\x07.pdf"', "U+0007", id="control"),
    pytest.param(b'filename="invoice\xe2\x80\xaefdp.exe"', "U+202E", id="right-to-left-override"),
    pytest.param(b'filename="../"', "no file name", id="parent-folder"),
    pytest.param(b'filename=".."', "no file name", id="dot-dot"),
    pytest.param(b'filename="C:\\\\Temp\\\\"', "no file name", id="folder-only"),
    pytest.param(b'filename="' + b"a" * 300 + b'.pdf"', "longer than 255", id="too-long"),
]


@pytest.mark.parametrize(("parameter", "reason"), REFUSED_NAMES)
def test_an_api_send_with_a_file_of_unusable_name_is_400_naming_the_field(
    api, lo_ro: Officer, parameter: bytes, reason: str
) -> None:
    before = _rows()
    body, content_type = multipart(
        _api_send_fields(), [("attachments", b"")], disposition=parameter
    )

    response = api(lo_ro).post(f"{API}exchanges/", body, content_type=content_type)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["attachments"]
    assert reason in errors["attachments"][0]
    assert _rows() == before


@pytest.mark.parametrize(("parameter", "reason"), REFUSED_NAMES[:6])
def test_the_compose_page_refuses_a_file_of_unusable_name_and_saves_nothing(
    login, lo_ro: Officer, parameter: bytes, reason: str
) -> None:
    before = _rows()
    body, content_type = multipart(_compose_fields(), [("attachments", b"")], disposition=parameter)

    response = login(lo_ro).post(COMPOSE, body, content_type=content_type)

    assert response.status_code == 400
    text = _page_text(response)
    assert "attachments: " in text
    assert reason in text
    assert _rows() == before


def test_the_reply_page_refuses_a_file_of_unusable_name_and_saves_nothing(
    login, lo_ro: Officer, lo_bg: Officer
) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    before = _rows()
    body, content_type = multipart(
        [("subject", "Re: shipment"), ("body", "Scan attached.")],
        [("attachments", b"scan\xff.pdf")],
    )

    response = login(lo_bg).post(
        f"/exchanges/{exchange.reference}/reply/", body, content_type=content_type
    )

    assert response.status_code == 400
    assert "attachments: " in _page_text(response)
    assert "not valid UTF-8" in _page_text(response)
    assert _rows() == before


def test_the_api_reply_refuses_a_file_of_unusable_name(api, lo_ro: Officer, lo_bg: Officer) -> None:
    exchange = send(lo_ro, "Bulgarian Police")
    before = _rows()
    body, content_type = multipart(
        [("subject", "Re: shipment"), ("body", "Scan attached.")],
        [("attachments", b"../")],
    )

    response = api(lo_bg).post(
        f"{API}exchanges/{exchange.reference}/replies/", body, content_type=content_type
    )

    assert response.status_code == 400
    assert "no file name" in response.json()["errors"]["attachments"][0]
    assert _rows() == before


def test_a_meeting_with_a_file_of_unusable_name_is_refused_whole(
    api, lo_ro: Officer, lo_bg: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police")
    before = _rows()
    body, content_type = multipart(
        [("held_on", "2026-04-01"), ("place", "Sofia"), ("parties", "BG")],
        [("attachments", b"minutes\x00.pdf")],
    )

    response = api(lo_bg).post(
        f"{API}cases/{case.reference}/meetings/", body, content_type=content_type
    )

    assert response.status_code == 400
    assert "U+0000" in response.json()["errors"]["attachments"][0]
    assert _rows() == before


@pytest.mark.parametrize(
    ("parameter", "stored"),
    [
        pytest.param('filename="Raport ședință.pdf"'.encode(), "Raport ședință.pdf", id="utf-8"),
        pytest.param(
            b"filename*=UTF-8''%D0%9E%D1%82%D1%87%D0%B5%D1%82.pdf", "Отчет.pdf", id="rfc2231"
        ),
        pytest.param(
            b'filename="C:\\\\Users\\\\lo\\\\report.pdf"', "report.pdf", id="windows-path"
        ),
    ],
)
def test_a_file_of_usable_name_is_stored_under_that_name(
    api, lo_ro: Officer, parameter: bytes, stored: str
) -> None:
    body, content_type = multipart(
        _api_send_fields(), [("attachments", b"")], disposition=parameter
    )

    response = api(lo_ro).post(f"{API}exchanges/", body, content_type=content_type)

    assert response.status_code == 201, response.json()
    exchange = Exchange.objects.get(reference=response.json()["reference"])
    assert [a.filename for a in exchange.attachments.all()] == [stored]
    assert exchange.entities.count() == 1


def test_an_empty_file_input_sends_no_file_and_is_no_refusal(login, lo_ro: Officer) -> None:
    # What a browser sends for a file input left empty: filename="" (its bytes do not matter).
    body, content_type = multipart(
        _compose_fields(), [("attachments", b"")], disposition=b'filename=""'
    )

    response = login(lo_ro).post(COMPOSE, body, content_type=content_type)

    assert response.status_code == 302
    assert Exchange.objects.filter(sender_agency=lo_ro.agency).latest("pk").attachments.count() == 0


# --- The header repair, read in any pieces ---------------------------------------------------


class _Trickle(io.BytesIO):
    """A stream that gives at most the next of ``sizes`` bytes per read, as a socket may."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        super().__init__(data)
        self._sizes = sizes or [len(data) or 1]
        self._reads = 0

    def read(self, size: int | None = -1, /) -> bytes:
        step = self._sizes[self._reads % len(self._sizes)]
        self._reads += 1
        return super().read(step if size is None or size < 0 else min(size, step))


_header = st.binary(max_size=60).filter(lambda b: b"\r" not in b and b"\n" not in b)
_content = st.binary(max_size=200)


@given(
    parts=st.lists(st.tuples(_header, _content), max_size=4),
    sizes=st.lists(st.integers(min_value=1, max_value=40), max_size=5),
    read_size=st.integers(min_value=1, max_value=100),
)
def test_only_the_header_blocks_change_whatever_the_pieces_the_body_comes_in(
    parts: list[tuple[bytes, bytes]], sizes: list[int], read_size: int
) -> None:
    delimiter = b"--" + BOUNDARY
    for header, content in parts:
        assume(delimiter not in header + content)
    sent = b"".join(delimiter + b"\r\n" + h + b"\r\n\r\n" + c + b"\r\n" for h, c in parts)
    sent += delimiter + b"--\r\n"
    expected = b"".join(
        delimiter + b"\r\n" + h.decode("utf-8", "replace").encode() + b"\r\n\r\n" + c + b"\r\n"
        for h, c in parts
    )
    expected += delimiter + b"--\r\n"

    stream = _PartHeadersAsText(_Trickle(sent, sizes), BOUNDARY)
    received = b""
    while chunk := stream.read(read_size):
        received += chunk

    assert received == expected
