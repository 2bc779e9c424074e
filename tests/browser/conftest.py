"""Browser tests drive Debian's Chromium through Playwright against a live server."""

from __future__ import annotations

import os
import shutil

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError(
            "Debian's chromium is required for the browser tests: `make chromium` installs it."
        )
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_FLAGS}


@pytest.fixture
def seeded_live_server(live_server, transactional_db):
    # A live server needs committed data, and the transactional database starts empty.
    call_command("seed_demo", "--personas-only", verbosity=0)
    return live_server
