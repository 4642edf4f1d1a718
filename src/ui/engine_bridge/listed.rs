//! The users the findings list shows and their keys as the cloud has them:
//! read by the scan (or, for a user listed for its rotation, at the start),
//! then kept up to date with ramkey's own writes and its looks for changes
//! made outside ramkey. The status shown is always the cloud's; where the
//! rotation's record says otherwise the key is marked, never overridden.
//!
//! Pure: no calls, no clock. Depends on [`crate::rotation`]'s views and
//! drift, [`crate::scan`]'s verdicts and [`super::super::view`].

use chrono::{DateTime, Utc};

use crate::cloud::model::{AccessKey, KeyStatus};
use crate::rotation::{self, Drift};
use crate::scan::{self, Finding, ManagedUser};
use crate::ui::view::{KeyView, Recommendation, Verdict};

/// A key's status in the cloud, as last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// Active.
    Active,
    /// Inactive.
    Inactive,
    /// Not there any more.
    Gone,
}

/// What the rotation's record says it did to its retired key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Nothing yet (or it was re-enabled by a rollback): the key is Active.
    Untouched,
    /// Disabled, waiting for its deletion.
    Disabled,
    /// Deleted.
    Deleted,
}

/// One key of a listed user.
#[derive(Debug, Clone)]
pub struct ListedKey {
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// Last use, when known.
    pub last_used: Option<DateTime<Utc>>,
    /// The cloud's status as last seen.
    pub cloud: Cloud,
    /// The verdict on its last use, judged when it was listed: what the
    /// list shows while the key is Active.
    pub judged: Verdict,
    /// Why it was judged so, in the scan's words, e.g. "no last-use date;
    /// created 2026-12-02, 1 day ago: too new to judge".
    pub reason: Option<String>,
}

/// A user shown in the list: from the scan, or from the state file.
#[derive(Debug, Clone)]
pub struct Listed {
    /// `UserName`.
    pub user: String,
    /// `DisplayName`.
    pub display_name: String,
    /// The keys.
    pub keys: Vec<ListedKey>,
    /// The path the scan suggests (or the rotation follows).
    pub recommendation: Recommendation,
    /// The KMS secret managing the user's keys, when the scan found one.
    pub kms_secret: Option<String>,
}

impl Listed {
    /// A flagged user of the scan: its two Active keys.
    pub fn from_finding(finding: &Finding) -> Self {
        Listed {
            user: finding.user.clone(),
            display_name: finding.display_name.clone(),
            keys: finding
                .keys
                .iter()
                .map(|key| ListedKey {
                    access_key_id: key.id.clone(),
                    last_used: key.last_used,
                    cloud: Cloud::Active,
                    judged: verdict(key.verdict),
                    reason: Some(key.reason.clone()),
                })
                .collect(),
            recommendation: match finding.recommendation {
                scan::Recommendation::DisableIdle => Recommendation::DisableIdle,
                scan::Recommendation::MoveToNewUser => Recommendation::MoveToNewUser,
                scan::Recommendation::Review => Recommendation::Review,
                scan::Recommendation::FixKmsRotation => Recommendation::FixKmsRotation,
            },
            kms_secret: finding
                .kms
                .as_ref()
                .map(|stuck| stuck.managed_by.secret.clone()),
        }
    }

    /// A user holding two Active keys while KMS rotates them: their last
    /// use was not read.
    pub fn from_managed(managed: &ManagedUser) -> Self {
        Listed {
            user: managed.user.clone(),
            display_name: managed.display_name.clone(),
            keys: managed
                .keys
                .iter()
                .map(|key_id| ListedKey {
                    access_key_id: key_id.clone(),
                    last_used: None,
                    cloud: Cloud::Active,
                    judged: Verdict::Unknown,
                    reason: Some("KMS manages this key: its rotation is KMS's".to_owned()),
                })
                .collect(),
            recommendation: Recommendation::KmsRotating,
            kms_secret: Some(managed.managed_by.secret.clone()),
        }
    }

    /// The key with this ID.
    fn key_mut(&mut self, key_id: &str) -> Option<&mut ListedKey> {
        self.keys.iter_mut().find(|key| key.access_key_id == key_id)
    }

    /// Whether the key with this ID is listed.
    pub fn lists(&self, key_id: &str) -> bool {
        self.keys.iter().any(|key| key.access_key_id == key_id)
    }

    /// ramkey's own write just moved the record of `plan`'s retired key
    /// from `before` to where `plan` has it: the call succeeded, so the
    /// cloud now holds what the record says.
    pub fn after_write(&mut self, plan: &rotation::RotationView, before: Recorded) {
        let now = recorded(plan);
        if now == before {
            return;
        }
        if let Some(key) = self.key_mut(&plan.key_id) {
            key.cloud = match now {
                Recorded::Untouched => Cloud::Active,
                Recorded::Disabled => Cloud::Inactive,
                Recorded::Deleted => Cloud::Gone,
            };
        }
    }

    /// A look for changes made outside ramkey read the cloud: what it
    /// found about `plan`'s retired key. Found nothing while the record
    /// says disabled means the key is Inactive (it would be drift were it
    /// Active or gone); otherwise nothing found says nothing new.
    pub fn after_look(&mut self, plan: &rotation::RotationView, drift: &[Drift]) {
        let mine = |id: &String| *id == plan.key_id;
        let found = drift.iter().find_map(|drift| match drift {
            Drift::KeyReEnabled { key_id, .. } if mine(key_id) => Some(Cloud::Active),
            Drift::RetiredKeyGone { key_id, .. } if mine(key_id) => Some(Cloud::Gone),
            _ => None,
        });
        let seen = match (found, recorded(plan)) {
            (Some(seen), _) => seen,
            (None, Recorded::Disabled) => Cloud::Inactive,
            (None, _) => return,
        };
        if let Some(key) = self.key_mut(&plan.key_id) {
            key.cloud = seen;
        }
    }

    /// The keys as the list shows them: the cloud's status, and the mark
    /// where `plan`'s record of its retired key says otherwise.
    pub fn key_views(&self, plan: Option<&rotation::RotationView>) -> Vec<KeyView> {
        self.keys
            .iter()
            .map(|key| KeyView {
                access_key_id: key.access_key_id.clone(),
                verdict: match key.cloud {
                    Cloud::Active => key.judged,
                    Cloud::Inactive => Verdict::Disabled,
                    Cloud::Gone => Verdict::Deleted,
                },
                last_used: key.last_used,
                reason: key.reason.clone(),
                disagreement: plan
                    // A write left in flight is being settled: the record
                    // is not known to be behind the cloud yet.
                    .filter(|plan| plan.key_id == key.access_key_id && plan.pending.is_none())
                    .and_then(|plan| disagreement(key.cloud, recorded(plan))),
                used_by_ramkey: false,
            })
            .collect()
    }
}

/// A key of a user listed for its rotation, as the cloud lists it now and
/// judged the way the scan judges an Active key.
pub fn listed_key(
    key: &AccessKey,
    last_used: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    idle_days: u32,
) -> ListedKey {
    let judged = scan::classify_key(key, last_used, now, idle_days);
    ListedKey {
        access_key_id: key.access_key_id.clone(),
        last_used,
        cloud: match key.status {
            KeyStatus::Active => Cloud::Active,
            KeyStatus::Inactive => Cloud::Inactive,
        },
        judged: verdict(judged.verdict),
        reason: Some(judged.reason),
    }
}

/// What `plan`'s record says of its retired key, from its steps done.
pub fn recorded(plan: &rotation::RotationView) -> Recorded {
    let done = |kind| {
        plan.steps.iter().any(|step| {
            step.kind == kind && matches!(step.status, rotation::StepStatus::Done { .. })
        })
    };
    if done(rotation::StepKind::DeleteKey) {
        Recorded::Deleted
    } else if done(rotation::StepKind::DisableKey) {
        Recorded::Disabled
    } else {
        Recorded::Untouched
    }
}

/// The mark for a key whose cloud status the record contradicts: the
/// cloud's status first, then what ramkey did, then who changed it.
pub fn disagreement(cloud: Cloud, recorded: Recorded) -> Option<String> {
    let said = match (cloud, recorded) {
        (Cloud::Active, Recorded::Untouched)
        | (Cloud::Inactive, Recorded::Disabled)
        | (Cloud::Gone, Recorded::Deleted) => return None,
        (Cloud::Active, Recorded::Disabled) => {
            "Active (ramkey disabled it: changed outside ramkey)"
        }
        (Cloud::Active, Recorded::Deleted) => "Active (ramkey deleted it: changed outside ramkey)",
        (Cloud::Inactive, Recorded::Untouched) => "Inactive (disabled outside ramkey)",
        (Cloud::Inactive, Recorded::Deleted) => {
            "Inactive (ramkey deleted it: changed outside ramkey)"
        }
        (Cloud::Gone, Recorded::Untouched) => "gone (deleted outside ramkey)",
        (Cloud::Gone, Recorded::Disabled) => "gone (ramkey disabled it: deleted outside ramkey)",
    };
    Some(said.to_owned())
}

fn verdict(verdict: scan::Verdict) -> Verdict {
    match verdict {
        scan::Verdict::Idle => Verdict::Idle,
        scan::Verdict::InUse => Verdict::InUse,
        scan::Verdict::Unknown => Verdict::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_record_the_cloud_contradicts_is_marked() {
        use Cloud::{Active, Gone, Inactive};
        use Recorded::{Deleted, Disabled, Untouched};
        let cases = [
            (Active, Untouched, None),
            (Inactive, Disabled, None),
            (Gone, Deleted, None),
            (
                Active,
                Disabled,
                Some("Active (ramkey disabled it: changed outside ramkey)"),
            ),
            (
                Inactive,
                Untouched,
                Some("Inactive (disabled outside ramkey)"),
            ),
            (Gone, Untouched, Some("gone (deleted outside ramkey)")),
            (
                Gone,
                Disabled,
                Some("gone (ramkey disabled it: deleted outside ramkey)"),
            ),
        ];
        for (cloud, record, expected) in cases {
            assert_eq!(
                disagreement(cloud, record).as_deref(),
                expected,
                "{cloud:?} {record:?}"
            );
        }
    }
}
