//! The verdict on one Active key: idle, in use, or unknown, with the evidence.
//!
//! A pure function of the key, its last-use date, "now" and the idle threshold;
//! no calls, no clock.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::cloud::model::AccessKey;

/// What the last-use evidence says about one Active key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Last used longer ago than the idle threshold.
    Idle,
    /// Used within the idle threshold.
    InUse,
    /// No usable last-use date: never used, not reported, or too new to judge.
    Unknown,
}

impl Verdict {
    /// The JSON value: `idle`, `in_use` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Idle => "idle",
            Verdict::InUse => "in_use",
            Verdict::Unknown => "unknown",
        }
    }
}

/// A verdict and the sentence that justifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The verdict.
    pub verdict: Verdict,
    /// The evidence, for people: dates and day counts.
    pub reason: String,
}

/// Judges one key from its last-use date.
///
/// A key without a last-use date is never called idle: the date may be
/// missing because the key is new, because it predates last-use tracking, or
/// because the API did not report it, and disabling on a guess breaks
/// production.
pub fn classify_key(
    key: &AccessKey,
    last_used: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    idle_days: u32,
) -> Assessment {
    match last_used {
        Some(used) => classify_used(used, now, idle_days),
        None => classify_never_used(key.create_date, now, idle_days),
    }
}

fn classify_used(used: DateTime<Utc>, now: DateTime<Utc>, idle_days: u32) -> Assessment {
    let on = day(used);
    if used > now {
        return Assessment {
            verdict: Verdict::InUse,
            reason: format!("last used {on}, after this machine's clock (clock skew?)"),
        };
    }

    let ago = days_between(used, now);
    if now - used > Duration::days(i64::from(idle_days)) {
        Assessment {
            verdict: Verdict::Idle,
            reason: format!("last used {on}, {ago} ago (idle after {idle_days} days)"),
        }
    } else {
        Assessment {
            verdict: Verdict::InUse,
            reason: format!("last used {on}, {ago} ago"),
        }
    }
}

fn classify_never_used(
    created: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    idle_days: u32,
) -> Assessment {
    let reason = match created {
        Some(created) if now - created < Duration::days(i64::from(idle_days)) => format!(
            "no last-use date; created {}, {} ago: too new to judge (under {idle_days} days)",
            day(created),
            days_between(created, now)
        ),
        Some(created) => format!(
            "no last-use date reported (created {}); it may never have been used, \
             or its use predates last-use tracking",
            day(created)
        ),
        None => "no last-use date and no creation date reported".to_owned(),
    };
    Assessment {
        verdict: Verdict::Unknown,
        reason,
    }
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

fn days_between(earlier: DateTime<Utc>, later: DateTime<Utc>) -> String {
    match (later - earlier).num_days() {
        0 => "less than a day".to_owned(),
        1 => "1 day".to_owned(),
        days => format!("{days} days"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::model::KeyStatus;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("test date")
    }

    fn key(created: Option<&str>) -> AccessKey {
        AccessKey {
            access_key_id: "LTAI-TEST".to_owned(),
            status: KeyStatus::Active,
            create_date: created.map(at),
        }
    }

    const NOW: &str = "2026-11-01T12:00:00Z";

    /// Created, last used, idle days, expected verdict, words the reason must hold.
    type Case = (
        Option<&'static str>,
        Option<&'static str>,
        u32,
        Verdict,
        &'static str,
    );

    #[test]
    fn verdicts_table() {
        let cases: &[Case] = &[
            (
                Some("2020-01-01T00:00:00Z"),
                Some("2026-10-31T12:00:00Z"),
                90,
                Verdict::InUse,
                "1 day ago",
            ),
            (
                Some("2020-01-01T00:00:00Z"),
                Some("2026-11-01T11:00:00Z"),
                90,
                Verdict::InUse,
                "less than a day",
            ),
            (
                Some("2020-01-01T00:00:00Z"),
                Some("2026-08-03T12:00:00Z"),
                90,
                Verdict::InUse,
                "90 days ago",
            ),
            (
                Some("2020-01-01T00:00:00Z"),
                Some("2026-08-03T11:59:59Z"),
                90,
                Verdict::Idle,
                "idle after 90 days",
            ),
            (
                Some("2020-01-01T00:00:00Z"),
                Some("2024-01-02T03:04:05Z"),
                90,
                Verdict::Idle,
                "2024-01-02",
            ),
            (
                Some("2020-01-01T00:00:00Z"),
                Some("2026-10-01T12:00:00Z"),
                30,
                Verdict::Idle,
                "idle after 30 days",
            ),
            (
                Some("2020-01-01T00:00:00Z"),
                Some("2026-12-01T00:00:00Z"),
                90,
                Verdict::InUse,
                "clock skew",
            ),
            (
                Some("2026-10-31T12:00:00Z"),
                None,
                90,
                Verdict::Unknown,
                "too new to judge",
            ),
            (
                Some("2026-08-04T12:00:00Z"),
                None,
                90,
                Verdict::Unknown,
                "too new to judge",
            ),
            (
                Some("2020-01-01T00:00:00Z"),
                None,
                90,
                Verdict::Unknown,
                "no last-use date reported",
            ),
            (None, None, 90, Verdict::Unknown, "no creation date"),
        ];
        for (created, used, idle_days, verdict, words) in cases {
            let got = classify_key(&key(*created), used.map(at), at(NOW), *idle_days);
            assert_eq!(
                got.verdict, *verdict,
                "{created:?} {used:?} {idle_days}: {}",
                got.reason
            );
            assert!(
                got.reason.contains(words),
                "{:?} lacks {words:?}",
                got.reason
            );
        }
    }

    #[test]
    fn a_never_used_key_is_never_idle_whatever_its_age() {
        for created in ["1999-01-01T00:00:00Z", "2026-11-01T11:59:59Z"] {
            let got = classify_key(&key(Some(created)), None, at(NOW), 1);
            assert_eq!(got.verdict, Verdict::Unknown);
        }
    }

    #[test]
    fn json_names() {
        for (verdict, name) in [
            (Verdict::Idle, "idle"),
            (Verdict::InUse, "in_use"),
            (Verdict::Unknown, "unknown"),
        ] {
            assert_eq!(serde_json::to_value(verdict).unwrap(), name);
            assert_eq!(verdict.as_str(), name);
        }
    }
}
