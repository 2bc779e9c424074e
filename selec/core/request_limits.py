"""What the server accepts of a request body, and how it says no.

- A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413, naming the limit; more fields than
  ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` or files than ``DATA_UPLOAD_MAX_NUMBER_FILES`` is 400. The
  API answers in its JSON shape (``selec.core.api_errors``); pages get a page saying what to do,
  from :class:`RequestLimitsMiddleware`, instead of Django's bare "Bad Request (400)".
- JSON nested too deep is 400 (``selec.core.api_parsers``).
- A multipart part is never dropped unseen. Django's parser skips a part whose header is not
  UTF-8, and one whose file name is empty once sanitised; it also strips control characters from
  names. Either way a send would succeed without its file. :class:`StrictUploadHandler`, put
  first on every request (pages and API) by the middleware, parses instead: such a file is
  refused by the rule on file names (``selec.core.files.filename_problem``, which the services that
  store files apply too), and with it the whole request, 400 naming the field and the reason.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParser
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from selec.core.access import is_api_view
from selec.core.files import base_name, filename_problem, shown_filename

# A part's header block longer than this is no header block (Django's parser allows 1 KiB).
_MAX_PART_HEADER_BYTES = 8 * 1024
_READ_SIZE = 64 * 1024

# Translated where they are answered (refusal_of); {limit} is a number.
TOO_MANY_FIELDS = gettext_noop(
    "The request has more than {limit} fields: send fewer entities or values at once."
)
TOO_MANY_FILES = gettext_noop("The request has more than {limit} files: send fewer files at once.")


def too_large_message() -> str:
    # filesizeformat joins number and unit with a no-break space: plain text for API clients.
    limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
    # Translators: %(limit)s is a size with its unit ("9.8 KB"), %(max_mb)s a number of MB.
    return _(
        "The request is larger than the %(limit)s the server accepts (each attachment may be up "
        "to %(max_mb)s MB): send less text or fewer files at once."
    ) % {"limit": limit, "max_mb": settings.MAX_ATTACHMENT_MB}


# What Django raises, while reading a body, for one over its limits.
BODY_REFUSALS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def refusal_of(exc: RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent) -> tuple[int, str]:
    """(status, message) for a body over one of the limits."""
    if isinstance(exc, RequestDataTooBig):
        return 413, too_large_message()
    if isinstance(exc, TooManyFieldsSent):
        return 400, _(TOO_MANY_FIELDS).format(limit=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
    return 400, _(TOO_MANY_FILES).format(limit=settings.DATA_UPLOAD_MAX_NUMBER_FILES)


# --- Multipart ------------------------------------------------------------------------------


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _PartHeadersAsText:
    """The multipart body as sent, except that in each part's header block the bytes that are
    not UTF-8 become U+FFFD. Django's parser skips a header line it cannot decode; a part that
    loses its Content-Disposition so is dropped without a trace. Decodable, the header reaches
    the parser, and the file name it carries shows where its bytes were not UTF-8."""

    def __init__(self, stream: _Readable, boundary: bytes) -> None:
        self._stream = stream
        self._delimiter = b"--" + boundary
        self._held = b""  # read but not yet passed on: a delimiter or header block cut by a read
        self._ready = b""
        self._exhausted = False

    def read(self, size: int = -1, /) -> bytes:
        while not self._ready and not self._exhausted:
            chunk = self._stream.read(_READ_SIZE)
            self._exhausted = not chunk
            self._ready, self._held = self._repaired(self._held + chunk, final=self._exhausted)
        if size is None or size < 0:
            size = len(self._ready)
        given, self._ready = self._ready[:size], self._ready[size:]
        return given

    def _repaired(self, data: bytes, *, final: bool) -> tuple[bytes, bytes]:
        """(the bytes that can be passed on, those to hold until the next read)."""
        out: list[bytes] = []
        position = 0
        while (found := data.find(self._delimiter, position)) >= 0:
            headers_start = found + len(self._delimiter)
            headers_end = data.find(b"\r\n\r\n", headers_start)
            if 0 <= headers_end <= headers_start + _MAX_PART_HEADER_BYTES:
                out += [
                    data[position:headers_start],
                    data[headers_start:headers_end].decode("utf-8", "replace").encode(),
                ]
                position = headers_end
            elif not final and len(data) <= headers_start + _MAX_PART_HEADER_BYTES:
                # The header block may end in the next read.
                out.append(data[position:found])
                return b"".join(out), data[found:]
            else:
                # No header block (the closing delimiter), or one too long for Django's parser,
                # which refuses it: passed on as it is.
                out.append(data[position:headers_start])
                position = headers_start
        # A delimiter may begin in the last bytes and end in the next read.
        keep = 0 if final else min(len(data) - position, len(self._delimiter) - 1)
        out.append(data[position : len(data) - keep])
        return b"".join(out), data[len(data) - keep :]


class UploadRefused(ValidationError):
    """A file of a multipart body refused for its name, before the view sees the body: the
    request is refused whole, naming the file's field and what is wrong."""


class _StrictMultiPartParser(MultiPartParser):
    def sanitize_file_name(self, file_name: str) -> str | None:
        # As Django's: entities decoded (old browsers sent them for characters outside the
        # form's charset) and the folders in front of the name dropped. But a name that Django
        # would alter or drop goes on as it came, to be refused by _FileNameCheck.
        name = html.unescape(file_name)
        return base_name(name) if filename_problem(base_name(name)) is None else name


class _FileNameCheck(FileUploadHandler):
    """First of the handlers a file goes through: refuses it by its name, with its field."""

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        problem = filename_problem(file_name)
        if problem is not None:
            # Translators: a file's name, then why it is refused.
            message = _("%(file)s: %(problem)s.") % {
                "file": shown_filename(file_name),
                "problem": problem,
            }
            raise UploadRefused({field_name: [message]})

    # The file's bytes go on to the next handler (memory, or a temporary file), which keeps them.
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class StrictUploadHandler(FileUploadHandler):
    """Parses a multipart body with :class:`_StrictMultiPartParser`, its files checked by
    :class:`_FileNameCheck` and then kept by the request's other upload handlers, as Django
    would have kept them."""

    # Always made with its request (use_strict_upload_handler, or Django from the settings).
    request: HttpRequest

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)

    # Django's parser passes the boundary as bytes (it encodes it); the stubs say str.
    def handle_raw_input(  # type: ignore[override]
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict]:
        others = [h for h in self.request.upload_handlers if h is not self]
        parser = _StrictMultiPartParser(
            META,
            # The parser only reads its input; the stubs ask for a whole IO[bytes].
            _PartHeadersAsText(input_data, boundary),  # type: ignore[arg-type]
            [_FileNameCheck(self.request), *others],
            encoding,
        )
        return parser.parse()

    # handle_raw_input parses the whole body: no chunk ever comes to this handler.
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def use_strict_upload_handler(request: HttpRequest) -> None:
    """Put the strict handler first, before the body is read (Django's documented way of
    changing a request's upload handlers)."""
    if not any(isinstance(h, StrictUploadHandler) for h in request.upload_handlers):
        # Once the body is parsed the handlers are an ImmutableList, whose insert() refuses
        # with Django's message; the stubs leave that insert() out.
        request.upload_handlers.insert(0, StrictUploadHandler(request))  # type: ignore[union-attr]


# --- Pages ----------------------------------------------------------------------------------


class RequestLimitsMiddleware:
    """Puts the strict upload handler first on every request, and reads a page's form body
    before any other middleware does (CSRF), so that a body over a limit gets this page rather
    than Django's bare 400. API views read their body themselves, after authenticating the
    caller, and answer in JSON (``selec.core.api_errors``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        use_strict_upload_handler(request)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if request.method != "POST" or is_api_view(request, view_func):
            return None
        try:
            request.POST  # noqa: B018 (parses the form body, and its files, once)
        except BODY_REFUSALS as exc:
            status, reason = refusal_of(exc)
            reasons = [reason]
        except UploadRefused as exc:
            status = 400
            reasons = [f"{field}: {m}" for field, ms in exc.message_dict.items() for m in ms]
        else:
            return None
        # As Django does on these errors: nothing later may try to read the body again.
        request._mark_post_parse_error()  # type: ignore[attr-defined]
        return render(request, "request_refused.html", {"reasons": reasons}, status=status)
