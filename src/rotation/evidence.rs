//! The evidence shown with a swap confirmation (BC-12): when the new key was
//! first seen in use, and whether the old key was used since the swap began,
//! judged busy, quiet or unknown, with the advice that follows.
//!
//! Pure: built from the two keys' last-use dates (RAM's
//! `GetAccessKeyLastUsed`), when the swap began and when they were read. The
//! engine reads them (`engine/evidence.rs`); the wizard shows these words and
//! the audit log keeps them with the confirmation.

use chrono::{DateTime, Duration, Utc};

use crate::state::steps::{KeyCheck, MoveStep};
use crate::state::{Progress, Rotation};

/// Which swap the evidence is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapStage {
    /// Staging moves to the new key (the step after the secret is stored).
    Staging,
    /// Production moves to the new key (the step after staging).
    Production,
}

impl SwapStage {
    /// `staging` or `production`.
    pub fn name(self) -> &'static str {
        match self {
            SwapStage::Staging => "staging",
            SwapStage::Production => "production",
        }
    }
}

/// How far RAM's last-use dates may lag real use: "up to a few hours".
pub fn last_use_lag() -> Duration {
    Duration::hours(4)
}

/// What the new key's last use shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKeyUse {
    /// RAM has no last use for it: nothing signed with it yet, or the
    /// data lags.
    NotUsedYet,
    /// Its last use is older than the swap: ramkey's own check signs with
    /// it too, so this shows no application.
    NotSinceSwap {
        /// RAM's last use.
        last_used: DateTime<Utc>,
    },
    /// Something signed with it since the swap began.
    UsedSinceSwap {
        /// The earliest last-use date ramkey read since the swap began.
        first_seen: DateTime<Utc>,
        /// RAM's last use.
        last_used: DateTime<Utc>,
    },
}

/// What the old key's last use shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldKeyUse {
    /// Used at or after the swap began: something still signs with it.
    Busy {
        /// RAM's last use.
        last_used: DateTime<Utc>,
    },
    /// Last used before the swap began.
    Quiet {
        /// RAM's last use.
        last_used: DateTime<Utc>,
    },
    /// RAM gave no last use: whether it is used cannot be told.
    Unknown,
}

/// The new key's use: `NotUsedYet` without a date, `UsedSinceSwap` from
/// the swap's start on (with the earliest date seen so far, if earlier).
pub fn judge_new(
    last_used: Option<DateTime<Utc>>,
    first_seen: Option<DateTime<Utc>>,
    began: DateTime<Utc>,
) -> NewKeyUse {
    match last_used {
        None => NewKeyUse::NotUsedYet,
        Some(last_used) if last_used < began => NewKeyUse::NotSinceSwap { last_used },
        Some(last_used) => NewKeyUse::UsedSinceSwap {
            first_seen: first_seen
                .filter(|seen| *seen >= began)
                .map_or(last_used, |seen| seen.min(last_used)),
            last_used,
        },
    }
}

/// The old key's use: busy when used at or after the swap began.
pub fn judge_old(last_used: Option<DateTime<Utc>>, began: DateTime<Utc>) -> OldKeyUse {
    match last_used {
        None => OldKeyUse::Unknown,
        Some(last_used) if last_used >= began => OldKeyUse::Busy { last_used },
        Some(last_used) => OldKeyUse::Quiet { last_used },
    }
}

/// When the swap the rotation waits for began: staging when the secret was
/// stored, production when staging was confirmed (or the latest rollback
/// after it, which sent production back to the old key).
///
/// ramkey's own check of the new key signs with it, and RAM records that
/// as a use: a check that worked after the swap began moves the start past
/// it, so the evidence never takes ramkey's read for the application's.
pub fn swap_began(rotation: &Rotation) -> Option<(SwapStage, DateTime<Utc>)> {
    let Progress::MoveToNewUser(step) = &rotation.progress else {
        return None;
    };
    let (stage, began) = match &**step {
        MoveStep::ConfirmStaging { secret_stored, .. } => (SwapStage::Staging, secret_stored.at),
        MoveStep::ConfirmProduction { staging, .. } => {
            let rolled_back = rotation.rollbacks.iter().map(|r| r.record.at).max();
            let began = rolled_back.map_or(staging.at, |at| at.max(staging.at));
            (SwapStage::Production, began)
        }
        _ => return None,
    };
    // Only a check after the swap began moves it: one before it (the usual
    // case, right after CreateAccessKey) is already older than the swap.
    let checked = step.prepared_before_disable().and_then(|prepared| {
        match &prepared.new_key.check {
            // Last-use dates are whole seconds: the check's own second is ramkey's.
            KeyCheck::Verified { at, .. } if *at > began => Some(*at + Duration::seconds(1)),
            _ => None,
        }
    });
    Some((stage, checked.unwrap_or(began)))
}

/// One fact of the evidence, in the words the wizard shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The sentence.
    pub text: String,
    /// Whether it argues against confirming now.
    pub warning: bool,
}

impl Fact {
    fn ok(text: String) -> Self {
        Self {
            text,
            warning: false,
        }
    }

    fn warn(text: String) -> Self {
        Self {
            text,
            warning: true,
        }
    }
}

/// What ramkey read before a swap confirmation, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapEvidence {
    /// Which swap.
    pub stage: SwapStage,
    /// When it began (see [`swap_began`]).
    pub swap_began: DateTime<Utc>,
    /// When the last-use dates were read.
    pub read_at: DateTime<Utc>,
    /// The new user's key.
    pub new_key_id: String,
    /// What its last use shows.
    pub new_key: NewKeyUse,
    /// The key being retired.
    pub old_key_id: String,
    /// What its last use shows.
    pub old_key: OldKeyUse,
}

impl SwapEvidence {
    /// Whether the evidence supports confirming now: only then is yes the
    /// default answer. Staging needs the new key used since the swap (the
    /// old key still serves production); production also needs the old
    /// key quiet.
    pub fn supports_confirming(&self) -> bool {
        let new_used = matches!(self.new_key, NewKeyUse::UsedSinceSwap { .. });
        match self.stage {
            SwapStage::Staging => new_used,
            SwapStage::Production => new_used && matches!(self.old_key, OldKeyUse::Quiet { .. }),
        }
    }

    /// Whether the old key was used since the swap began where it should
    /// not have been: at the production swap.
    pub fn old_key_busy(&self) -> bool {
        self.stage == SwapStage::Production && matches!(self.old_key, OldKeyUse::Busy { .. })
    }

    /// The heading of the evidence.
    pub fn heading(&self) -> String {
        format!(
            "Evidence read {} (the {} swap began {}):",
            self.when(self.read_at),
            self.stage.name(),
            self.when(self.swap_began)
        )
    }

    /// Each fact: the new key, the old key, the lag of RAM's data.
    pub fn facts(&self) -> Vec<Fact> {
        vec![self.new_key_fact(), self.old_key_fact(), self.lag_fact()]
    }

    /// What ramkey advises: confirm, or wait and why.
    pub fn advice(&self) -> String {
        if self.supports_confirming() {
            return match self.stage {
                SwapStage::Staging => "The evidence supports confirming: something signs with \
                                       the new key since the staging swap began."
                    .to_owned(),
                SwapStage::Production => "The evidence supports confirming: the new key is in \
                                          use and the old key has been quiet since the \
                                          production swap began."
                    .to_owned(),
            };
        }
        let why = match (self.stage, self.old_key) {
            (SwapStage::Production, OldKeyUse::Busy { .. }) => {
                "something still signs with the old key (production not switched yet, or \
                 another application); find it, then open this step again to read afresh."
            }
            (SwapStage::Production, OldKeyUse::Unknown) => {
                "ramkey cannot tell whether the old key is still used; check the \
                 application's logs first."
            }
            _ => {
                "nothing has signed with the new key since the swap began; check that the \
                 application reads the new secret, then open this step again to read afresh."
            }
        };
        format!("Advice: wait before confirming: {why}")
    }

    /// One line for the audit log's confirmation entry.
    pub fn audit_detail(&self) -> String {
        let new_key = match self.new_key {
            NewKeyUse::NotUsedYet => "not used yet".to_owned(),
            NewKeyUse::NotSinceSwap { last_used } => {
                format!("not used since the swap (last use {})", stamp(last_used))
            }
            NewKeyUse::UsedSinceSwap {
                first_seen,
                last_used,
            } => format!(
                "in use since the swap (first seen {}, last use {})",
                stamp(first_seen),
                stamp(last_used)
            ),
        };
        let old_key = match self.old_key {
            OldKeyUse::Busy { last_used } => format!("busy (last use {})", stamp(last_used)),
            OldKeyUse::Quiet { last_used } => format!("quiet (last use {})", stamp(last_used)),
            OldKeyUse::Unknown => "last use unknown".to_owned(),
        };
        let verdict = if self.supports_confirming() {
            "the evidence supported confirming"
        } else {
            "the advice was to wait"
        };
        format!(
            "evidence read {}, {} swap began {}: new key {} {new_key}; old key {} {old_key}; \
             {verdict}",
            stamp(self.read_at),
            self.stage.name(),
            stamp(self.swap_began),
            self.new_key_id,
            self.old_key_id
        )
    }

    fn new_key_fact(&self) -> Fact {
        let id = &self.new_key_id;
        match self.new_key {
            NewKeyUse::NotUsedYet => Fact::warn(format!(
                "New key {id}: not used yet (RAM has no last use for it)."
            )),
            NewKeyUse::NotSinceSwap { last_used } => Fact::warn(format!(
                "New key {id}: not used since the swap began; its last use, {}, is older \
                 (ramkey's own check signs with it too).",
                self.when(last_used)
            )),
            NewKeyUse::UsedSinceSwap {
                first_seen,
                last_used,
            } => Fact::ok(format!(
                "New key {id}: in use since the swap began (first seen in use {}, last use {}).",
                self.when(first_seen),
                self.when(last_used)
            )),
        }
    }

    fn old_key_fact(&self) -> Fact {
        let id = &self.old_key_id;
        match (self.old_key, self.stage) {
            (OldKeyUse::Busy { last_used }, SwapStage::Staging) => Fact::ok(format!(
                "Old key {id}: used since the swap began (last use {}), as expected while \
                 production still runs on it.",
                self.when(last_used)
            )),
            (OldKeyUse::Busy { last_used }, SwapStage::Production) => Fact::warn(format!(
                "Old key {id}: still in use: last use {}, after the production swap began.",
                self.when(last_used)
            )),
            (OldKeyUse::Quiet { last_used }, _) => Fact::ok(format!(
                "Old key {id}: not used since the swap began (last use {}).",
                self.when(last_used)
            )),
            (OldKeyUse::Unknown, stage) => {
                let text = format!(
                    "Old key {id}: last use unknown (RAM gave none), which does not mean it is \
                     unused."
                );
                if stage == SwapStage::Production {
                    Fact::warn(text)
                } else {
                    Fact::ok(text)
                }
            }
        }
    }

    fn lag_fact(&self) -> Fact {
        let since = self.read_at - self.swap_began;
        if since >= last_use_lag() {
            return Fact::ok("RAM's last-use dates lag real use by up to a few hours.".to_owned());
        }
        Fact::ok(format!(
            "RAM's last-use dates lag real use by up to a few hours and the swap began {} \
             ago: a use since may not show yet; read again later to be sure.",
            ago(since)
        ))
    }

    /// A time on the day of the reading, or with its date otherwise.
    fn when(&self, at: DateTime<Utc>) -> String {
        if at.date_naive() == self.read_at.date_naive() {
            at.format("%H:%M:%S UTC").to_string()
        } else {
            at.format("%Y-%m-%d %H:%M UTC").to_string()
        }
    }
}

/// `2026-11-01T08:00:00Z`.
fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `45 s`, `12 min`, `3 h`.
fn ago(since: Duration) -> String {
    let seconds = since.num_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        _ => format!("{} h", seconds / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    const BEGAN: &str = "2026-11-01T10:00:00Z";

    fn evidence(stage: SwapStage, new_key: NewKeyUse, old_key: OldKeyUse) -> SwapEvidence {
        SwapEvidence {
            stage,
            swap_began: at(BEGAN),
            read_at: at("2026-11-01T10:05:00Z"),
            new_key_id: "LTAI-NEW".to_owned(),
            new_key,
            old_key_id: "LTAI-OLD".to_owned(),
            old_key,
        }
    }

    fn used() -> NewKeyUse {
        NewKeyUse::UsedSinceSwap {
            first_seen: at("2026-11-01T10:00:00Z"),
            last_used: at("2026-11-01T10:04:00Z"),
        }
    }

    #[test]
    fn the_old_key_is_busy_from_the_swap_on_quiet_before_it_and_unknown_without_a_date() {
        let began = at(BEGAN);
        assert_eq!(
            judge_old(Some(began), began),
            OldKeyUse::Busy { last_used: began }
        );
        let later = at("2026-11-01T12:00:00Z");
        assert_eq!(
            judge_old(Some(later), began),
            OldKeyUse::Busy { last_used: later }
        );
        let before = at("2026-11-01T09:59:59Z");
        assert_eq!(
            judge_old(Some(before), began),
            OldKeyUse::Quiet { last_used: before }
        );
        assert_eq!(judge_old(None, began), OldKeyUse::Unknown);
    }

    #[test]
    fn the_new_key_counts_only_from_the_swap_on_and_keeps_the_earliest_use_seen() {
        let began = at(BEGAN);
        assert_eq!(judge_new(None, None, began), NewKeyUse::NotUsedYet);
        // ramkey's own check, before the swap, shows no application.
        let check = at("2026-11-01T09:30:00Z");
        assert_eq!(
            judge_new(Some(check), None, began),
            NewKeyUse::NotSinceSwap { last_used: check }
        );
        let last = at("2026-11-01T10:04:00Z");
        let first = at("2026-11-01T10:01:00Z");
        assert_eq!(
            judge_new(Some(last), Some(first), began),
            NewKeyUse::UsedSinceSwap {
                first_seen: first,
                last_used: last
            }
        );
        // A first sighting from before the swap (the check) is not kept.
        assert_eq!(
            judge_new(Some(last), Some(check), began),
            NewKeyUse::UsedSinceSwap {
                first_seen: last,
                last_used: last
            }
        );
    }

    #[test]
    fn staging_is_supported_by_the_new_key_alone_and_the_busy_old_key_is_expected() {
        let old = OldKeyUse::Busy {
            last_used: at("2026-11-01T10:04:30Z"),
        };
        let staging = evidence(SwapStage::Staging, used(), old);
        assert!(staging.supports_confirming());
        assert!(!staging.old_key_busy());
        let facts = staging.facts();
        assert!(!facts[1].warning, "{facts:?}");
        assert!(facts[1].text.contains("as expected"), "{facts:?}");

        let unused = evidence(SwapStage::Staging, NewKeyUse::NotUsedYet, old);
        assert!(!unused.supports_confirming());
        assert!(
            unused.advice().starts_with("Advice: wait"),
            "{}",
            unused.advice()
        );
        assert!(unused.facts()[0].warning);
    }

    #[test]
    fn production_waits_while_the_old_key_is_busy_or_unknown() {
        let busy = OldKeyUse::Busy {
            last_used: at("2026-11-01T10:04:30Z"),
        };
        let production = evidence(SwapStage::Production, used(), busy);
        assert!(!production.supports_confirming());
        assert!(production.old_key_busy());
        assert!(production.facts()[1].warning);
        assert!(
            production.advice().contains("still signs with the old key"),
            "{}",
            production.advice()
        );

        let unknown = evidence(SwapStage::Production, used(), OldKeyUse::Unknown);
        assert!(!unknown.supports_confirming());
        assert!(
            unknown.advice().contains("cannot tell"),
            "{}",
            unknown.advice()
        );

        let quiet = OldKeyUse::Quiet {
            last_used: at("2026-11-01T09:58:00Z"),
        };
        let good = evidence(SwapStage::Production, used(), quiet);
        assert!(good.supports_confirming());
        assert!(good.facts().iter().all(|fact| !fact.warning));
        let unused = evidence(SwapStage::Production, NewKeyUse::NotUsedYet, quiet);
        assert!(!unused.supports_confirming());
    }

    #[test]
    fn the_lag_is_always_said_and_a_recent_swap_says_a_use_may_not_show_yet() {
        let quiet = OldKeyUse::Quiet {
            last_used: at("2026-11-01T09:58:00Z"),
        };
        let fresh = evidence(SwapStage::Production, used(), quiet);
        let lag = &fresh.facts()[2].text;
        assert!(lag.contains("lag real use"), "{lag}");
        assert!(lag.contains("5 min ago"), "{lag}");

        let settled = SwapEvidence {
            read_at: at("2026-11-01T15:00:00Z"),
            ..fresh
        };
        let lag = &settled.facts()[2].text;
        assert!(lag.contains("lag real use"), "{lag}");
        assert!(!lag.contains("ago"), "{lag}");
    }

    #[test]
    fn the_audit_line_names_both_keys_their_uses_and_the_advice() {
        let busy = OldKeyUse::Busy {
            last_used: at("2026-11-01T10:04:30Z"),
        };
        let detail = evidence(SwapStage::Production, used(), busy).audit_detail();
        assert_eq!(
            detail,
            "evidence read 2026-11-01T10:05:00Z, production swap began 2026-11-01T10:00:00Z: \
             new key LTAI-NEW in use since the swap (first seen 2026-11-01T10:00:00Z, last use \
             2026-11-01T10:04:00Z); old key LTAI-OLD busy (last use 2026-11-01T10:04:30Z); the \
             advice was to wait"
        );
    }

    #[test]
    fn times_of_another_day_carry_their_date() {
        let old = OldKeyUse::Quiet {
            last_used: at("2026-10-20T07:00:00Z"),
        };
        let text = evidence(SwapStage::Production, used(), old).facts()[1]
            .text
            .clone();
        assert!(text.contains("2026-10-20 07:00 UTC"), "{text}");
        assert!(
            evidence(SwapStage::Staging, used(), old)
                .heading()
                .contains("10:05:00 UTC")
        );
    }
}
