"""The legacy SDK family: ``aliyun-python-sdk-core`` with ``aliyun-python-sdk-ram`` and
``aliyun-python-sdk-sts``, pointed at a local endpoint as §9.1 of the API facts says.

The SDK is used unchanged. The only interference is test scaffolding that pins the
nonce or the timestamp its signer draws (``fixed_nonce``, ``fixed_timestamp``).
"""

from __future__ import annotations

import contextlib
import json
from typing import Iterator, Optional
from unittest import mock

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.auth.credentials import StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkram.request.v20150501 import (
    AddUserToGroupRequest,
    AttachPolicyToUserRequest,
    CreateAccessKeyRequest,
    CreateUserRequest,
    DeleteAccessKeyRequest,
    GetAccessKeyLastUsedRequest,
    ListAccessKeysRequest,
    ListGroupsForUserRequest,
    ListPoliciesForUserRequest,
    ListUsersRequest,
    UpdateAccessKeyRequest,
)
from aliyunsdksts.request.v20150401 import AssumeRoleRequest, GetCallerIdentityRequest

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

NAME = "aliyun-python-sdk-core"

# Where the signer draws its nonce and timestamp (aliyunsdkcore.auth.composer).
_NONCE_SOURCE = "aliyunsdkcore.utils.parameter_helper.get_uuid"
_TIMESTAMP_SOURCE = "aliyunsdkcore.utils.parameter_helper.get_iso_8061_date"


@contextlib.contextmanager
def fixed_nonce(nonce: str) -> Iterator[None]:
    with mock.patch(_NONCE_SOURCE, return_value=nonce):
        yield


@contextlib.contextmanager
def fixed_timestamp(timestamp: str) -> Iterator[None]:
    with mock.patch(_TIMESTAMP_SOURCE, return_value=timestamp):
        yield


def mismatch_confirms_string_to_sign(failure: ApiFailure) -> bool:
    """True when the server's string to sign was byte for byte the SDK's own.

    The core compares the string to sign quoted in a ``SignatureDoesNotMatch``
    message with its own and, when they are equal, reports ``InvalidAccessKeySecret``
    instead: only the secret can be wrong then.
    """
    return failure.code == "InvalidAccessKeySecret"


class Client:
    """Typed calls over ``AcsClient``, one credential, one local endpoint."""

    def __init__(self, host: str, port: int, credentials: Credentials):
        self._host = host
        # STS credentials go in as the core's StsTokenCredential, whose signer adds
        # SecurityToken to every request (the manual RamRoleArn flow); a plain pair as
        # AccessKey and secret.
        if credentials.security_token is None:
            signing = {"ak": credentials.access_key_id, "secret": credentials.secret}
        else:
            signing = {
                "credential": StsTokenCredential(
                    credentials.access_key_id, credentials.secret, credentials.security_token
                )
            }
        # No automatic retries: a retried 5xx would hide a sandbox fault.
        self._client = AcsClient(
            region_id="cn-hangzhou",
            auto_retry=False,
            port=port,
            connect_timeout=10,
            timeout=30,
            **signing,
        )

    def _call(self, request) -> dict:
        request.set_endpoint(self._host)
        request.set_protocol_type("http")
        try:
            body = self._client.do_action_with_exception(request)
        except ServerException as error:
            raise ApiFailure(
                error.get_http_status(),
                error.get_error_code(),
                error.get_error_msg(),
                error.get_request_id(),
            ) from None
        answer = json.loads(body)
        assert answer["RequestId"], f"no RequestId in {answer}"
        return answer

    def list_users_page(self, marker: Optional[str], max_items: int) -> UsersPage:
        request = ListUsersRequest.ListUsersRequest()
        request.set_MaxItems(max_items)
        if marker is not None:
            request.set_Marker(marker)
        answer = self._call(request)
        users = [_user(raw) for raw in answer["Users"]["User"]]
        return UsersPage(users, answer["IsTruncated"], answer.get("Marker"))

    def create_user(self, name: str, display_name: str, comments: str) -> User:
        request = CreateUserRequest.CreateUserRequest()
        request.set_UserName(name)
        request.set_DisplayName(display_name)
        request.set_Comments(comments)
        return _user(self._call(request)["User"])

    def list_access_keys(self, user: Optional[str]) -> list[Key]:
        request = ListAccessKeysRequest.ListAccessKeysRequest()
        if user is not None:
            request.set_UserName(user)
        keys = self._call(request)["AccessKeys"]["AccessKey"]
        return [Key(raw["AccessKeyId"], raw["Status"], raw["CreateDate"]) for raw in keys]

    def create_access_key(self, user: str) -> NewKey:
        request = CreateAccessKeyRequest.CreateAccessKeyRequest()
        request.set_UserName(user)
        raw = self._call(request)["AccessKey"]
        return NewKey(raw["AccessKeyId"], raw["AccessKeySecret"], raw["Status"], raw["CreateDate"])

    def update_access_key(self, user: str, key_id: str, status: str) -> None:
        request = UpdateAccessKeyRequest.UpdateAccessKeyRequest()
        request.set_UserName(user)
        request.set_UserAccessKeyId(key_id)
        request.set_Status(status)
        self._call(request)

    def delete_access_key(self, user: str, key_id: str) -> None:
        request = DeleteAccessKeyRequest.DeleteAccessKeyRequest()
        request.set_UserName(user)
        request.set_UserAccessKeyId(key_id)
        self._call(request)

    def get_access_key_last_used(self, user: str, key_id: str) -> Optional[str]:
        request = GetAccessKeyLastUsedRequest.GetAccessKeyLastUsedRequest()
        request.set_UserName(user)
        request.set_UserAccessKeyId(key_id)
        last_used = self._call(request)["AccessKeyLastUsed"]
        return last_used.get("LastUsedDate") or None

    def list_policies_for_user(self, user: str) -> list[Policy]:
        request = ListPoliciesForUserRequest.ListPoliciesForUserRequest()
        request.set_UserName(user)
        policies = self._call(request)["Policies"]["Policy"]
        return [Policy(raw["PolicyName"], raw["PolicyType"]) for raw in policies]

    def attach_policy_to_user(self, user: str, policy: Policy) -> None:
        request = AttachPolicyToUserRequest.AttachPolicyToUserRequest()
        request.set_UserName(user)
        request.set_PolicyName(policy.name)
        request.set_PolicyType(policy.policy_type)
        self._call(request)

    def list_groups_for_user(self, user: str) -> list[str]:
        request = ListGroupsForUserRequest.ListGroupsForUserRequest()
        request.set_UserName(user)
        groups = self._call(request)["Groups"]["Group"]
        return [raw["GroupName"] for raw in groups]

    def add_user_to_group(self, user: str, group: str) -> None:
        request = AddUserToGroupRequest.AddUserToGroupRequest()
        request.set_UserName(user)
        request.set_GroupName(group)
        self._call(request)

    def get_caller_identity(self) -> Identity:
        answer = self._call(GetCallerIdentityRequest.GetCallerIdentityRequest())
        return Identity(
            answer["AccountId"], answer["Arn"], answer["IdentityType"], answer.get("UserId")
        )

    def assume_role(self, role_arn: str, session_name: str, duration_seconds: int) -> AssumedRole:
        request = AssumeRoleRequest.AssumeRoleRequest()
        request.set_RoleArn(role_arn)
        request.set_RoleSessionName(session_name)
        request.set_DurationSeconds(duration_seconds)
        answer = self._call(request)
        issued, user = answer["Credentials"], answer["AssumedRoleUser"]
        credentials = Credentials(
            issued["AccessKeyId"], issued["AccessKeySecret"], issued["SecurityToken"]
        )
        return AssumedRole(credentials, issued["Expiration"], user["Arn"], user["AssumedRoleId"])


def _user(raw: dict) -> User:
    return User(raw["UserName"], raw["UserId"], raw.get("DisplayName"))
