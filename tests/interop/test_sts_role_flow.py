"""The RamRoleArn flow with the official SDKs, unchanged, against ``ramkey sandbox``: STS
AssumeRole on the demo role ``ramkey-rotator`` (which the demo caller ``ramkey-admin`` may
assume), then RAM and STS calls signed with the STS credentials it hands out, which must
carry their SecurityToken. Every scenario runs once per SDK family; the last one hands one
session's credentials to every family.

The legacy core's own ``RamRoleArnCredential`` is not driven here: its signer sends
AssumeRole over https whatever the client is told (``RamRoleArnSigner`` sets the protocol
of its request to https), and the sandbox speaks plain http on 127.0.0.1. The manual flow
below (AssumeRole, then ``StsTokenCredential``) is what that signer does in between.
"""

from __future__ import annotations

import datetime
import uuid

import pytest

import sdk_current
import sdk_current_v3
import sdk_legacy
from api import AssumedRole, Credentials
from test_sandbox_protocol import ISO_SECONDS, all_user_names, refused

# The demo account's role that its caller, ramkey-admin, may assume.
ROLE_NAME = "ramkey-rotator"
# The shortest session STS grants.
SESSION_SECONDS = 900


@pytest.fixture
def role_arn(admin) -> str:
    account_id = admin.get_caller_identity().account_id
    return f"acs:ram::{account_id}:role/{ROLE_NAME}"


@pytest.fixture
def session_name() -> str:
    # Letters, digits and `-`, 2 to 64 of them: a name STS accepts.
    return f"interop-{uuid.uuid4().hex[:12]}"


def assume(client, role_arn: str, session_name: str) -> AssumedRole:
    return client.assume_role(role_arn, session_name, SESSION_SECONDS)


def test_assume_role_hands_out_sts_credentials(admin, role_arn, session_name):
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    assumed = assume(admin, role_arn, session_name)

    issued = assumed.credentials
    assert issued.access_key_id.startswith("STS."), issued
    assert issued.secret and issued.security_token
    assert issued.security_token not in (issued.secret, issued.access_key_id)
    assert ISO_SECONDS.match(assumed.expiration), assumed.expiration
    expires = datetime.datetime.strptime(assumed.expiration, "%Y-%m-%dT%H:%M:%S%z")
    # DurationSeconds from the moment of the call; a minute of slack for a slow machine.
    lifetime = (expires - before).total_seconds()
    assert SESSION_SECONDS <= lifetime <= SESSION_SECONDS + 60, assumed.expiration
    assert assumed.arn == f"{role_arn}/{session_name}"
    assert assumed.assumed_role_id.endswith(f":{session_name}")


def test_calls_with_the_security_token_act_as_the_assumed_role(
    admin, connect, role_arn, session_name
):
    assumed = assume(admin, role_arn, session_name)
    as_role = connect(assumed.credentials)

    identity = as_role.get_caller_identity()
    account_id = admin.get_caller_identity().account_id
    assert identity.identity_type == "AssumedRoleUser"
    assert identity.account_id == account_id
    assert identity.arn == f"acs:ram::{account_id}:assumed-role/{ROLE_NAME}/{session_name}"

    # The role may read RAM (AliyunRAMFullAccess): it sees the users the caller sees.
    as_role_names, _ = all_user_names(as_role, 100)
    admin_names, _ = all_user_names(admin, 100)
    assert sorted(as_role_names) == sorted(admin_names)


def test_the_token_must_be_sent_and_be_the_sessions_own(admin, connect, role_arn, session_name):
    one = assume(admin, role_arn, session_name).credentials
    other = assume(admin, role_arn, f"{session_name}-2").credentials

    without_token = connect(Credentials(one.access_key_id, one.secret))
    missing = refused(without_token.get_caller_identity)
    assert (missing.http_status, missing.code) == (400, "MissingSecurityToken")

    swapped = connect(Credentials(one.access_key_id, one.secret, other.security_token))
    mismatch = refused(swapped.get_caller_identity)
    assert (mismatch.http_status, mismatch.code) == (
        400,
        "InvalidSecurityToken.MismatchWithAccessKey",
    )


def test_a_caller_the_role_does_not_trust_is_refused(admin, connect, role_arn, unique_name):
    user = unique_name("untrusted")
    admin.create_user(user, "Interop-untrusted", "made-by-tests/interop")
    key = admin.create_access_key(user)
    stranger = connect(Credentials(key.key_id, key.secret))

    failure = refused(stranger.assume_role, role_arn, "interop-untrusted", SESSION_SECONDS)
    assert (failure.http_status, failure.code) == (403, "NoPermission")


def test_one_sessions_credentials_work_with_every_sdk_family(endpoint, caller, session_name):
    # Once, not per family: the legacy SDK assumes the role, and each family, the current
    # one with both its v2 and its V3 signature, signs with those same STS credentials.
    host, port = endpoint
    legacy = sdk_legacy.Client(host, port, caller)
    account_id = legacy.get_caller_identity().account_id
    assumed = assume(legacy, f"acs:ram::{account_id}:role/{ROLE_NAME}", session_name)

    for family in (sdk_legacy, sdk_current, sdk_current_v3):
        as_role = family.Client(host, port, assumed.credentials)
        identity = as_role.get_caller_identity()
        assert identity.identity_type == "AssumedRoleUser", family.NAME
        assert identity.arn.endswith(f":assumed-role/{ROLE_NAME}/{session_name}"), family.NAME
        page = as_role.list_users_page(None, 1000)
        assert page.users, f"{family.NAME}: ListUsers as the role listed nobody"

    # The V3 family's last call really carried the token in a signed header.
    authorization, _ = sdk_current_v3._sent_authorizations[-1]
    assert authorization.startswith("ACS3-HMAC-SHA256 Credential=STS."), authorization
    assert "x-acs-security-token" in authorization, authorization
