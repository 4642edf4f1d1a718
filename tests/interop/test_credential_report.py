"""The IMS credential report through the official ``alibabacloud_ims20190815`` SDK,
unchanged, under both of its signatures: generate it, poll until COMPLETED, then read
every page by ``NextToken`` and decode the Base64 CSV.

The demo account's caller (``ramkey-admin``, ``AliyunRAMFullAccess``) may do both.
Against a long-lived sandbox the report may already exist; within four hours the same
one comes back, which the test accepts as it would from IMS.
"""

from __future__ import annotations

import base64
import csv
import io
import time

import pytest
from alibabacloud_ims20190815 import models as ims_models
from alibabacloud_ims20190815.client import Client as ImsClient
from alibabacloud_tea_openapi import models as open_api_models

COLUMNS = [
    "user", "user_creation_time", "user_last_logon", "password_exist", "password_active",
    "password_last_changed", "password_next_rotation", "mfa_active",
    "access_key_1_exist", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used",
    "access_key_2_exist", "access_key_2_active", "access_key_2_last_rotated",
    "access_key_2_last_used",
]


@pytest.fixture(params=["v2", None], ids=["signature-1.0", "v3"])
def ims(request, endpoint, caller) -> ImsClient:
    host, port = endpoint
    algorithm = {} if request.param is None else {"signature_algorithm": request.param}
    config = open_api_models.Config(
        access_key_id=caller.access_key_id,
        access_key_secret=caller.secret,
        endpoint=f"{host}:{port}",
        protocol="http",
        connect_timeout=10_000,
        read_timeout=30_000,
        **algorithm,
    )
    return ImsClient(config)


def _completed(ims: ImsClient) -> None:
    states = []
    for _ in range(100):
        state = ims.generate_credential_report().body.state
        states.append(state)
        if state == "COMPLETED":
            break
        time.sleep(0.05)
    assert states[-1] == "COMPLETED", states
    assert set(states) <= {"STARTED", "INPROGRESS", "COMPLETED"}, states


def _pages(ims: ImsClient, max_items: int) -> list[ims_models.GetCredentialReportResponseBody]:
    pages, token = [], None
    while True:
        request = ims_models.GetCredentialReportRequest(max_items=str(max_items), next_token=token)
        body = ims.get_credential_report(request).body
        assert body.request_id
        pages.append(body)
        if not body.is_truncated:
            assert body.next_token is None
            return pages
        token = body.next_token
        assert len(pages) < 100, "paging never ends"


def test_the_report_is_generated_and_read_page_by_page(ims):
    _completed(ims)
    pages = _pages(ims, max_items=10)
    assert len(pages) >= 4, "33 rows in pages of 10"
    assert len({page.generated_time for page in pages}) == 1
    rows = []
    for page in pages:
        text = base64.b64decode(page.content).decode("utf-8")
        reader = csv.reader(io.StringIO(text))
        assert next(reader) == COLUMNS, "each page starts with the header"
        rows.extend(reader)
    assert rows[0][0] == "<root>"
    users = {row[0]: row for row in rows[1:]}
    assert len(users) == len(rows) - 1, "no user twice"
    assert all(user.endswith("@acme-demo.onaliyun.com") for user in users)

    flagged = users["billing-exporter@acme-demo.onaliyun.com"]
    assert flagged[8:10] == ["TRUE", "TRUE"] and flagged[12:14] == ["TRUE", "TRUE"]
    # Key 1 is the older key.
    assert flagged[10] < flagged[14]
    one_key = users["ops-zhangsan@acme-demo.onaliyun.com"]
    assert one_key[12:16] == ["FALSE", "N/A", "N/A", "N/A"]
    never_used = users["data-sync@acme-demo.onaliyun.com"]
    assert "-" in (never_used[11], never_used[15])


def test_a_second_request_within_four_hours_returns_the_same_report(ims):
    _completed(ims)
    first = ims.get_credential_report(ims_models.GetCredentialReportRequest()).body
    assert ims.generate_credential_report().body.state == "COMPLETED"
    again = ims.get_credential_report(ims_models.GetCredentialReportRequest()).body
    assert again.generated_time == first.generated_time
    assert again.is_truncated is False
