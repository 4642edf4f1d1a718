//! One user's keys checked: not flagged, flagged with the last use of each
//! Active key, exempt (then its last use is not read), or managed by a KMS
//! secret whose rotation is changing over (not read either); a managed
//! user whose rotation is stuck is flagged, saying so. Reads only.

use chrono::{DateTime, Utc};

use super::ScanOptions;
use super::tally::Tally;
use crate::cloud::model::{AccessKey, RamUser};
use crate::cloud::{Client, CloudError};
use crate::scan::finding::{
    ExemptUser, Finding, Judging, ManagedUser, StuckRotation, active_keys,
    finding as build_finding, is_flagged,
};
use crate::scan::kms::{self, Judgement, ManagedBy, ManagedUsers, STUCK_ADVICE};
use crate::scan::recommend::Recommendation;

/// A user worth listing.
#[derive(Debug)]
pub(super) enum Found {
    /// Two Active keys, judged.
    Flagged(Finding),
    /// Two Active keys, but the admin exempted the user.
    Exempt(ExemptUser),
    /// Two Active keys while the KMS secret managing them rotates.
    Managed(ManagedUser),
}

/// Checks one user's keys for the scan, counting each call and telling the
/// observer of a finding as soon as it is confirmed.
pub(super) async fn judge(
    client: &Client,
    user: &RamUser,
    options: &ScanOptions,
    managed: &ManagedUsers,
    tally: &Tally<'_>,
) -> Result<Option<Found>, CloudError> {
    let keys = client.list_access_keys(&user.user_name).await?;
    let kms = managed.get(&user.user_name).map(|by| {
        let judged = kms::judge(
            by,
            newer_created(&keys),
            options.now,
            options.kms.rotation_window,
        );
        (by, judged)
    });
    let found = if !is_flagged(&keys) {
        None
    } else if let Some(reason) = options.exemptions.reason_for(&user.user_name) {
        Some(Found::Exempt(exempt(user, reason)))
    } else if let Some((by, Judgement::Rotating { window_ends })) = &kms {
        Some(Found::Managed(managed_user(user, &keys, by, *window_ends)))
    } else {
        let active = last_uses(client, &user.user_name, &keys, Some(tally)).await?;
        let mut finding = build_finding(user, &active, judging(client, options));
        if let Some((by, Judgement::Stuck { reason })) = kms {
            stuck(&mut finding, by, reason);
        }
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

/// When the newer of the Active keys was created: two keys since then.
fn newer_created(keys: &[AccessKey]) -> Option<chrono::DateTime<Utc>> {
    active_keys(keys).filter_map(|key| key.create_date).max()
}

fn managed_user(
    user: &RamUser,
    keys: &[AccessKey],
    by: &ManagedBy,
    window_ends: DateTime<Utc>,
) -> ManagedUser {
    let mut active: Vec<&AccessKey> = active_keys(keys).collect();
    active.sort_by(|a, b| {
        a.create_date
            .cmp(&b.create_date)
            .then(a.access_key_id.cmp(&b.access_key_id))
    });
    ManagedUser {
        user: user.user_name.clone(),
        display_name: user.display_name.clone(),
        managed_by: by.clone(),
        keys: active.iter().map(|key| key.access_key_id.clone()).collect(),
        window_ends,
    }
}

/// A flagged user whose KMS rotation is stuck: mend the rotation, never
/// disable a key by hand.
fn stuck(finding: &mut Finding, by: &ManagedBy, reason: String) {
    finding.recommendation = Recommendation::FixKmsRotation;
    finding.kms = Some(StuckRotation {
        managed_by: by.clone(),
        state: "rotation_stuck",
        reason,
        advice: STUCK_ADVICE,
    });
}

fn exempt(user: &RamUser, reason: &str) -> ExemptUser {
    ExemptUser {
        user: user.user_name.clone(),
        display_name: user.display_name.clone(),
        reason: reason.to_owned(),
    }
}
