"""The current SDK family: ``alibabacloud_ram20150501`` and ``alibabacloud_sts20150401``
over ``alibabacloud_tea_openapi``, with ``signature_algorithm="v2"`` (RPC signature 1.0)
and a local endpoint, as §9.2 of the API facts says.

The SDK is used unchanged. Test scaffolding pins the nonce or the timestamp its
client draws, and records the signatures it sends so that a ``SignatureDoesNotMatch``
answer can be checked against them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
from typing import Iterator, Optional
from unittest import mock

from alibabacloud_ram20150501 import models as ram_models
from alibabacloud_ram20150501.client import Client as RamClient
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.utils import Utils

from api import (
    ApiFailure,
    AssumedRole,
    Credentials,
    Identity,
    Key,
    NewKey,
    Policy,
    User,
    UsersPage,
)

NAME = "alibabacloud-tea-openapi"

MISMATCH_PREFIX = "server string to sign is:"

# Every signature the SDK computed in this process, newest last, with its secret.
_sent_signatures: list[tuple[str, str]] = []
_real_rpc_signature = Utils.get_rpcsignature


def _recording_rpc_signature(signed_params, method, secret):
    signature = _real_rpc_signature(signed_params, method, secret)
    _sent_signatures.append((signature, secret))
    return signature


@contextlib.contextmanager
def fixed_nonce(nonce: str) -> Iterator[None]:
    with mock.patch.object(Utils, "get_nonce", return_value=nonce):
        yield


@contextlib.contextmanager
def fixed_timestamp(timestamp: str) -> Iterator[None]:
    with mock.patch.object(Utils, "get_timestamp", return_value=timestamp):
        yield


def mismatch_confirms_string_to_sign(failure: ApiFailure) -> bool:
    """True when the server's string to sign was byte for byte the SDK's own.

    Signing the string the server quotes with the (wrong) secret the SDK used must give
    exactly the signature the SDK sent.
    """
    if failure.code != "SignatureDoesNotMatch" or MISMATCH_PREFIX not in failure.message:
        return False
    server_string = failure.message.split(MISMATCH_PREFIX, 1)[1]
    sent, secret = _sent_signatures[-1]
    digest = hmac.new((secret + "&").encode(), server_string.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode() == sent


class Client:
    """Typed calls over the generated RAM and STS clients, one credential."""

    # The Config value; ``sdk_current_v3`` leaves it unset (the SDK's default, V3).
    SIGNATURE_ALGORITHM: Optional[str] = "v2"

    @staticmethod
    def _recording():
        """Records each signature this family's signer computes."""
        return mock.patch.object(Utils, "get_rpcsignature", _recording_rpc_signature)

    def __init__(self, host: str, port: int, credentials: Credentials):
        # Unset means not passed at all: the Config exactly as the SDK's users write it.
        algorithm = {}
        if self.SIGNATURE_ALGORITHM is not None:
            algorithm["signature_algorithm"] = self.SIGNATURE_ALGORITHM
        # With security_token set the SDK signs as STS credentials: SecurityToken in the
        # query (v2) or the x-acs-security-token header (V3) of every request.
        config = open_api_models.Config(
            access_key_id=credentials.access_key_id,
            access_key_secret=credentials.secret,
            security_token=credentials.security_token,
            endpoint=f"{host}:{port}",
            protocol="http",
            connect_timeout=10_000,
            read_timeout=30_000,
            **algorithm,
        )
        self._ram = RamClient(config)
        self._sts = StsClient(config)

    def _call(self, operation, *args):
        try:
            with self._recording():
                response = operation(*args)
        except AlibabaCloudException as error:
            data = error.data or {}
            raise ApiFailure(
                error.status_code,
                error.code,
                data.get("Message") or error.message,
                data.get("RequestId") or error.request_id,
            ) from None
        assert response.body.request_id, f"no RequestId in {response.body.to_map()}"
        return response.body

    def list_users_page(self, marker: Optional[str], max_items: int) -> UsersPage:
        request = ram_models.ListUsersRequest(marker=marker, max_items=max_items)
        body = self._call(self._ram.list_users, request)
        users = [_user(raw) for raw in body.users.user]
        return UsersPage(users, body.is_truncated, body.marker)

    def create_user(self, name: str, display_name: str, comments: str) -> User:
        request = ram_models.CreateUserRequest(
            user_name=name, display_name=display_name, comments=comments
        )
        return _user(self._call(self._ram.create_user, request).user)

    def list_access_keys(self, user: Optional[str]) -> list[Key]:
        request = ram_models.ListAccessKeysRequest(user_name=user)
        keys = self._call(self._ram.list_access_keys, request).access_keys.access_key
        return [Key(raw.access_key_id, raw.status, raw.create_date) for raw in keys]

    def create_access_key(self, user: str) -> NewKey:
        request = ram_models.CreateAccessKeyRequest(user_name=user)
        raw = self._call(self._ram.create_access_key, request).access_key
        return NewKey(raw.access_key_id, raw.access_key_secret, raw.status, raw.create_date)

    def update_access_key(self, user: str, key_id: str, status: str) -> None:
        request = ram_models.UpdateAccessKeyRequest(
            user_name=user, user_access_key_id=key_id, status=status
        )
        self._call(self._ram.update_access_key, request)

    def delete_access_key(self, user: str, key_id: str) -> None:
        request = ram_models.DeleteAccessKeyRequest(user_name=user, user_access_key_id=key_id)
        self._call(self._ram.delete_access_key, request)

    def get_access_key_last_used(self, user: str, key_id: str) -> Optional[str]:
        request = ram_models.GetAccessKeyLastUsedRequest(
            user_name=user, user_access_key_id=key_id
        )
        body = self._call(self._ram.get_access_key_last_used, request)
        return body.access_key_last_used.last_used_date or None

    def list_policies_for_user(self, user: str) -> list[Policy]:
        request = ram_models.ListPoliciesForUserRequest(user_name=user)
        policies = self._call(self._ram.list_policies_for_user, request).policies.policy
        return [Policy(raw.policy_name, raw.policy_type) for raw in policies]

    def attach_policy_to_user(self, user: str, policy: Policy) -> None:
        request = ram_models.AttachPolicyToUserRequest(
            user_name=user, policy_name=policy.name, policy_type=policy.policy_type
        )
        self._call(self._ram.attach_policy_to_user, request)

    def list_groups_for_user(self, user: str) -> list[str]:
        request = ram_models.ListGroupsForUserRequest(user_name=user)
        groups = self._call(self._ram.list_groups_for_user, request).groups.group
        return [raw.group_name for raw in groups]

    def add_user_to_group(self, user: str, group: str) -> None:
        request = ram_models.AddUserToGroupRequest(user_name=user, group_name=group)
        self._call(self._ram.add_user_to_group, request)

    def get_caller_identity(self) -> Identity:
        body = self._call(self._sts.get_caller_identity)
        return Identity(body.account_id, body.arn, body.identity_type, body.user_id)

    def assume_role(self, role_arn: str, session_name: str, duration_seconds: int) -> AssumedRole:
        request = sts_models.AssumeRoleRequest(
            role_arn=role_arn, role_session_name=session_name, duration_seconds=duration_seconds
        )
        body = self._call(self._sts.assume_role, request)
        issued, user = body.credentials, body.assumed_role_user
        credentials = Credentials(
            issued.access_key_id, issued.access_key_secret, issued.security_token
        )
        return AssumedRole(credentials, issued.expiration, user.arn, user.assumed_role_id)


def _user(raw) -> User:
    return User(raw.user_name, raw.user_id, raw.display_name)
