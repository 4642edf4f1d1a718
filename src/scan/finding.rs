//! Findings: who is flagged, each Active key with its verdict, and the
//! report of a whole scan. The JSON shape is `docs/scan-output.md`.
//!
//! Pure: built from listings already fetched; no calls, no clock.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::kms::ManagedBy;
use super::progress::SourceKind;
use super::recommend::{Recommendation, recommend};
use super::verdict::{Verdict, classify_key};
use crate::cloud::model::{AccessKey, CallerIdentity, KeyStatus, RamUser};

/// One Active key of a flagged user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyFinding {
    /// The AccessKey ID.
    pub id: String,
    /// Always `Active` for a flagged user's keys; kept for the JSON.
    pub status: KeyStatus,
    /// When the key was created.
    pub created: Option<DateTime<Utc>>,
    /// When the key last signed a request; `None` when unknown.
    pub last_used: Option<DateTime<Utc>>,
    /// The verdict on the key.
    pub verdict: Verdict,
    /// The evidence for the verdict, for people.
    #[serde(skip)]
    pub reason: String,
    /// ramkey itself is signing its calls with this key (it must not disable it).
    #[serde(skip)]
    pub used_by_ramkey: bool,
}

/// A user holding exactly two Active keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `UserName`.
    pub user: String,
    /// `DisplayName`; may be empty.
    pub display_name: String,
    /// The two Active keys, oldest first.
    pub keys: Vec<KeyFinding>,
    /// The suggested path.
    pub recommendation: Recommendation,
    /// A KMS secret manages the user's keys and its rotation is stuck
    /// (then the recommendation is `fix_kms_rotation`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms: Option<StuckRotation>,
}

/// The KMS rotation of a flagged user's keys is stuck: two Active keys
/// where KMS should hold one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StuckRotation {
    /// The secret managing the keys.
    #[serde(flatten)]
    pub managed_by: ManagedBy,
    /// Always `rotation_stuck`.
    pub state: &'static str,
    /// Why, with the dates.
    pub reason: String,
    /// What to do (check the KMS service role, RotateSecret; never by hand).
    pub advice: &'static str,
}

/// A user holding two Active keys because a KMS rotation is changing over:
/// listed as managed, not flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagedUser {
    /// `UserName`.
    pub user: String,
    /// `DisplayName`; may be empty.
    pub display_name: String,
    /// The secret managing the keys.
    #[serde(flatten)]
    pub managed_by: ManagedBy,
    /// The IDs of the two Active keys, oldest first.
    pub keys: Vec<String>,
    /// When the change-over is expected to be over (`LastRotationDate`
    /// plus the window); two keys after it mean the rotation is stuck.
    pub window_ends: DateTime<Utc>,
}

impl Finding {
    /// The key ramkey is signing with, when it is one of this user's.
    pub fn ramkey_key(&self) -> Option<&KeyFinding> {
        self.keys.iter().find(|key| key.used_by_ramkey)
    }

    /// The key with this ID.
    pub fn key(&self, key_id: &str) -> Option<&KeyFinding> {
        self.keys.iter().find(|key| key.id == key_id)
    }
}

/// The result of one scan of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanReport {
    /// The account scanned (from GetCallerIdentity).
    pub account_id: String,
    /// When the scan ran.
    pub scanned_at: DateTime<Utc>,
    /// How many users were listed and checked.
    pub users_scanned: usize,
    /// The flagged users, in listing order.
    pub flagged: Vec<Finding>,
    /// Where the users came from: `api` or `report`.
    #[serde(serialize_with = "source_json")]
    pub source: SourceKind,
    /// How fresh the data is: the credential report's generation time, or
    /// the scan's time for the per-user source.
    pub data_as_of: DateTime<Utc>,
    /// Things the admin should read (why the report was not used, its age).
    pub notes: Vec<String>,
    /// Users holding two Active keys that the admin exempted, with the
    /// reason; they are not in `flagged`.
    pub exempt: Vec<ExemptUser>,
    /// Users holding two Active keys while the KMS secret that manages
    /// them rotates; they are not in `flagged`, and ramkey never offers to
    /// disable or delete their keys.
    pub kms_managed: Vec<ManagedUser>,
    /// What the scan cost.
    pub stats: ScanStats,
    /// Who ramkey ran as.
    #[serde(skip)]
    pub caller: CallerIdentity,
    /// The idle threshold used, in days.
    #[serde(skip)]
    pub idle_days: u32,
}

/// The name a source has in the outputs: `api` or `report`.
pub fn source_name(source: SourceKind) -> &'static str {
    match source {
        SourceKind::Api => "api",
        SourceKind::Report => "report",
    }
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference"
)]
fn source_json<S: serde::Serializer>(source: &SourceKind, out: S) -> Result<S::Ok, S::Error> {
    out.serialize_str(source_name(*source))
}

/// A user that would be flagged but is exempted by the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExemptUser {
    /// `UserName`.
    pub user: String,
    /// `DisplayName`; may be empty.
    pub display_name: String,
    /// Why the admin exempted it (from `--exempt` or the config file).
    pub reason: String,
}

/// The cost of one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ScanStats {
    /// Requests sent, retries included.
    pub calls: u64,
    /// Requests the server refused as throttled.
    pub throttled: u64,
    /// Wall time of the scan, in milliseconds.
    pub elapsed_ms: u64,
}

/// The flagging rule: exactly two Active keys. Inactive keys hold quota slots
/// but are not the finding.
pub fn is_flagged(keys: &[AccessKey]) -> bool {
    active_keys(keys).count() == 2
}

/// The Active keys of a listing.
pub fn active_keys(keys: &[AccessKey]) -> impl Iterator<Item = &AccessKey> {
    keys.iter().filter(|key| key.status == KeyStatus::Active)
}

/// What is needed to judge one user.
#[derive(Debug, Clone, Copy)]
pub struct Judging<'a> {
    /// The moment the verdicts are relative to.
    pub now: DateTime<Utc>,
    /// A key unused for longer than this is idle.
    pub idle_days: u32,
    /// The AccessKey ID ramkey signs with.
    pub ramkey_key_id: Option<&'a str>,
}

/// The finding for a flagged user, from its Active keys and their last use.
pub fn finding(
    user: &RamUser,
    active: &[(AccessKey, Option<DateTime<Utc>>)],
    judging: Judging<'_>,
) -> Finding {
    let mut keys: Vec<KeyFinding> = active
        .iter()
        .map(|(key, last_used)| key_finding(key, *last_used, judging))
        .collect();
    keys.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));

    let verdicts: Vec<Verdict> = keys.iter().map(|key| key.verdict).collect();
    Finding {
        user: user.user_name.clone(),
        display_name: user.display_name.clone(),
        keys,
        recommendation: recommend(&verdicts),
        kms: None,
    }
}

fn key_finding(
    key: &AccessKey,
    last_used: Option<DateTime<Utc>>,
    judging: Judging<'_>,
) -> KeyFinding {
    let assessment = classify_key(key, last_used, judging.now, judging.idle_days);
    KeyFinding {
        id: key.access_key_id.clone(),
        status: key.status,
        created: key.create_date,
        last_used,
        verdict: assessment.verdict,
        reason: assessment.reason,
        used_by_ramkey: judging.ramkey_key_id == Some(key.access_key_id.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test date")
    }

    fn key(id: &str, status: KeyStatus, created: &str) -> AccessKey {
        AccessKey {
            access_key_id: id.to_owned(),
            status,
            create_date: Some(at(created)),
        }
    }

    fn user(name: &str) -> RamUser {
        RamUser {
            user_id: "1".to_owned(),
            user_name: name.to_owned(),
            display_name: "应用".to_owned(),
            comments: String::new(),
            create_date: None,
        }
    }

    #[test]
    fn flagging_table() {
        use KeyStatus::{Active, Inactive};
        // The BC-07 users: only `a` is flagged.
        let cases: &[(&str, &[KeyStatus], bool)] = &[
            ("a", &[Active, Active], true),
            ("b", &[Active, Inactive], false),
            ("c", &[Inactive, Inactive], false),
            ("d", &[Active], false),
            ("none", &[], false),
            ("three", &[Active, Active, Active], false),
            ("two of three", &[Active, Inactive, Active], true),
        ];
        for (name, statuses, flagged) in cases {
            let keys: Vec<AccessKey> = statuses
                .iter()
                .enumerate()
                .map(|(i, status)| key(&format!("K{i}"), *status, "2020-01-01T00:00:00Z"))
                .collect();
            assert_eq!(is_flagged(&keys), *flagged, "{name}");
        }
    }

    #[test]
    fn finding_marks_ramkey_key_and_sorts_oldest_first() {
        let active = vec![
            (
                key("LTAI-NEW", KeyStatus::Active, "2023-01-01T00:00:00Z"),
                Some(at("2026-10-31T00:00:00Z")),
            ),
            (
                key("LTAI-OLD", KeyStatus::Active, "2020-01-01T00:00:00Z"),
                Some(at("2025-01-01T00:00:00Z")),
            ),
        ];
        let judging = Judging {
            now: at("2026-11-01T00:00:00Z"),
            idle_days: 90,
            ramkey_key_id: Some("LTAI-NEW"),
        };
        let found = finding(&user("app"), &active, judging);

        assert_eq!(found.keys[0].id, "LTAI-OLD");
        assert_eq!(found.keys[0].verdict, Verdict::Idle);
        assert!(!found.keys[0].used_by_ramkey);
        assert_eq!(found.ramkey_key().map(|k| k.id.as_str()), Some("LTAI-NEW"));
        assert_eq!(found.recommendation, Recommendation::DisableIdle);
    }

    #[test]
    fn json_has_exactly_the_documented_fields() {
        let active = vec![
            (
                key("LTAI-A", KeyStatus::Active, "2020-01-01T00:00:00Z"),
                None,
            ),
            (
                key("LTAI-B", KeyStatus::Active, "2020-01-02T00:00:00Z"),
                Some(at("2026-10-31T00:00:00Z")),
            ),
        ];
        let judging = Judging {
            now: at("2026-11-01T00:00:00Z"),
            idle_days: 90,
            ramkey_key_id: None,
        };
        let report = ScanReport {
            account_id: "1234".to_owned(),
            scanned_at: at("2026-11-01T00:00:00Z"),
            users_scanned: 7,
            flagged: vec![finding(&user("app"), &active, judging)],
            source: SourceKind::Api,
            data_as_of: at("2026-11-01T00:00:00Z"),
            notes: vec!["a note".to_owned()],
            exempt: vec![ExemptUser {
                user: "ci".to_owned(),
                display_name: String::new(),
                reason: "vault".to_owned(),
            }],
            kms_managed: Vec::new(),
            stats: ScanStats {
                calls: 9,
                throttled: 2,
                elapsed_ms: 1500,
            },
            caller: CallerIdentity {
                account_id: "1234".to_owned(),
                arn: "acs:ram::1234:user/admin".to_owned(),
                identity_type: "RAMUser".to_owned(),
                user_id: None,
                principal_id: None,
            },
            idle_days: 90,
        };
        let expected = serde_json::json!({
            "account_id": "1234",
            "scanned_at": "2026-11-01T00:00:00Z",
            "users_scanned": 7,
            "flagged": [{
                "user": "app",
                "display_name": "应用",
                "keys": [
                    {"id": "LTAI-A", "status": "Active", "created": "2020-01-01T00:00:00Z",
                     "last_used": null, "verdict": "unknown"},
                    {"id": "LTAI-B", "status": "Active", "created": "2020-01-02T00:00:00Z",
                     "last_used": "2026-10-31T00:00:00Z", "verdict": "in_use"}
                ],
                "recommendation": "review"
            }],
            "source": "api",
            "data_as_of": "2026-11-01T00:00:00Z",
            "notes": ["a note"],
            "exempt": [{"user": "ci", "display_name": "", "reason": "vault"}],
            "kms_managed": [],
            "stats": {"calls": 9, "throttled": 2, "elapsed_ms": 1500}
        });
        assert_eq!(serde_json::to_value(&report).unwrap(), expected);
    }
}
