"""gunicorn's settings for the web container (docker/entrypoint.sh starts it with this file)."""

import os

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY") or 3)
accesslog = "-"

# Who may say that a request came over HTTPS (X-Forwarded-Proto and the like): the TLS proxy
# in front of us, named by its addresses (comma-separated; CIDR networks from gunicorn 24.1).
# Anyone else who reaches port 8000 directly is not believed. The default is gunicorn's own,
# the loopback addresses: no proxy outside the container is trusted until it is named. Never
# "*": it would let every client that reaches gunicorn claim HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
