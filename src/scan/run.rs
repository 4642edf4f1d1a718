//! Scanning the account through the client: every user's keys, and the last
//! use of each Active key of a user holding two. Read calls only.

use chrono::{DateTime, Utc};
use futures::{StreamExt as _, TryStreamExt as _};

use super::finding::{
    Finding, Judging, ScanReport, active_keys, finding as build_finding, is_flagged,
};
use super::progress::ScanObserver;
use crate::cloud::model::{AccessKey, RamUser};
use crate::cloud::{Client, CloudError};

/// How many users are checked at once; a modest number, so a scan stays well
/// under any throttling limit an account is likely to have.
// TODO: issue 5 replaces this with an adaptive rate that backs off on
// Throttling; the fixed number is only a safe start.
const CONCURRENT_USERS: usize = 4;

/// What a scan needs besides the client.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// A key unused for longer than this many days is idle (default 90).
    pub idle_days: u32,
    /// The moment verdicts are relative to, read from the caller's clock.
    pub now: DateTime<Utc>,
}

/// Scans the whole account: lists every user, checks each one's keys and
/// judges the Active keys of those holding two. Makes no write calls.
pub async fn run(
    client: &Client,
    options: &ScanOptions,
    _observer: &dyn ScanObserver,
) -> Result<ScanReport, CloudError> {
    let caller = client.get_caller_identity().await?;
    let users = client.list_all_users().await?;

    let flagged: Vec<Finding> = futures::stream::iter(&users)
        .map(|user| check_user(client, user, options))
        .buffered(CONCURRENT_USERS)
        .try_filter_map(|found| async move { Ok(found) })
        .try_collect()
        .await?;

    Ok(ScanReport {
        account_id: caller.account_id.clone(),
        scanned_at: options.now,
        users_scanned: users.len(),
        flagged,
        caller,
        idle_days: options.idle_days,
    })
}

/// One user's finding, or `None` when it does not hold two Active keys.
/// Reads only (ListAccessKeys, then GetAccessKeyLastUsed per Active key).
pub async fn check_user(
    client: &Client,
    user: &RamUser,
    options: &ScanOptions,
) -> Result<Option<Finding>, CloudError> {
    let keys = client.list_access_keys(&user.user_name).await?;
    if !is_flagged(&keys) {
        return Ok(None);
    }

    let mut active: Vec<(AccessKey, Option<DateTime<Utc>>)> = Vec::with_capacity(2);
    for key in active_keys(&keys) {
        let last_used = client
            .get_access_key_last_used(&user.user_name, &key.access_key_id)
            .await?;
        active.push((key.clone(), last_used));
    }
    let judging = Judging {
        now: options.now,
        idle_days: options.idle_days,
        ramkey_key_id: Some(client.access_key_id()),
    };
    Ok(Some(build_finding(user, &active, judging)))
}
