"""The few shapes both SDK families are read into, so one scenario runs on either.

Each adapter (``sdk_legacy``, ``sdk_current``, ``sdk_current_v3``) turns its SDK's answers into these
and its SDK's exceptions into ``ApiFailure``. Nothing here talks to the network.
"""

from __future__ import annotations

import dataclasses
from typing import Optional


@dataclasses.dataclass(frozen=True)
class User:
    name: str
    user_id: str
    display_name: Optional[str]


@dataclasses.dataclass(frozen=True)
class UsersPage:
    users: list[User]
    is_truncated: bool
    marker: Optional[str]


@dataclasses.dataclass(frozen=True)
class Key:
    key_id: str
    status: str
    create_date: str


@dataclasses.dataclass(frozen=True)
class NewKey:
    key_id: str
    secret: str
    status: str
    create_date: str


@dataclasses.dataclass(frozen=True)
class Policy:
    name: str
    policy_type: str


@dataclasses.dataclass(frozen=True)
class Identity:
    account_id: str
    arn: str
    identity_type: str
    user_id: Optional[str]


@dataclasses.dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret: str
    # Set for STS credentials: every call signed with them must carry it.
    security_token: Optional[str] = None

    def __repr__(self) -> str:
        # Keeps secrets and tokens out of pytest's failure reports.
        token = "" if self.security_token is None else ", security_token=<redacted>"
        return f"Credentials(access_key_id={self.access_key_id!r}, secret=<redacted>{token})"


@dataclasses.dataclass(frozen=True)
class AssumedRole:
    """What STS AssumeRole hands out: STS credentials and who they stand for."""

    credentials: Credentials
    expiration: str
    arn: str
    assumed_role_id: str


class ApiFailure(Exception):
    """An error answer of the server, as the SDK reported it."""

    def __init__(
        self, http_status: Optional[int], code: str, message: str, request_id: Optional[str]
    ):
        super().__init__(f"HTTP {http_status} {code}: {message} (RequestId {request_id})")
        self.http_status = http_status
        self.code = code
        self.message = message
        self.request_id = request_id
