//! One user's keys checked: not flagged, flagged with the last use of each
//! Active key, or exempt (then its last use is not read). Reads only.

use chrono::{DateTime, Utc};

use super::ScanOptions;
use super::tally::Tally;
use crate::cloud::model::{AccessKey, RamUser};
use crate::cloud::{Client, CloudError};
use crate::scan::finding::{
    ExemptUser, Finding, Judging, active_keys, finding as build_finding, is_flagged,
};

/// A user worth listing.
#[derive(Debug)]
pub(super) enum Found {
    /// Two Active keys, judged.
    Flagged(Finding),
    /// Two Active keys, but the admin exempted the user.
    Exempt(ExemptUser),
}

/// Checks one user's keys for the scan, counting each call and telling the
/// observer of a finding as soon as it is confirmed.
pub(super) async fn judge(
    client: &Client,
    user: &RamUser,
    options: &ScanOptions,
    tally: &Tally<'_>,
) -> Result<Option<Found>, CloudError> {
    let keys = client.list_access_keys(&user.user_name).await?;
    let found = if !is_flagged(&keys) {
        None
    } else if let Some(reason) = options.exemptions.reason_for(&user.user_name) {
        Some(Found::Exempt(exempt(user, reason)))
    } else {
        let active = last_uses(client, &user.user_name, &keys, Some(tally)).await?;
        let finding = build_finding(user, &active, judging(client, options));
        tally.found(&finding);
        Some(Found::Flagged(finding))
    };
    tally.user_checked();
    Ok(found)
}

/// [`super::check_user`]: one user's finding, without exemptions or counting.
pub(super) async fn check_user(
    client: &Client,
    user: &RamUser,
    options: &ScanOptions,
) -> Result<Option<Finding>, CloudError> {
    let keys = client.list_access_keys(&user.user_name).await?;
    if !is_flagged(&keys) {
        return Ok(None);
    }
    let active = last_uses(client, &user.user_name, &keys, None).await?;
    Ok(Some(build_finding(user, &active, judging(client, options))))
}

/// Each Active key with its last use (GetAccessKeyLastUsed).
async fn last_uses(
    client: &Client,
    user: &str,
    keys: &[AccessKey],
    tally: Option<&Tally<'_>>,
) -> Result<Vec<(AccessKey, Option<DateTime<Utc>>)>, CloudError> {
    let mut active = Vec::with_capacity(2);
    for key in active_keys(keys) {
        let last_used = client
            .get_access_key_last_used(user, &key.access_key_id)
            .await?;
        if let Some(tally) = tally {
            tally.key_checked();
        }
        active.push((key.clone(), last_used));
    }
    Ok(active)
}

fn judging<'a>(client: &'a Client, options: &ScanOptions) -> Judging<'a> {
    Judging {
        now: options.now,
        idle_days: options.idle_days,
        ramkey_key_id: Some(client.access_key_id()),
    }
}

fn exempt(user: &RamUser, reason: &str) -> ExemptUser {
    ExemptUser {
        user: user.user_name.clone(),
        display_name: user.display_name.clone(),
        reason: reason.to_owned(),
    }
}
