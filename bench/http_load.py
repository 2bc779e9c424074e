"""The HTTP part of the benchmark: the application served by gunicorn as the web container runs
it, loaded by concurrent officers reading their inbox and sending exchanges.

``http_figures`` measures three scenarios against a database that already holds the demo
personas (``seed_demo --personas-only``) and whatever exchanges the benchmark generated:

- ``http_inbox``: GET /exchanges/ by an officer of the busiest agency (lo.ro) and by the
  National Focal Point of the same country (nfp.ro), in turn;
- ``http_send``: exchanges sent through the compose form;
- ``http_mixed``: ``MIXED_SENDERS`` clients sending while the others read the inbox.

Four processes take part, none of them the caller's: a short Django process that prepares
the officers' sessions in the measured database (``python -m bench.http_load prepare``),
gunicorn with ``docker/gunicorn.conf.py``, a Celery worker as the worker container runs it,
and the load generator (``bench.load_client``), so that the figures are those of a server
reading committed data from its own connections, and the caller's process (a test's
transaction, the benchmark's own connection) plays no part.

The worker takes what the requests queue after their commits (the audit seal, hit matching,
the mail relay) from a Redis of the run's own (database 15 of the configured or local Redis,
under a key prefix of the run, deleted at the end), on the same cores as the server, as in the
deployment. Without a reachable Redis those tasks run in the requests instead (the
configuration without a broker), and the figures say so (``worker_processes`` 0).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings

from bench.load_client import INBOX_PATH, cookie_header

if TYPE_CHECKING:
    from bench.queueing import Broker

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = BASE_DIR / "docker" / "gunicorn.conf.py"
WSGI_APPLICATION = "selec.wsgi:application"

# Whose inbox is read: an officer of the agency the benchmark loads most and the National Focal
# Point of that country, whose inbox is the whole country's.
AGENCY_READER = "lo.ro"
NFP_READER = "nfp.ro"
# Who sends, in turn by client: two liaison officers of member states, so that two parties'
# reference sequences and two sets of recipients are exercised.
SENDERS = ("lo.ro", "lo.bg")
RECIPIENTS_PER_SEND = 3
# In the mixed scenario: this many clients send, the others read (at least one reads).
MIXED_SENDERS = 8
# Requests made during the first seconds of each scenario are not counted: gunicorn's workers
# compile templates and open their first database connections then.
WARMUP_SECONDS = 2.0
HEALTH_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 45.0
SERVER_HOST = "127.0.0.1"

Figures = dict[str, float]


def http_figures(*, database_name: str, seconds: int, clients: int) -> dict[str, Figures]:
    """Serve ``database_name`` with gunicorn and measure the inbox, sends, and both at once,
    each for ``seconds`` with ``clients`` concurrent officers. The server is stopped whatever
    happens.

    Each scenario gives ``requests`` (made while measuring), ``errors`` (answers other than the
    expected one: an inbox not 200, a send not redirected to its new thread; and connections
    that failed), ``requests_per_s`` (answered as expected) and the latencies ``p50_ms`` and
    ``p95_ms`` of those; the mixed one also the sends' rate and p95 and the inbox's rate."""
    if clients < 2:
        raise ValueError("The mixed scenario needs at least 2 clients (one sends, one reads).")
    # Imported here: the preparing process imports this module before django.setup().
    from bench.queueing import private_broker

    with (
        tempfile.TemporaryDirectory(prefix="selec-http-bench-") as workdir,
        private_broker("http-") as broker,
    ):
        environment = server_environment(database_name, Path(workdir), broker)
        sessions = prepared_sessions(environment, Path(workdir) / "sessions.json", clients=clients)
        with (
            running_worker(environment, Path(workdir) / "worker.log", broker) as workers,
            running_gunicorn(environment, Path(workdir) / "gunicorn.log") as port,
        ):
            check_session_accepted(port, sessions["sessions"][0]["agency_cookies"])
            scenario = ScenarioRunner(port, sessions, seconds=seconds, clients=clients)
            inbox = scenario.run("inbox", senders=0)
            send = scenario.run("send", senders=clients)
            mixed = scenario.run("mixed", senders=min(MIXED_SENDERS, clients - 1))
    served = {"worker_processes": float(workers)}
    return {
        "http_inbox": inbox["all"] | served,
        "http_send": send["all"] | served,
        "http_mixed": {
            **mixed["all"],
            "send_p95_ms": mixed["send"]["p95_ms"],
            "send_per_s": mixed["send"]["requests_per_s"],
            "inbox_per_s": mixed["inbox"]["requests_per_s"],
        }
        | served,
    }


# --- The tasks' broker and worker -----------------------------------------------------------


def worker_command() -> list[str]:
    """The worker container's command (docker/entrypoint.sh), with as many processes as it has
    by default (one per core)."""
    return [
        *(sys.executable, "-m", "celery", "-A", "selec", "worker"),
        *("--loglevel", "INFO", "--hostname", f"bench-{uuid.uuid4().hex[:8]}@%h"),
    ]


@contextmanager
def running_worker(
    environment: dict[str, str], log_path: Path, broker: Broker | None
) -> Iterator[int]:
    """A Celery worker of the measured database consuming the run's broker, ready (it said so
    in its log); yields its number of processes, 0 without a broker (nothing to run)."""
    if broker is None:
        yield 0
        return

    def ready() -> bool:
        return " ready." in log_path.read_text(errors="replace")

    with running_process(worker_command(), environment, log_path, ready, name="celery worker"):
        yield os.cpu_count() or 1
        # What the last requests queued is done before the worker stops (and the run's keys
        # go): the run leaves no exchange unmatched and no audit event unsealed.
        wait_until_drained(broker)


# Celery's default queue, and the hash of the messages a worker took and has not acknowledged
# (kombu's Redis transport), under the run's prefix.
_WORK_KEYS = ("celery", "unacked")


def wait_until_drained(broker: Broker, timeout: float = 60.0) -> None:
    client = redis.Redis.from_url(broker.url, socket_connect_timeout=1, socket_timeout=5)
    try:
        deadline = time.monotonic() + timeout
        while client.exists(*(broker.key_prefix + key for key in _WORK_KEYS)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"The worker left tasks queued after {timeout:g} s.")
            time.sleep(0.1)
    finally:
        client.close()


# --- The server's environment -----------------------------------------------------------------


def server_mode() -> str:
    """The caller's mode, except production: production redirects plain HTTP to HTTPS and
    marks its cookies Secure, so a local client over HTTP could not keep a session. The
    development mode serves HTTP; the test mode too, and it is kept when the caller runs in it."""
    mode = str(settings.SELEC_ENV)
    return "development" if mode == "production" else mode


def database_url(database_name: str) -> str:
    """DATABASE_URL for ``database_name`` on the server and with the credentials of the
    caller's default database (a socket directory as host is percent-encoded, as
    django-environ reads it)."""
    default = settings.DATABASES["default"]
    user = urllib.parse.quote(str(default.get("USER") or ""), safe="")
    password = urllib.parse.quote(str(default.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = urllib.parse.quote(str(default.get("HOST") or ""), safe="")
    port = f":{default['PORT']}" if default.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{urllib.parse.quote(database_name, safe='')}"


def server_environment(database_name: str, workdir: Path, broker: Broker | None) -> dict[str, str]:
    """The caller's environment (so the same keys) pointed at ``database_name`` and at the
    run's broker, in a mode that serves plain HTTP on the loopback address."""
    environment = {k: v for k, v in os.environ.items() if k != "EMAIL_URL_FILE"}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "selec.settings",
            "SELEC_ENV": server_mode(),
            "DATABASE_URL": database_url(database_name),
            "ALLOWED_HOSTS": SERVER_HOST,
            # Debug pages and the list of every query they keep would be measured too.
            "DEBUG": "false",
            # The run's broker, which only the run's worker consumes (never a worker of
            # another database); without one the tasks run in the requests.
            "CELERY_BROKER_URL": broker.url if broker else "",
            "CELERY_BROKER_KEY_PREFIX": broker.key_prefix if broker else "",
            # The mail relay runs (in the worker, see above) but hands its messages to a
            # backend that drops them: a benchmark must never mail the personas' addresses
            # through a real relay, nor fill the log with console copies of every notice.
            "EMAIL_URL": "dummymail://",
            # Production appends every committed audit head to the anchor file: so do we, in a
            # file that goes away with the run.
            "AUDIT_ANCHOR_PATH": str(workdir / "audit-anchor.log"),
        }
    )
    return environment


# --- Sessions of the officers (prepared in a process of their own) ---------------------------
# The functions below import the application's modules where they run: the preparing process
# imports this module before django.setup(), and the caller needs none of them.


def prepared_sessions(environment: dict[str, str], output: Path, *, clients: int) -> dict[str, Any]:
    """Verified sessions for every client, created in the measured database by a Django process
    with the server's environment (so with its database and session keys), passed back through
    ``output`` (in the run's private directory: it holds session keys)."""
    # This interpreter and fixed arguments: nothing here comes from outside.
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.http_load", "prepare", str(clients), str(output)],
        env=environment,
        cwd=BASE_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads(output.read_text())


def password_backend() -> str:
    """The authentication backend a password login records in the session: the first one
    configured that checks passwords (a model backend). A session naming a backend that is not
    configured is treated as logged out."""
    from django.contrib.auth import load_backend
    from django.contrib.auth.backends import ModelBackend

    for path in settings.AUTHENTICATION_BACKENDS:
        if isinstance(load_backend(path), ModelBackend):
            return str(path)
    raise RuntimeError("No model backend in AUTHENTICATION_BACKENDS: officers cannot log in.")


def verified_session_key(officer: Any) -> str:
    """A session of ``officer`` as the login leaves it after the password and the TOTP step
    (what tests.helpers.verified_client does): logged in by the password backend, with the
    officer's confirmed authenticator as the session's verified device."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    device = next(iter(devices_for_user(officer, confirmed=True)))
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = officer._meta.pk.value_to_string(officer)
    session[BACKEND_SESSION_KEY] = password_backend()
    session[HASH_SESSION_KEY] = officer.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return str(session.session_key)


def recipient_agency_ids(officer: Any) -> list[int]:
    """Agencies ``officer`` may send personal data to, one per other party (NFPs last): the
    first ``RECIPIENTS_PER_SEND`` of them."""
    from exchanges import policy
    from exchanges.audience import addressable_agencies, sender_agency
    from exchanges.facts import agency_facts

    sender = sender_agency(officer)
    chosen: dict[int, int] = {}
    for agency in addressable_agencies(sender).order_by("is_national_focal_point", "party__name"):
        if agency.party_id == sender.party_id or agency.party_id in chosen:
            continue
        if policy.may_hold(agency_facts(agency), personal_data=True):
            chosen[agency.party_id] = agency.pk
    ids = list(chosen.values())[:RECIPIENTS_PER_SEND]
    if len(ids) < RECIPIENTS_PER_SEND:
        raise RuntimeError(f"{officer.username} has fewer than {RECIPIENTS_PER_SEND} recipients.")
    return ids


def entity_management_fields() -> list[list[str]]:
    """The management fields of every entity formset, as the compose page renders them."""
    from exchanges.forms_entities import entity_sections

    fields = []
    for section in entity_sections():
        management = section.formset.management_form
        for name in management.fields:
            fields.append([management.add_prefix(name), str(management.initial.get(name, ""))])
    return fields


def send_form_template(officer: Any) -> list[list[str]]:
    """The compose form as an officer fills it for a request with a person and a vehicle (so
    personal data, with the evaluation codes it needs) to three agencies. ``{n}`` is replaced
    by the load client with a value of its own for each send. The attachment is added there.

    The compose page, not the REST API: officers send from their browsers, through this form
    (its CSRF token, its multipart upload, its redirect to the new thread). The API is the way
    in of national systems' machine accounts, and it is throttled per token (API_THROTTLE_RATE,
    120 a minute by default): tens of sends a second would measure the throttle."""
    from exchanges.models import ExchangeKind, Priority
    from taskforces.models import CrimeArea

    fields = [
        ["kind", ExchangeKind.REQUEST.value],
        ["case", ""],
        ["crime_area", str(CrimeArea.objects.get(code="drugs").pk)],
        ["task_force", ""],
        ["priority", Priority.ROUTINE.value],
        ["subject", "Cocaine shipment via Constanța, lead {n}"],
        ["body", "Container expected at the port next week; please check the consignee {n}."],
        ["personal_data", "on"],
        ["source_reliability", "B"],
        ["information_accuracy", "2"],
        ["h3_text", ""],
    ]
    fields += [["recipients", str(pk)] for pk in recipient_agency_ids(officer)]
    fields += entity_management_fields()
    fields += [["person-0-names", "Ion Benchmark {n}"], ["vehicle-0-plate", "B {n}"]]
    return fields


def client_sessions(clients: int) -> list[dict[str, Any]]:
    """For each client: a session of the agency's reader, one of the NFP, one of a sender and
    the sender's compose form. Every client has sessions of its own, as officers at their own
    browsers do."""
    from partners.models import Officer

    officers = {o.username: o for o in Officer.objects.filter(username__in=usernames_needed())}
    forms = {username: send_form_template(officers[username]) for username in SENDERS}
    cookie = settings.SESSION_COOKIE_NAME
    sessions = []
    for number in range(clients):
        sender = SENDERS[number % len(SENDERS)]
        sessions.append(
            {
                "agency_cookies": {cookie: verified_session_key(officers[AGENCY_READER])},
                "nfp_cookies": {cookie: verified_session_key(officers[NFP_READER])},
                "sender_cookies": {cookie: verified_session_key(officers[sender])},
                "send_form": forms[sender],
            }
        )
    return sessions


def usernames_needed() -> set[str]:
    return {AGENCY_READER, NFP_READER, *SENDERS}


def prepare(clients: int, output: Path) -> None:
    """Entry point of the preparing process: write the clients' sessions to ``output``."""
    import django

    django.setup()
    output.write_text(
        json.dumps(
            {"sessions": client_sessions(clients), "csrf_cookie_name": settings.CSRF_COOKIE_NAME}
        )
    )


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((SERVER_HOST, 0))
        return int(probe.getsockname()[1])


def gunicorn_command(port: int) -> list[str]:
    """The container's command (docker/entrypoint.sh) bound to a local port instead of
    0.0.0.0:8000; workers and threads come from the settings file, as in the container."""
    return [
        *(sys.executable, "-m", "gunicorn", WSGI_APPLICATION),
        *("--config", str(GUNICORN_CONFIG)),
        *("--bind", f"{SERVER_HOST}:{port}"),
    ]


def healthz_status(port: int) -> int | None:
    connection = http.client.HTTPConnection(SERVER_HOST, port, timeout=5)
    try:
        connection.request("GET", "/healthz", headers={"Host": SERVER_HOST})
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def check_session_accepted(port: int, cookies: dict[str, str]) -> None:
    """One inbox read before measuring: a session the server does not take (a change in how
    logins are recorded) would otherwise show as nothing but errors."""
    connection = http.client.HTTPConnection(SERVER_HOST, port, timeout=60)
    try:
        headers = {"Host": SERVER_HOST, "Cookie": cookie_header(cookies)}
        connection.request("GET", INBOX_PATH, headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        location = response.getheader("Location", "")
        raise RuntimeError(
            f"The prepared session was refused: {INBOX_PATH} answered {response.status} {location}"
        )


def log_tail(log_path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_ready(
    process: subprocess.Popen[bytes], log_path: Path, ready: Callable[[], bool], name: str
) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited ({process.returncode}):\n{log_tail(log_path)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} not ready in time:\n{log_tail(log_path)}")
        time.sleep(0.2)


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's and Celery's graceful stop), then SIGKILL to the group it leads if
    it hangs."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, 9)
        server.wait()


@contextmanager
def running_process(
    command: list[str],
    environment: dict[str, str],
    log_path: Path,
    ready: Callable[[], bool],
    *,
    name: str,
) -> Iterator[None]:
    """``command`` running until the block ends, once ``ready()``; stopped whatever happens."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            command,
            env=environment,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so that a hung master and its workers can be killed
            # together (and only they).
            start_new_session=True,
        )
        try:
            wait_until_ready(process, log_path, ready, name)
            yield
        finally:
            stop(process)


@contextmanager
def running_gunicorn(environment: dict[str, str], log_path: Path) -> Iterator[int]:
    """gunicorn serving the application on a free loopback port, healthy (/healthz answers
    200, as the container's health check asks); stopped on exit."""
    port = free_port()
    with running_process(
        gunicorn_command(port),
        environment,
        log_path,
        lambda: healthz_status(port) == 200,
        name="gunicorn",
    ):
        yield port


# --- Scenarios ----------------------------------------------------------------------------------


class ScenarioRunner:
    """Runs the load generator against the server, one scenario at a time."""

    def __init__(self, port: int, prepared: dict[str, Any], *, seconds: int, clients: int) -> None:
        self.port = port
        self.prepared = prepared
        self.seconds = seconds
        self.clients = clients

    def run(self, name: str, *, senders: int) -> dict[str, Figures]:
        """Figures of every request of the scenario ("all"), and of its sends and inbox reads."""
        scenario = {
            "port": self.port,
            "host": SERVER_HOST,
            "clients": self.clients,
            "senders": senders,
            "seconds": self.seconds,
            "warmup_seconds": WARMUP_SECONDS,
            # Part of every subject and entity, so that no two runs send the same entity.
            "run": f"{name}{int(time.time())}",
            **self.prepared,
        }
        finished = subprocess.run(
            [sys.executable, "-m", "bench.load_client"],
            input=json.dumps(scenario).encode(),
            cwd=BASE_DIR,
            capture_output=True,
            check=False,
        )
        if finished.returncode != 0:
            raise RuntimeError(f"load client failed:\n{finished.stderr.decode()[-4000:]}")
        if finished.stderr:
            # What went wrong with the requests counted as errors, for whoever reads the run.
            sys.stderr.write(finished.stderr.decode()[-4000:])
        return json.loads(finished.stdout)


def main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[0] == "prepare":
        prepare(int(argv[1]), Path(argv[2]))
    else:
        raise SystemExit("usage: python -m bench.http_load prepare CLIENTS OUTPUT")


if __name__ == "__main__":
    main(sys.argv[1:])
