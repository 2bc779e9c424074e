"""The web container's health check: GET /healthz from inside the container, exit 0 on 200.

The request goes to gunicorn on 127.0.0.1 but names a host the settings allow (the first of
ALLOWED_HOSTS, the variable the application reads), so it passes through the same host check,
security middleware and URL routing as a real request. The alternatives were weaker: adding
127.0.0.1 to ALLOWED_HOSTS would let any client that reaches gunicorn directly pass the host
check with it, and a middleware answering /healthz before the host check would prove less.
Plain HTTP is fine: production exempts /healthz from the HTTPS redirect. A redirect or any
other answer is a failure (http.client does not follow redirects).
"""

from __future__ import annotations

import http.client
import os
import sys

PATH = "/healthz"
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


def allowed_hosts_from_environment() -> list[str]:
    # Comma-separated, as the settings read it.
    return [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]


def check(port: int = PORT) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(
            "GET", PATH, headers={"Host": host_header(allowed_hosts_from_environment())}
        )
        status = connection.getresponse().status
    except OSError as error:
        print(f"healthz unreachable: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"healthz answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(check(int(sys.argv[1]) if len(sys.argv) > 1 else PORT))
