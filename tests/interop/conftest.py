"""Fixtures: the sandbox to talk to (from the environment) and the two SDK families.

The sandbox is named the way ``ramkey sandbox`` prints it: ``RAMKEY_ENDPOINT``,
``ALIBABA_CLOUD_ACCESS_KEY_ID``, ``ALIBABA_CLOUD_ACCESS_KEY_SECRET``. Only a loopback
endpoint is accepted, so this suite can never reach a real account.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
import uuid

import pytest

sys.path.insert(0, os.path.dirname(__file__))

# Before any SDK module loads: no credential chain may probe the ECS metadata service.
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"

import sdk_current  # noqa: E402
import sdk_current_v3  # noqa: E402
import sdk_legacy  # noqa: E402
from api import Credentials  # noqa: E402

FAMILIES = [sdk_legacy, sdk_current, sdk_current_v3]


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(
            f"{name} is not set: start `ramkey sandbox` and export the lines it prints "
            "(tests/sdk_interop.rs does this for you)",
            returncode=2,
        )
    return value


@pytest.fixture(scope="session")
def endpoint() -> tuple[str, int]:
    url = urllib.parse.urlsplit(_required_env("RAMKEY_ENDPOINT"))
    if url.scheme != "http" or url.hostname != "127.0.0.1" or url.port is None:
        pytest.exit(f"refusing {url.geturl()}: only http://127.0.0.1:PORT is tested", returncode=2)
    return url.hostname, url.port


@pytest.fixture(scope="session")
def caller() -> Credentials:
    return Credentials(
        _required_env("ALIBABA_CLOUD_ACCESS_KEY_ID"),
        _required_env("ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
    )


@pytest.fixture(params=FAMILIES, ids=lambda family: family.NAME)
def family(request):
    return request.param


@pytest.fixture
def connect(family, endpoint):
    """Makes a client of the family under test for any credential."""
    host, port = endpoint
    return lambda credentials: family.Client(host, port, credentials)


@pytest.fixture
def admin(connect, caller):
    """A client signing with the sandbox's caller key."""
    return connect(caller)


@pytest.fixture
def unique_name(family):
    """Makes user names no earlier run (against a long-lived sandbox) has taken."""
    tag = {sdk_legacy: "legacy", sdk_current: "current", sdk_current_v3: "v3"}[family]
    return lambda purpose: f"interop-{tag}-{purpose}-{uuid.uuid4().hex[:10]}"
