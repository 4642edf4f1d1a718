"""The current SDK family with its default signature, V3 (``ACS3-HMAC-SHA256``): the same
``alibabacloud_ram20150501`` and ``alibabacloud_sts20150401`` clients as ``sdk_current``,
with a Config that sets no ``signature_algorithm`` at all (§9.2 of the API facts).

The SDK is used unchanged. As for the other families, test scaffolding pins the nonce or the
timestamp (``x-acs-signature-nonce``, ``x-acs-date``) and records the ``Authorization``
headers it sends, so that a ``SignatureDoesNotMatch`` answer can be checked against them.
"""

from __future__ import annotations

import hashlib
import hmac
from unittest import mock

from alibabacloud_tea_openapi.utils import Utils

import sdk_current
from api import ApiFailure

NAME = "alibabacloud-tea-openapi-v3"

# The same draws as the RPC 1.0 path: Utils.get_nonce and Utils.get_timestamp.
fixed_nonce = sdk_current.fixed_nonce
fixed_timestamp = sdk_current.fixed_timestamp

MISMATCH_PREFIX = sdk_current.MISMATCH_PREFIX

# Every Authorization header the SDK computed in this process, newest last, with its secret.
_sent_authorizations: list[tuple[str, str]] = []
_real_get_authorization = Utils.get_authorization


def _recording_get_authorization(request, sign_type, payload, access_key_id, secret):
    authorization = _real_get_authorization(request, sign_type, payload, access_key_id, secret)
    _sent_authorizations.append((authorization, secret))
    return authorization


def _signature_of(authorization: str) -> str:
    parts = authorization.split(" ", 1)[1].split(",")
    return next(part.split("=", 1)[1] for part in parts if part.startswith("Signature="))


def mismatch_confirms_string_to_sign(failure: ApiFailure) -> bool:
    """True when the server's string to sign was byte for byte the SDK's own.

    The sandbox quotes its string to sign (two lines) and then the canonical request it
    hashed. The canonical request must hash to the quoted hash, and signing the quoted
    string with the (wrong) secret the SDK used must give exactly the signature it sent.
    """
    if failure.code != "SignatureDoesNotMatch" or MISMATCH_PREFIX not in failure.message:
        return False
    quoted = failure.message.split(MISMATCH_PREFIX, 1)[1]
    algorithm, hashed, canonical_request = quoted.split("\n", 2)
    if algorithm != "ACS3-HMAC-SHA256":
        return False
    if hashlib.sha256(canonical_request.encode()).hexdigest() != hashed:
        return False
    authorization, secret = _sent_authorizations[-1]
    string_to_sign = f"{algorithm}\n{hashed}"
    expected = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return expected == _signature_of(authorization)


class Client(sdk_current.Client):
    """``sdk_current.Client`` with the SDK's default signature."""

    SIGNATURE_ALGORITHM = None

    @staticmethod
    def _recording():
        return mock.patch.object(Utils, "get_authorization", _recording_get_authorization)
