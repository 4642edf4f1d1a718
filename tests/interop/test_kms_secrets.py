"""KMS RAM secrets through the official ``alibabacloud_kms20160120`` SDK, unchanged, under
both of its signatures: ``ListSecrets`` filtered to ``RAMCredentials`` and paged,
``DescribeSecret`` with its ``ExtendedConfig.UserName`` and rotation dates, and the errors
for a secret that does not exist and a page too large.

The SDK names no region in its requests (production tells regions apart by host), so on
the sandbox's one loopback endpoint they address its default region, ``cn-hangzhou``, where
the demo account keeps its one RAM secret (``wxpay-notify``'s, in a running rotation). The
demo caller (``ramkey-admin``) holds ``AliyunKMSReadOnlyAccess``.
"""

from __future__ import annotations

import json

import pytest
from alibabacloud_kms20160120 import models as kms_models
from alibabacloud_kms20160120.client import Client as KmsClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException

RAM_SECRETS = json.dumps([{"Key": "SecretType", "Values": ["RAMCredentials"]}])
SECRET = "acs/ram/user/wxpay-notify"


@pytest.fixture(params=["v2", None], ids=["signature-1.0", "v3"])
def kms(request, endpoint, caller) -> KmsClient:
    host, port = endpoint
    algorithm = {} if request.param is None else {"signature_algorithm": request.param}
    config = open_api_models.Config(
        access_key_id=caller.access_key_id,
        access_key_secret=caller.secret,
        endpoint=f"{host}:{port}",
        protocol="http",
        region_id="cn-hangzhou",
        connect_timeout=10_000,
        read_timeout=30_000,
        **algorithm,
    )
    return KmsClient(config)


def _failure(call) -> AlibabaCloudException:
    with pytest.raises(AlibabaCloudException) as caught:
        call()
    return caught.value


def test_ram_secrets_are_listed_and_paged(kms):
    first = kms.list_secrets(
        kms_models.ListSecretsRequest(filters=RAM_SECRETS, page_number=1, page_size=100)
    ).body
    assert first.request_id
    assert first.total_count == 1
    assert first.page_number == 1 and first.page_size == 100
    [listed] = first.secret_list.secret
    assert listed.secret_name == SECRET
    assert listed.secret_type == "RAMCredentials"
    assert listed.create_time.endswith("Z")

    past_the_end = kms.list_secrets(
        kms_models.ListSecretsRequest(filters=RAM_SECRETS, page_number=2, page_size=100)
    ).body
    assert past_the_end.total_count == 1
    assert past_the_end.secret_list.secret == []

    generic = json.dumps([{"Key": "SecretType", "Values": ["Generic"]}])
    none = kms.list_secrets(kms_models.ListSecretsRequest(filters=generic)).body
    assert none.total_count == 0


def test_a_secret_is_described_without_its_value(kms):
    body = kms.describe_secret(kms_models.DescribeSecretRequest(secret_name=SECRET)).body
    assert body.request_id
    assert body.secret_name == SECRET
    assert body.secret_type == "RAMCredentials"
    config = json.loads(body.extended_config)
    assert config["UserName"] == "wxpay-notify"
    assert config["SecretSubType"] == "RamUserAccessKey"
    assert body.automatic_rotation == "Enabled"
    assert body.rotation_interval == "2592000s"
    assert body.last_rotation_date < body.next_rotation_date
    assert body.arn == f"acs:kms:cn-hangzhou:5123874409316254:secret/{SECRET}"
    assert "AccessKeySecret" not in json.dumps(body.to_map())


def test_missing_secrets_and_oversized_pages_are_refused(kms):
    missing = _failure(
        lambda: kms.describe_secret(kms_models.DescribeSecretRequest(secret_name="no-such"))
    )
    assert missing.status_code == 404
    assert missing.code == "Forbidden.ResourceNotFound"

    oversized = _failure(
        lambda: kms.list_secrets(kms_models.ListSecretsRequest(page_size=101))
    )
    assert oversized.status_code == 400
    assert oversized.code == "InvalidParameter.PageSize"
