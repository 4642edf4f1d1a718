//! The simulated applications of an account (the living demo): each has a
//! staging and a production deployment signing requests with an AccessKey
//! every few seconds, so the keys' last use moves as it does in life; a
//! deployment switched to another key signs with that one from then on.
//!
//! Lazy and deterministic: nothing runs on a timer. Before each request
//! (and each look at the account) [`run`] records the latest use each
//! deployment made up to "now" by the sandbox clock, so a test moves a fixed
//! clock and sees exactly the uses that time implies, and a clock jumped
//! ahead finds the applications kept working meanwhile. Only Active keys
//! are used: a disabled key's requests are refused and leave no last use.
//! Depends on the account types only.

use std::num::NonZeroU32;

use chrono::{DateTime, Duration, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::account::{Account, AccountDate};
use crate::cloud::model::KeyStatus;

/// An application that uses keys of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Application {
    /// What it is, for people (`Jenkins release pipeline`).
    pub name: String,
    /// Each deployment signs a request this often.
    pub every_seconds: NonZeroU32,
    /// Its staging deployment.
    pub staging: Deployment,
    /// Its production deployment.
    pub production: Deployment,
}

/// One deployment of an application and the key it signs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Deployment {
    /// The AccessKey it signs with (it may have been deleted since).
    pub access_key_id: String,
    /// From when it signs with that key: its first request then, the next
    /// every `EverySeconds`. Absent: since before the sandbox started, every
    /// `EverySeconds` counted from 1970-01-01.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
}

/// Which deployment of an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Staging.
    Staging,
    /// Production.
    Production,
}

impl Stage {
    /// `staging` or `production`.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Staging => "staging",
            Stage::Production => "production",
        }
    }
}

impl Application {
    fn deployment(&self, stage: Stage) -> &Deployment {
        match stage {
            Stage::Staging => &self.staging,
            Stage::Production => &self.production,
        }
    }

    fn deployment_mut(&mut self, stage: Stage) -> &mut Deployment {
        match stage {
            Stage::Staging => &mut self.staging,
            Stage::Production => &mut self.production,
        }
    }

    fn period(&self) -> TimeDelta {
        Duration::seconds(i64::from(self.every_seconds.get()))
    }

    fn uses(&self, key_id: &str) -> bool {
        [&self.staging, &self.production]
            .iter()
            .any(|deployment| deployment.access_key_id == key_id)
    }
}

impl Deployment {
    /// Its latest request at or before `now`, if it made one.
    fn latest_use(&self, period: TimeDelta, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let step = period.num_seconds().max(1);
        let start = self.since.unwrap_or(DateTime::UNIX_EPOCH);
        if now < start {
            return None;
        }
        let steps = (now - start).num_seconds() / step;
        Some(start + Duration::seconds(steps * step))
    }
}

/// Records every use the applications made up to `now` as the keys' last
/// use (only ever moving it forward, and only on Active keys).
pub fn run(account: &mut Account, now: DateTime<Utc>) {
    let uses: Vec<(String, DateTime<Utc>)> = account
        .applications
        .iter()
        .flat_map(|app| {
            [Stage::Staging, Stage::Production].map(|stage| {
                let deployment = app.deployment(stage);
                let at = deployment.latest_use(app.period(), now);
                at.map(|at| (deployment.access_key_id.clone(), at))
            })
        })
        .flatten()
        .collect();
    for (key_id, at) in uses {
        let Some(key) = account.key_mut(&key_id) else {
            continue;
        };
        let last = key.last_used_date.map(|date| date.resolve(now));
        if key.status == KeyStatus::Active && last.is_none_or(|last| last < at) {
            key.last_used_date = Some(AccountDate::At(at));
        }
    }
}

/// Why a deployment could not be switched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SwitchError {
    /// No application's deployment signs with that key.
    #[error("no application's {stage} signs with {key_id}")]
    NotUsed {
        /// `staging` or `production`.
        stage: &'static str,
        /// The key asked about.
        key_id: String,
    },
}

/// Switches the `stage` deployment that signs with `from` to `to`, from
/// `at` on (its first request with `to` is at `at`). Returns the
/// application's name.
///
/// The uses before `at` are recorded first. A use of `from` recorded at or
/// after `at` (a request the sandbox saw between `at` and this call) is
/// taken back when no deployment signs with `from` any more: the
/// application had switched by then.
pub fn switch(
    account: &mut Account,
    stage: Stage,
    from: &str,
    to: &str,
    at: DateTime<Utc>,
) -> Result<String, SwitchError> {
    let before = at - Duration::milliseconds(1);
    run(account, before);
    let app = account
        .applications
        .iter_mut()
        .find(|app| app.deployment(stage).access_key_id == from)
        .ok_or_else(|| SwitchError::NotUsed {
            stage: stage.name(),
            key_id: from.to_owned(),
        })?;
    let last_before = app.deployment(stage).latest_use(app.period(), before);
    *app.deployment_mut(stage) = Deployment {
        access_key_id: to.to_owned(),
        since: Some(at),
    };
    let name = app.name.clone();

    let still_used = account.applications.iter().any(|app| app.uses(from));
    if !still_used {
        if let Some(key) = account.key_mut(from) {
            let last = key.last_used_date.map(|date| date.resolve(at));
            if last.is_some_and(|last| last >= at) {
                key.last_used_date = last_before.map(AccountDate::At);
            }
        }
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn deployment(since: Option<&str>) -> Deployment {
        Deployment {
            access_key_id: "K".to_owned(),
            since: since.map(at),
        }
    }

    #[test]
    fn a_deployment_signs_on_its_grid_from_its_start() {
        let every = Duration::seconds(10);
        let old = deployment(None);
        assert_eq!(
            old.latest_use(every, at("2026-11-01T08:00:07Z")),
            Some(at("2026-11-01T08:00:00Z"))
        );
        let new = deployment(Some("2026-11-01T08:00:03Z"));
        assert_eq!(new.latest_use(every, at("2026-11-01T08:00:02Z")), None);
        assert_eq!(
            new.latest_use(every, at("2026-11-01T08:00:03Z")),
            Some(at("2026-11-01T08:00:03Z"))
        );
        assert_eq!(
            new.latest_use(every, at("2026-11-01T08:00:25Z")),
            Some(at("2026-11-01T08:00:23Z"))
        );
    }
}
