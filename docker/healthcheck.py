"""The web container's health check: GET /readyz from inside the container, exit 0 on 200.

/readyz is readiness (database, broker, a worker's recent heartbeat, the outbox's age); /healthz
only says that the process answers. A web node whose database or broker is gone is unhealthy,
and says so in `docker compose ps`, though its process still answers.

The request goes to gunicorn on 127.0.0.1 but names a host the settings allow (the first of
ALLOWED_HOSTS, the variable the application reads), so it passes through the same host check,
security middleware and URL routing as a real request. The alternatives were weaker: adding
127.0.0.1 to ALLOWED_HOSTS would let any client that reaches gunicorn directly pass the host
check with it, and a middleware answering before the host check would prove less.

Production redirects plain HTTP to HTTPS (SECURE_SSL_REDIRECT), and a redirect is a failure
here (http.client does not follow one). Two things keep the check off the redirect: the
settings exempt /readyz and /healthz from it, and the request says it came over HTTPS
(X-Forwarded-Proto), which gunicorn believes only from the addresses in FORWARDED_ALLOW_IPS:
docker-compose.yml names 127.0.0.1 there beside the proxy, an address only processes inside
this container can send from. Either alone suffices; from anywhere else the header is ignored.
"""

from __future__ import annotations

import http.client
import os
import sys

PATH = "/readyz"
PORT = 8000
TIMEOUT_SECONDS = 5


def host_header(allowed_hosts: list[str]) -> str:
    """A Host the application accepts, from its ALLOWED_HOSTS patterns."""
    if not allowed_hosts:
        raise SystemExit("ALLOWED_HOSTS is empty: the application would refuse every host.")
    first = allowed_hosts[0]
    if first == "*":
        return "localhost"
    # ".example.org" allows example.org and every subdomain.
    return first.removeprefix(".")


def request_headers(allowed_hosts: list[str]) -> dict[str, str]:
    """The headers of the check's request: an allowed Host, and HTTPS as the proxy says it."""
    return {"Host": host_header(allowed_hosts), "X-Forwarded-Proto": "https"}


def allowed_hosts_from_environment() -> list[str]:
    # Comma-separated, as the settings read it.
    return [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]


def check(port: int = PORT) -> int:
    """0 when the application answers 200 on ``PATH``, else 1 with the reason on stderr."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("GET", PATH, headers=request_headers(allowed_hosts_from_environment()))
        response = connection.getresponse()
        status, body = response.status, response.read(2000)
    except OSError as error:
        print(f"{PATH} unreachable: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        # The body names the failing dependency (docker inspect shows the check's output).
        print(f"{PATH} answered {status}: {body.decode(errors='replace')}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(check(int(sys.argv[1]) if len(sys.argv) > 1 else PORT))
