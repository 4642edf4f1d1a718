"""The scan a user would write instead of running ramkey: the official Python SDK
(alibabacloud_ram20150501), one call after another. List every user page by page,
list each user's AccessKeys, and for a user holding two Active keys ask when each was
last used.

benches/run points it at `ramkey sandbox` through the variables the sandbox prints
(RAMKEY_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET) and
reads the one JSON line it prints: users, flagged users, calls made, seconds taken.
Only a loopback endpoint is accepted.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.parse

# Before the SDK loads: no credential chain may probe the ECS metadata service.
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"

from alibabacloud_ram20150501 import models as ram_models  # noqa: E402
from alibabacloud_ram20150501.client import Client as RamClient  # noqa: E402
from alibabacloud_tea_openapi import models as open_api_models  # noqa: E402


def client_from_env() -> RamClient:
    url = urllib.parse.urlsplit(os.environ["RAMKEY_ENDPOINT"])
    if url.scheme != "http" or url.hostname != "127.0.0.1" or url.port is None:
        sys.exit(f"sdk_scan: refusing {url.geturl()}: only http://127.0.0.1:PORT")
    config = open_api_models.Config(
        access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
        access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        endpoint=f"{url.hostname}:{url.port}",
        protocol="http",
    )
    return RamClient(config)


def scan(ram: RamClient) -> dict:
    calls = 0
    users = []
    marker = None
    while True:
        page = ram.list_users(ram_models.ListUsersRequest(marker=marker)).body
        calls += 1
        users.extend(user.user_name for user in page.users.user)
        if not page.is_truncated:
            break
        marker = page.marker

    flagged = 0
    for name in users:
        listed = ram.list_access_keys(ram_models.ListAccessKeysRequest(user_name=name))
        calls += 1
        active = [key for key in listed.body.access_keys.access_key if key.status == "Active"]
        if len(active) < 2:
            continue
        flagged += 1
        for key in active:
            request = ram_models.GetAccessKeyLastUsedRequest(
                user_name=name, user_access_key_id=key.access_key_id
            )
            ram.get_access_key_last_used(request)
            calls += 1
    return {"users": len(users), "flagged": flagged, "calls": calls}


def main() -> None:
    ram = client_from_env()
    started = time.monotonic()
    result = scan(ram)
    result["seconds"] = round(time.monotonic() - started, 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
