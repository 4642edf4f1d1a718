//! Users whose AccessKeys a KMS "RAM secret" manages, and how such a user
//! holding two Active keys is judged: KMS keeps both only while a rotation
//! changes over (about two days after `LastRotationDate`, unconfirmed, so
//! the window is a setting), so within it the user is *managed*, not
//! flagged; past it, or with `AutomaticRotation=Invalid`, its rotation is
//! *stuck* and the user is flagged with advice to mend the rotation. A
//! managed user's keys are never to be disabled or deleted by hand: that
//! breaks the secret's version chain and every application reading it.
//!
//! Pure: facts in, judgements out; the KMS calls are in `run::kms`.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::cloud::Region;
use crate::cloud::kms::{AutomaticRotation, RamSecret};

/// How long KMS is taken to keep both keys after a rotation starts, when
/// the admin does not say (`--kms-window-hours`).
pub const DEFAULT_WINDOW_HOURS: u32 = 48;

/// What the admin said about KMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsOptions {
    /// The regions to look for RAM secrets in; none: KMS is not checked
    /// (and a note says so), since no region can be guessed.
    pub regions: Vec<Region>,
    /// How long after `LastRotationDate` two Active keys are a rotation
    /// in progress rather than a stuck one.
    pub rotation_window: Duration,
}

impl Default for KmsOptions {
    fn default() -> Self {
        Self {
            regions: Vec::new(),
            rotation_window: Duration::hours(i64::from(DEFAULT_WINDOW_HOURS)),
        }
    }
}

impl KmsOptions {
    /// `regions` (repeats dropped), with a window of `window_hours`.
    pub fn new(regions: Vec<Region>, window_hours: u32) -> Self {
        let mut regions = regions;
        regions.sort();
        regions.dedup();
        Self {
            regions,
            rotation_window: Duration::hours(i64::from(window_hours)),
        }
    }
}

/// The secret that manages a user's keys, as the outputs show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManagedBy {
    /// `SecretName`.
    pub secret: String,
    /// Its region.
    pub region: String,
    /// `AutomaticRotation`: `Enabled`, `Disabled`, `Invalid` (or as sent).
    pub automatic_rotation: String,
    /// `LastRotationDate`, when it was ever rotated.
    pub last_rotation: Option<DateTime<Utc>>,
    /// `NextRotationDate`, when rotation is automatic.
    pub next_rotation: Option<DateTime<Utc>>,
    /// Rotation cannot happen: `AutomaticRotation=Invalid`.
    #[serde(skip)]
    pub invalid: bool,
}

impl ManagedBy {
    /// From DescribeSecret's answer.
    pub fn from_secret(secret: &RamSecret) -> Self {
        Self {
            secret: secret.name.clone(),
            region: secret.region.to_string(),
            automatic_rotation: secret.automatic_rotation.as_str().to_owned(),
            last_rotation: secret.last_rotation,
            next_rotation: secret.next_rotation,
            invalid: secret.automatic_rotation == AutomaticRotation::Invalid,
        }
    }
}

/// The KMS-managed users found, by user name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManagedUsers {
    by_user: BTreeMap<String, ManagedBy>,
}

impl ManagedUsers {
    /// Records that `managed` manages `user`'s keys. A user named by a
    /// second secret keeps the first; the caller says so in a note.
    pub fn insert(&mut self, user: &str, managed: ManagedBy) -> bool {
        if self.by_user.contains_key(user) {
            return false;
        }
        self.by_user.insert(user.to_owned(), managed);
        true
    }

    /// The secret managing `user`'s keys, if one does.
    pub fn get(&self, user: &str) -> Option<&ManagedBy> {
        self.by_user.get(user)
    }

    /// How many users are managed.
    pub fn len(&self) -> usize {
        self.by_user.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.by_user.is_empty()
    }

    /// The managed users' names, sorted.
    pub fn users(&self) -> impl Iterator<Item = &str> {
        self.by_user.keys().map(String::as_str)
    }
}

/// A managed user holding two Active keys, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// A rotation is changing over: both keys are expected until then.
    Rotating {
        /// When the window closes.
        window_ends: DateTime<Utc>,
    },
    /// Two keys persist where KMS should hold one: why.
    Stuck {
        /// In the admin's words, with the dates.
        reason: String,
    },
}

/// What is advised for a stuck rotation; the same words in every output.
pub const STUCK_ADVICE: &str = "check the KMS service role AliyunKMSManagedRAMCrendentialsRole \
     and that the user has a free AccessKey slot, then rotate with KMS RotateSecret; never \
     disable or delete this user's keys by hand (that breaks the secret and every application \
     reading it)";

/// Judges a managed user holding two Active keys, the newer created at
/// `newer_key_created`, at `now`.
pub fn judge(
    managed: &ManagedBy,
    newer_key_created: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
) -> Judgement {
    let stuck = |reason: String| Judgement::Stuck { reason };
    if managed.invalid {
        return stuck("KMS reports AutomaticRotation=Invalid: it cannot rotate this secret".into());
    }
    let Some(last) = managed.last_rotation else {
        return stuck(
            "two Active keys, but the secret was never rotated (no LastRotationDate)".into(),
        );
    };
    let window_ends = last + window;
    if now > window_ends {
        return stuck(format!(
            "two Active keys {} after the last rotation ({}); a rotation keeps both for about {}",
            span(now - last),
            day_and_hour(last),
            span(window)
        ));
    }
    if let Some(created) = newer_key_created.filter(|created| *created < last - window) {
        return stuck(format!(
            "two Active keys since {}, before the last rotation ({}) began",
            day_and_hour(created),
            day_and_hour(last)
        ));
    }
    Judgement::Rotating { window_ends }
}

/// `3 days`, `20 h`, `45 min`.
fn span(length: Duration) -> String {
    match length.num_minutes() {
        minutes @ i64::MIN..120 => format!("{} min", minutes.max(0)),
        minutes @ 120..2880 => format!("{} h", minutes / 60),
        minutes => format!("{} days", minutes / 1440),
    }
}

fn day_and_hour(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test date")
    }

    type Case<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

    fn managed(rotation: &str, last: Option<&str>) -> ManagedBy {
        ManagedBy {
            secret: "acs/ram/user/app".to_owned(),
            region: "cn-hangzhou".to_owned(),
            automatic_rotation: rotation.to_owned(),
            last_rotation: last.map(at),
            next_rotation: None,
            invalid: rotation == "Invalid",
        }
    }

    #[test]
    fn judgements_table() {
        let now = at("2026-12-03T12:00:00Z");
        let window = Duration::hours(48);
        // Rotation, last rotation, newer key created, stuck because.
        let cases: &[Case<'_>] = &[
            (
                "Enabled",
                Some("2026-12-02T16:00:00Z"),
                Some("2026-12-02T16:00:05Z"),
                None,
            ),
            ("Disabled", Some("2026-12-02T16:00:00Z"), None, None),
            ("Enabled", Some("2026-12-01T12:00:00Z"), None, None),
            (
                "Enabled",
                Some("2026-11-28T12:00:00Z"),
                None,
                Some("5 days after the last rotation (2026-11-28 12:00 UTC)"),
            ),
            (
                "Invalid",
                Some("2026-12-03T11:00:00Z"),
                None,
                Some("Invalid"),
            ),
            ("Enabled", None, None, Some("never rotated")),
            (
                "Enabled",
                Some("2026-12-03T00:00:00Z"),
                Some("2026-11-20T00:00:00Z"),
                Some("since 2026-11-20 00:00 UTC, before the last rotation"),
            ),
        ];
        for (rotation, last, newer, stuck) in cases {
            let judged = judge(&managed(rotation, *last), newer.map(at), now, window);
            match (stuck, &judged) {
                (None, Judgement::Rotating { window_ends }) => {
                    assert_eq!(*window_ends, at(last.unwrap()) + window);
                }
                (Some(words), Judgement::Stuck { reason }) => {
                    assert!(reason.contains(words), "{rotation} {last:?}: {reason}");
                }
                _ => panic!("{rotation} {last:?} {newer:?}: {judged:?}"),
            }
        }
    }

    #[test]
    fn the_window_is_the_admin_s() {
        let now = at("2026-12-03T12:00:00Z");
        let managed = managed("Enabled", Some("2026-12-01T00:00:00Z"));
        assert!(matches!(
            judge(&managed, None, now, Duration::hours(48)),
            Judgement::Stuck { .. }
        ));
        assert!(matches!(
            judge(&managed, None, now, Duration::hours(72)),
            Judgement::Rotating { .. }
        ));
    }

    #[test]
    fn a_user_keeps_its_first_secret() {
        let mut users = ManagedUsers::default();
        assert!(users.insert("app", managed("Enabled", None)));
        let mut other = managed("Invalid", None);
        other.secret = "second".to_owned();
        assert!(!users.insert("app", other));
        assert_eq!(users.get("app").unwrap().secret, "acs/ram/user/app");
        assert_eq!(users.len(), 1);
        assert_eq!(users.users().collect::<Vec<_>>(), ["app"]);
    }

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span(Duration::minutes(45)), "45 min");
        assert_eq!(span(Duration::hours(20)), "20 h");
        assert_eq!(span(Duration::days(5)), "5 days");
    }
}
