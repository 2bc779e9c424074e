"""Uploaded files: accepted only when non-empty, within the size limit, of an allowed type, and
when the bytes are what the declared type says."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from selec.core.files import FileRefused, check_attachment, filename_problem, shown_filename


def minimal_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def minimal_png() -> bytes:
    """A valid 1x1 white RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB, no interlace
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte, then one white pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def minimal_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("statement.txt", "Witness statement, 12 March.")
    return buffer.getvalue()


WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(100)


@pytest.mark.parametrize(
    ("filename", "declared_type", "content"),
    [
        ("report.pdf", "application/pdf", minimal_pdf()),
        ("photo.png", "image/png", minimal_png()),
        ("bundle.zip", "application/zip", minimal_zip()),
    ],
    ids=["pdf", "png", "zip"],
)
def test_a_file_whose_bytes_match_its_declared_type_is_accepted(
    filename: str, declared_type: str, content: bytes
) -> None:
    assert check_attachment(filename=filename, declared_type=declared_type, content=content) == (
        declared_type
    )


def test_an_office_document_sniffed_only_as_zip_is_accepted_as_declared() -> None:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    assert check_attachment(filename="note.docx", declared_type=docx, content=minimal_zip()) == docx


@pytest.mark.parametrize(
    ("declared_type", "content", "recorded"),
    [
        ("text/plain", "Plate B-123-XYZ seen at Giurgiu — 03:40.\n".encode(), "text/plain"),
        ("text/csv", "name,born\nIon Popescu,1980-04-02\nȘtefan,1975\n".encode(), "text/csv"),
        ("Text/CSV; charset=utf-8", b"a,b\n1,2\n", "text/csv"),
    ],
    ids=["plain", "csv", "csv with parameters"],
)
def test_utf8_text_is_accepted_with_its_declared_type(
    declared_type: str, content: bytes, recorded: str
) -> None:
    assert check_attachment(filename="notes", declared_type=declared_type, content=content) == (
        recorded
    )


def test_an_executable_declared_as_pdf_is_refused_naming_both_types() -> None:
    with pytest.raises(FileRefused) as refused:
        check_attachment(
            filename="invoice.pdf", declared_type="application/pdf", content=WINDOWS_EXECUTABLE
        )

    message = str(refused.value)
    assert "invoice.pdf" in message
    assert "application/pdf" in message
    assert "application/x-msdownload" in message


def test_an_image_declared_as_pdf_is_refused() -> None:
    with pytest.raises(
        FileRefused, match=r"declared as application/pdf, but the content is image/png"
    ):
        check_attachment(
            filename="scan.pdf", declared_type="application/pdf", content=minimal_png()
        )


def test_unrecognisable_bytes_declared_as_pdf_are_refused() -> None:
    with pytest.raises(FileRefused, match="unrecognised"):
        check_attachment(
            filename="scan.pdf", declared_type="application/pdf", content=b"\x01\x02\x03" * 50
        )


@pytest.mark.parametrize(
    "content",
    [minimal_png(), WINDOWS_EXECUTABLE, b"looks like text\x00but has a NUL"],
    ids=["png", "executable", "nul byte"],
)
def test_binary_declared_as_text_is_refused(content: bytes) -> None:
    with pytest.raises(FileRefused, match="declared as text/plain, but the content is binary"):
        check_attachment(filename="notes.txt", declared_type="text/plain", content=content)


def test_text_that_is_not_utf8_is_refused() -> None:
    latin1 = "Müller, café, Braşov".encode("cp1250")

    with pytest.raises(FileRefused, match="not UTF-8"):
        check_attachment(filename="names.csv", declared_type="text/csv", content=latin1)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(FileRefused, match=r"empty\.txt: the file is empty"):
        check_attachment(filename="empty.txt", declared_type="text/plain", content=b"")


def test_a_file_over_the_size_limit_is_refused(settings) -> None:
    settings.MAX_ATTACHMENT_MB = 1
    one_megabyte = 1024 * 1024

    with pytest.raises(FileRefused, match="larger than the 1 MB limit"):
        check_attachment(
            filename="big.txt", declared_type="text/plain", content=b"a" * (one_megabyte + 1)
        )
    # Exactly at the limit is still accepted.
    at_the_limit = b"a" * one_megabyte
    assert check_attachment(
        filename="max.txt", declared_type="text/plain", content=at_the_limit
    ) == ("text/plain")


@pytest.mark.parametrize(
    ("declared_type", "named"),
    [
        ("application/x-msdownload", "application/x-msdownload"),
        ("text/html", "text/html"),
        ("", "unknown"),
    ],
    ids=["executable", "html", "no type"],
)
def test_a_type_that_is_not_allowed_is_refused(declared_type: str, named: str) -> None:
    with pytest.raises(FileRefused, match=f"files of type {named} are not accepted"):
        check_attachment(
            filename="tool.exe", declared_type=declared_type, content=WINDOWS_EXECUTABLE
        )


# --- File names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "says"),
    [
        ("r\ufffdport.pdf", "not valid UTF-8"),
        # What "surrogateescape" makes of a byte that is not UTF-8.
        (b"r\xe9port.pdf".decode("utf-8", "surrogateescape"), "not valid UTF-8"),
        ("rep\x00ort.pdf", "U+0000"),
        ("line\nbreak.pdf", "U+000A"),
        ("invoice\u202efdp.exe", "U+202E"),
        ("", "no file name"),
        ("   ", "no file name"),
        ("..", "no file name"),
        ("../", "no file name"),
        ("C:\\Temp\\", "no file name"),
        ("scans/report.pdf", "folder path"),
        ("a" * 252 + ".pdf", "longer than 255"),
    ],
)
def test_a_file_of_unusable_name_is_refused_naming_it_and_what_is_wrong(
    filename: str, says: str
) -> None:
    assert filename_problem(filename) is not None

    with pytest.raises(FileRefused) as refused:
        check_attachment(filename=filename, declared_type="application/pdf", content=minimal_pdf())

    message = str(refused.value)
    assert says in message
    assert message.startswith(f"{shown_filename(filename)}: ")
    # The message is safe to show and to encode: no control character, no lone surrogate.
    message.encode()
    assert "\x00" not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "filename", ["report.pdf", "Raport ședință 12.03.pdf", "Отчет №7.pdf", "a" * 251 + ".pdf"]
)
def test_a_usable_name_passes_whatever_its_script(filename: str) -> None:
    assert filename_problem(filename) is None
    check_attachment(filename=filename, declared_type="application/pdf", content=minimal_pdf())
