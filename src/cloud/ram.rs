//! The typed RAM 2015-05-01 calls ramkey makes, with the real parameter
//! names. Reads return domain types; writes return [`Written`] with the
//! `RequestId` the state file records.
//!
//! Knows nothing of the UI, the scan, the rotation engine or the state file.

mod paging;
mod wire;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::de::IgnoredAny;

use super::client::{Call, Client};
use super::endpoints::{self, Service};
use super::error::{CloudError, UnexpectedBody};
use super::model::{AccessKey, AttachedPolicy, GroupMembership, KeyStatus, NewAccessKey};
use super::model::{Page, PolicyType, RamUser, Written};
use super::response::Reply;
pub use paging::MAX_USER_PAGES;
use paging::{Next, UserPager};

/// Users asked for per ListUsers page. 100 is the documented default and
/// the maximum every documented version accepts.
pub const USERS_PAGE_SIZE: u32 = 100;

/// The largest `MaxItems` the current ListUsers reference accepts (an older
/// one said 100: a caller asking for more must be ready for
/// `InvalidParameter.MaxItems`).
pub const MAX_USERS_PAGE_SIZE: u32 = 1000;

/// How far [`Client::list_all_users_with_progress`] has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListProgress {
    /// Pages fetched so far.
    pub pages: usize,
    /// Distinct users seen so far.
    pub users: usize,
}

/// A ListUsers listing taken one page at a time, so a caller can work on
/// each page's users while the listing goes on and keep only what it needs.
///
/// The paging state machine decides when the listing ends, exactly as for
/// [`Client::list_all_users`]: a repeated or missing Marker, or too many
/// pages, is an error and the listing stops. Users are handed out once (by
/// `UserId`); only their IDs are kept.
#[derive(Debug, Default)]
pub struct UserListing {
    pager: UserPager,
    handed_out: HashSet<String>,
    marker: Option<String>,
    ended: bool,
    /// `MaxItems` asked for; [`USERS_PAGE_SIZE`] when `None`.
    page_size: Option<u32>,
}

impl UserListing {
    /// A listing that starts at the first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// A listing asking for pages of `page_size` users (ListUsers takes 1 to
    /// [`MAX_USERS_PAGE_SIZE`]; larger is asked as the largest).
    pub fn with_page_size(page_size: u32) -> Self {
        Self {
            page_size: Some(page_size.clamp(1, MAX_USERS_PAGE_SIZE)),
            ..Self::default()
        }
    }

    /// The next page's users not handed out before (possibly none), or
    /// `None` once the last page is in. After an error the listing is over:
    /// it cannot be trusted to be complete.
    pub async fn next_page(&mut self, client: &Client) -> Result<Option<Vec<RamUser>>, CloudError> {
        if self.ended {
            return Ok(None);
        }
        self.ended = true;
        let page = client
            .list_users_page(
                self.marker.as_deref(),
                Some(self.page_size.unwrap_or(USERS_PAGE_SIZE)),
            )
            .await?;
        let fresh: Vec<RamUser> = page
            .items
            .into_iter()
            .filter(|user| self.handed_out.insert(user.user_id.clone()))
            .collect();
        // The pager only decides the paging here; the users stay with the caller.
        let paging = Page {
            items: Vec::new(),
            is_truncated: page.is_truncated,
            marker: page.marker,
        };
        if let Next::Fetch(marker) = self.pager.take(paging)? {
            self.marker = Some(marker);
            self.ended = false;
        }
        Ok(Some(fresh))
    }

    /// Pages fetched and distinct users handed out so far.
    pub fn progress(&self) -> ListProgress {
        ListProgress {
            pages: self.pager.progress().pages,
            users: self.handed_out.len(),
        }
    }

    /// Whether the last page is in (or the listing failed).
    pub fn is_over(&self) -> bool {
        self.ended
    }
}

impl Client {
    /// One ListUsers page. Pass the previous page's Marker back as is.
    pub async fn list_users_page(
        &self,
        marker: Option<&str>,
        max_items: Option<u32>,
    ) -> Result<Page<RamUser>, CloudError> {
        let call = Call::ram("ListUsers")
            .optional("Marker", marker)
            .optional("MaxItems", max_items.map(|n| n.to_string()).as_deref());
        let reply: Reply<wire::ListUsers> = self.call(call).await?;
        let page = reply.value;
        Ok(Page {
            items: page.users.user.into_iter().map(RamUser::from).collect(),
            is_truncated: page.is_truncated,
            marker: page.marker.filter(|marker| !marker.is_empty()),
        })
    }

    /// Every RAM user of the account.
    pub async fn list_all_users(&self) -> Result<Vec<RamUser>, CloudError> {
        self.list_all_users_with_progress(|_| {}).await
    }

    /// Every RAM user, calling `on_page` after each page.
    ///
    /// Pages until `IsTruncated` is false, whatever a page's length (a page
    /// may be empty and still not the last). A user listed twice is kept
    /// once (by `UserId`). A repeated or missing Marker, or more than
    /// [`MAX_USER_PAGES`] pages, is an error rather than a loop, and a
    /// partial list is never returned.
    pub async fn list_all_users_with_progress(
        &self,
        mut on_page: impl FnMut(ListProgress) + Send,
    ) -> Result<Vec<RamUser>, CloudError> {
        let mut pager = UserPager::default();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .list_users_page(marker.as_deref(), Some(USERS_PAGE_SIZE))
                .await?;
            let next = pager.take(page);
            on_page(pager.progress());

            match next? {
                Next::Fetch(next_marker) => marker = Some(next_marker),
                Next::Done => return Ok(pager.into_users()),
            }
        }
    }

    /// GetUser.
    pub async fn get_user(&self, user: &str) -> Result<RamUser, CloudError> {
        let reply: Reply<wire::OneUser> = self.call(Call::ram("GetUser").user_name(user)).await?;
        Ok(reply.value.user.into())
    }

    /// CreateUser; an unset or empty display name or comment is not sent.
    pub async fn create_user(
        &self,
        user: &str,
        display_name: Option<&str>,
        comments: Option<&str>,
    ) -> Result<Written<RamUser>, CloudError> {
        let call = Call::ram("CreateUser")
            .user_name(user)
            .optional("DisplayName", display_name)
            .optional("Comments", comments);
        let reply: Reply<wire::OneUser> = self.call(call).await?;
        Ok(written(reply, |created| created.user.into()))
    }

    /// ListAccessKeys of `user` (never with secrets, never with last use).
    pub async fn list_access_keys(&self, user: &str) -> Result<Vec<AccessKey>, CloudError> {
        let call = Call::ram("ListAccessKeys").user_name(user);
        let reply: Reply<wire::ListAccessKeys> = self.call(call).await?;
        Ok(into_domain(reply.value.access_keys.access_key))
    }

    /// GetAccessKeyLastUsed (the RAM flavour). `None` when the answer has no
    /// usable date: missing, empty or unreadable all mean "unknown".
    pub async fn get_access_key_last_used(
        &self,
        user: &str,
        key_id: &str,
    ) -> Result<Option<DateTime<Utc>>, CloudError> {
        let call = Call::ram("GetAccessKeyLastUsed")
            .param("UserAccessKeyId", key_id)
            .user_name(user);
        let reply: Reply<wire::GetAccessKeyLastUsed> = self.call(call).await?;
        Ok(reply
            .value
            .access_key_last_used
            .and_then(|last| last.last_used_date))
    }

    /// CreateAccessKey for `user`: the only time its secret is returned.
    pub async fn create_access_key(&self, user: &str) -> Result<Written<NewAccessKey>, CloudError> {
        let call = Call::ram("CreateAccessKey").user_name(user);
        let reply: Reply<wire::CreateAccessKey> = self.call(call).await?;
        let created = &reply.value.access_key;
        if created.access_key_secret.expose().is_empty() {
            return Err(secret_missing(
                self,
                &reply.request_id,
                &created.access_key_id,
            ));
        }
        Ok(written(reply, |created| created.access_key.into()))
    }

    /// UpdateAccessKey: sets `key_id` of `user` Active or Inactive.
    pub async fn update_access_key(
        &self,
        user: &str,
        key_id: &str,
        status: KeyStatus,
    ) -> Result<Written<()>, CloudError> {
        let call = Call::ram("UpdateAccessKey")
            .param("UserAccessKeyId", key_id)
            .param("Status", status.as_str())
            .user_name(user);
        self.acknowledged(call).await
    }

    /// DeleteAccessKey: frees the key's slot for good.
    pub async fn delete_access_key(
        &self,
        user: &str,
        key_id: &str,
    ) -> Result<Written<()>, CloudError> {
        let call = Call::ram("DeleteAccessKey")
            .param("UserAccessKeyId", key_id)
            .user_name(user);
        self.acknowledged(call).await
    }

    /// ListPoliciesForUser (account-level attachments).
    pub async fn list_policies_for_user(
        &self,
        user: &str,
    ) -> Result<Vec<AttachedPolicy>, CloudError> {
        let call = Call::ram("ListPoliciesForUser").user_name(user);
        let reply: Reply<wire::ListPolicies> = self.call(call).await?;
        Ok(into_domain(reply.value.policies.policy))
    }

    /// AttachPolicyToUser.
    pub async fn attach_policy_to_user(
        &self,
        user: &str,
        policy_type: PolicyType,
        policy_name: &str,
    ) -> Result<Written<()>, CloudError> {
        let call = policy_call("AttachPolicyToUser", user, policy_type, policy_name);
        self.acknowledged(call).await
    }

    /// DetachPolicyFromUser.
    pub async fn detach_policy_from_user(
        &self,
        user: &str,
        policy_type: PolicyType,
        policy_name: &str,
    ) -> Result<Written<()>, CloudError> {
        let call = policy_call("DetachPolicyFromUser", user, policy_type, policy_name);
        self.acknowledged(call).await
    }

    /// ListGroupsForUser.
    pub async fn list_groups_for_user(
        &self,
        user: &str,
    ) -> Result<Vec<GroupMembership>, CloudError> {
        let call = Call::ram("ListGroupsForUser").user_name(user);
        let reply: Reply<wire::ListGroups> = self.call(call).await?;
        Ok(into_domain(reply.value.groups.group))
    }

    /// AddUserToGroup.
    pub async fn add_user_to_group(
        &self,
        user: &str,
        group: &str,
    ) -> Result<Written<()>, CloudError> {
        let call = Call::ram("AddUserToGroup")
            .user_name(user)
            .param("GroupName", group);
        self.acknowledged(call).await
    }

    /// A write whose answer is only `{"RequestId": ...}`.
    async fn acknowledged(&self, call: Call<'_>) -> Result<Written<()>, CloudError> {
        let reply: Reply<IgnoredAny> = self.call(call).await?;
        Ok(written(reply, |_| ()))
    }
}

fn policy_call<'a>(
    action: &'static str,
    user: &'a str,
    policy_type: PolicyType,
    policy_name: &str,
) -> Call<'a> {
    Call::ram(action)
        .param("PolicyType", policy_type.as_str())
        .param("PolicyName", policy_name)
        .user_name(user)
}

fn written<W, T>(reply: Reply<W>, convert: impl FnOnce(W) -> T) -> Written<T> {
    Written {
        value: convert(reply.value),
        request_id: reply.request_id,
    }
}

fn into_domain<W, T: From<W>>(items: Vec<W>) -> Vec<T> {
    items.into_iter().map(T::from).collect()
}

/// A key was created but its secret did not come back: it can never be
/// used, and it holds one of the user's two slots.
fn secret_missing(client: &Client, request_id: &str, key_id: &str) -> CloudError {
    UnexpectedBody {
        action: "CreateAccessKey".to_owned(),
        endpoint: endpoints::label(client.endpoints().url(Service::Ram)).to_owned(),
        http_status: 200,
        request_id: Some(request_id.to_owned()),
        problem: format!(
            "AccessKey {key_id} was created but its AccessKeySecret came back empty; \
             the key is unusable and holds a slot: delete it"
        ),
        body_start: String::new(),
    }
    .into()
}
