"""The official SDKs, unchanged, against ``ramkey sandbox``: every scenario runs once with
each SDK family. What the sandbox answers must be what production answers: field names,
paging, error codes and HTTP statuses, and refusals of bad signatures.
"""

from __future__ import annotations

import datetime
import re
import time
import uuid

import pytest

import sdk_current_v3
from api import ApiFailure, Credentials, Key

ISO_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# Small enough that the demo account spans several pages.
PAGE_SIZE = 3


def all_user_names(client, page_size: int) -> tuple[list[str], int]:
    """Follows Marker until IsTruncated is false; returns the names and the page count."""
    names: list[str] = []
    marker = None
    pages = 0
    while True:
        page = client.list_users_page(marker, page_size)
        pages += 1
        assert len(page.users) <= page_size, f"page {pages} holds {len(page.users)} users"
        names.extend(user.name for user in page.users)
        if not page.is_truncated:
            return names, pages
        assert page.marker, f"page {pages} is truncated but carries no Marker"
        marker = page.marker
        assert pages <= 10_000, "ListUsers never stopped paging"


def refused(call, *args) -> ApiFailure:
    with pytest.raises(ApiFailure) as caught:
        call(*args)
    failure = caught.value
    assert failure.request_id, f"error answer without RequestId: {failure}"
    return failure


def keys_by_id(keys: list[Key]) -> dict[str, str]:
    return {key.key_id: key.status for key in keys}


def test_list_users_pages_to_the_end_and_lists_each_user_once(admin):
    # A server may cap pages below MaxItems (the demo account does), so the large
    # listing may page too; both must end and agree.
    whole, _ = all_user_names(admin, 1000)
    paged, pages = all_user_names(admin, PAGE_SIZE)

    assert len(whole) == len(set(whole)), f"a user came twice: {sorted(whole)}"
    assert pages >= 2, f"{len(whole)} users fit one page of {PAGE_SIZE}: nothing was paged"
    assert len(paged) == len(set(paged)), f"a user came twice: {sorted(paged)}"
    assert sorted(paged) == sorted(whole)


def test_list_access_keys_of_the_caller_and_of_every_user(admin, caller):
    own = admin.list_access_keys(None)
    assert keys_by_id(own).get(caller.access_key_id) == "Active"

    names, _ = all_user_names(admin, 100)
    for name in names:
        for key in admin.list_access_keys(name):
            assert key.status in ("Active", "Inactive"), f"{name}: {key}"
            assert ISO_SECONDS.match(key.create_date), f"{name}: {key}"


def test_unknown_user_is_404_entity_not_exist(admin, unique_name):
    failure = refused(admin.list_access_keys, unique_name("absent"))
    assert (failure.http_status, failure.code) == (404, "EntityNotExist.User")


def test_create_user_and_409_on_the_duplicate(admin, unique_name):
    name = unique_name("dup")
    created = admin.create_user(name, "Interop-duplicate", "made-by-tests/interop")
    assert (created.name, created.display_name) == (name, "Interop-duplicate")
    assert created.user_id

    failure = refused(admin.create_user, name, "Interop-duplicate", "again")
    assert (failure.http_status, failure.code) == (409, "EntityAlreadyExists.User")

    names, _ = all_user_names(admin, 1000)
    assert names.count(name) == 1


# The other scenarios keep spaces out of their values so that each fails only for what
# it is named after; spaces and reserved characters are this test's subject.
def test_values_with_spaces_and_reserved_characters_round_trip(admin, unique_name):
    # Each SDK encodes these its own way on the wire: the current family writes a space
    # as `+` in the query (Python's urlencode) and signs it as `%20`, with either
    # signature, so the server must read `+` as a space, as production evidently does for
    # its own SDK.
    name = unique_name("chars")
    display_name = "Ops bot (rotated) ~ 1+1=2 * 50% & 短信"
    created = admin.create_user(name, display_name, "replaces alice.wang; see ticket #7")
    assert created.display_name == display_name

    page = admin.list_users_page(None, 1000)
    listed = []
    while True:
        listed.extend(user for user in page.users if user.name == name)
        if not page.is_truncated:
            break
        page = admin.list_users_page(page.marker, 1000)
    assert [user.display_name for user in listed] == [display_name]


def test_two_keys_then_409_then_disable_and_delete(admin, connect, unique_name):
    user = unique_name("keys")
    admin.create_user(user, "Interop-keys", "made-by-tests/interop")
    first = admin.create_access_key(user)
    second = admin.create_access_key(user)
    for key in (first, second):
        assert key.status == "Active" and key.secret and ISO_SECONDS.match(key.create_date)
    assert first.key_id != second.key_id
    assert keys_by_id(admin.list_access_keys(user)) == {
        first.key_id: "Active",
        second.key_id: "Active",
    }

    failure = refused(admin.create_access_key, user)
    assert (failure.http_status, failure.code) == (409, "LimitExceeded.User.AccessKey")

    admin.update_access_key(user, first.key_id, "Inactive")
    assert keys_by_id(admin.list_access_keys(user))[first.key_id] == "Inactive"
    # An Inactive key still holds its slot.
    assert refused(admin.create_access_key, user).code == "LimitExceeded.User.AccessKey"
    disabled = connect(Credentials(first.key_id, first.secret))
    assert refused(disabled.get_caller_identity).code == "InvalidAccessKeyId.Inactive"

    admin.delete_access_key(user, first.key_id)
    assert keys_by_id(admin.list_access_keys(user)) == {second.key_id: "Active"}
    assert refused(disabled.get_caller_identity).code == "InvalidAccessKeyId.NotFound"
    third = admin.create_access_key(user)
    assert third.key_id not in (first.key_id, second.key_id)


def test_last_use_advances_when_a_created_key_signs(admin, connect, caller, unique_name):
    user = unique_name("lastuse")
    admin.create_user(user, "Interop-last-use", "made-by-tests/interop")
    key = admin.create_access_key(user)
    assert admin.get_access_key_last_used(user, key.key_id) is None

    as_new_user = connect(Credentials(key.key_id, key.secret))
    identity = as_new_user.get_caller_identity()
    assert identity.arn.endswith(f":user/{user}")
    assert identity.account_id == admin.get_caller_identity().account_id
    first_use = admin.get_access_key_last_used(user, key.key_id)
    assert first_use is not None and ISO_SECONDS.match(first_use)
    assert first_use >= key.create_date

    # Dates have whole seconds: wait past the next one, sign again, see it move.
    # GetCallerIdentity needs no RAM permission, and the new user has none.
    time.sleep(1.1)
    as_new_user.get_caller_identity()
    second_use = admin.get_access_key_last_used(user, key.key_id)
    assert second_use > first_use


def test_get_caller_identity(admin, caller):
    identity = admin.get_caller_identity()
    assert identity.account_id
    assert identity.arn.startswith(f"acs:ram::{identity.account_id}:")
    assert identity.identity_type in ("RAMUser", "Account")
    if identity.identity_type == "RAMUser":
        assert identity.user_id
        user = identity.arn.rsplit(":user/", 1)[1]
        assert caller.access_key_id in keys_by_id(admin.list_access_keys(user))


def test_copy_policies_and_groups_to_a_new_user(admin, unique_name):
    names, _ = all_user_names(admin, 100)
    source = next(
        (
            name
            for name in names
            if admin.list_policies_for_user(name) and admin.list_groups_for_user(name)
        ),
        None,
    )
    assert source, "the sandbox's account has no user with both policies and groups"
    policies = admin.list_policies_for_user(source)
    groups = admin.list_groups_for_user(source)

    target = unique_name("copy")
    admin.create_user(target, "Interop-copy", f"copy-of-{source}")
    for policy in policies:
        admin.attach_policy_to_user(target, policy)
    for group in groups:
        admin.add_user_to_group(target, group)

    assert sorted(admin.list_policies_for_user(target), key=repr) == sorted(policies, key=repr)
    assert sorted(admin.list_groups_for_user(target)) == sorted(groups)
    again = refused(admin.attach_policy_to_user, target, policies[0])
    assert (again.http_status, again.code) == (409, "EntityAlreadyExists.User.Policy")


def test_wrong_secret_is_refused_with_the_servers_string_to_sign(family, connect, caller):
    wrong = connect(Credentials(caller.access_key_id, caller.secret + "x"))
    failure = refused(wrong.get_caller_identity)

    assert failure.http_status == 400
    assert family.mismatch_confirms_string_to_sign(failure), failure


def test_reused_nonce_is_refused(family, admin):
    with family.fixed_nonce(uuid.uuid4().hex):
        admin.get_caller_identity()
        failure = refused(admin.get_caller_identity)
    assert (failure.http_status, failure.code) == (400, "SignatureNonceUsed")


def test_timestamp_outside_the_window_is_refused(family, admin):
    stale = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
    with family.fixed_timestamp(stale.strftime("%Y-%m-%dT%H:%M:%SZ")):
        failure = refused(admin.get_caller_identity)
    assert (failure.http_status, failure.code) == (400, "InvalidTimeStamp.Expired")


def test_unknown_access_key_is_refused(connect):
    stranger = connect(Credentials("LTAI" + uuid.uuid4().hex[:20], "not-a-secret"))
    assert refused(stranger.get_caller_identity).code == "InvalidAccessKeyId.NotFound"


def test_the_current_sdks_default_config_signs_with_v3(endpoint, caller):
    # Once, not per family: proof that the V3 family's calls above really were V3.
    host, port = endpoint
    sdk_current_v3.Client(host, port, caller).get_caller_identity()
    authorization, _ = sdk_current_v3._sent_authorizations[-1]
    assert authorization.startswith("ACS3-HMAC-SHA256 Credential="), authorization
