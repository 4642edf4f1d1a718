//! The credential-report fast path: ask IMS for the account's credential
//! report, wait until it is ready, read every page, and keep only the users
//! it shows with two Active keys. Those are candidates, not findings: the
//! scan confirms each with ListAccessKeys and GetAccessKeyLastUsed before
//! showing it, because the report lags and names no AccessKey IDs.
//!
//! When the report cannot be used, [`ReportUnusable`] says why in a
//! sentence `--source auto` prints as its note before scanning user by user.
//! Read calls only. Knows nothing of the state file, the rotation engine or
//! the UI.

mod pages;
pub mod parse;
pub mod row;

use std::time::Duration;

use chrono::{DateTime, Utc};

use pages::{Collector, Next};
pub use pages::{MAX_REPORT_PAGES, ROW_CEILING};
pub use parse::{ReportParseError, ReportReader, parse};
pub use row::{ROOT, ReportFlag, ReportKey, ReportRow, ReportTime};

use super::progress::{Phase, ScanObserver, ScanProgress, SourceKind};
use crate::cloud::model::ReportGeneration;
use crate::cloud::{Client, CloudError};

/// How long to wait for the report to be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// The wait before the second GenerateCredentialReport poll; each later
    /// wait doubles, up to `poll_interval` (a small account's report is often
    /// ready within a second).
    pub first_poll: Duration,
    /// The longest time between two GenerateCredentialReport polls.
    pub poll_interval: Duration,
    /// Total waiting after which the report is given up on.
    pub poll_cap: Duration,
}

impl Default for ReportOptions {
    /// After 250 ms, then doubling to every 2 s, for up to 2 minutes.
    fn default() -> Self {
        Self {
            first_poll: Duration::from_millis(250),
            poll_interval: Duration::from_secs(2),
            poll_cap: Duration::from_secs(120),
        }
    }
}

/// What the report says, reduced to what the scan needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCandidates {
    /// When the report was made: the age of its data (up to 4 hours old,
    /// since IMS hands out a recent report rather than a new one).
    pub generated_at: DateTime<Utc>,
    /// Users in the report, the account itself (`<root>`) not counted.
    pub users_in_report: usize,
    /// UserNames (the UserPrincipalName's part before `@`) of the users the
    /// report shows with two Active keys, in report order.
    pub candidates: Vec<String>,
}

/// Why the credential report cannot be used; its text is the note
/// `--source auto` prints when it scans user by user instead.
#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
pub struct ReportUnusable {
    /// The plain reason, e.g. "the credential report was not ready after 120 s".
    pub reason: String,
    /// The failed call behind it, if one was.
    #[source]
    pub source: Option<CloudError>,
}

impl ReportUnusable {
    /// A reason with no failed call behind it.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            source: None,
        }
    }

    /// A failed report call: a refusal for want of permission says which
    /// permissions to grant; anything else is told as it is.
    pub fn from_call(error: CloudError) -> Self {
        let reason = if is_not_allowed(&error) {
            let code = error.code().unwrap_or_default();
            format!(
                "the credential report is not allowed for this identity ({code}); grant \
                 ram:GenerateCredentialReport and ram:GetCredentialReport to use it"
            )
        } else {
            format!("the credential report could not be read: {error}")
        };
        Self {
            reason,
            source: Some(error),
        }
    }
}

/// `NoPermission`, or one of the `Forbidden…` codes.
fn is_not_allowed(error: &CloudError) -> bool {
    error
        .code()
        .is_some_and(|code| code == "NoPermission" || code.starts_with("Forbidden"))
}

/// Generates the credential report, waits for it, reads every page, and
/// returns the users it shows with two Active keys. Memory grows with the
/// candidates, not with the users: each page's rows are dropped once read.
pub async fn candidates(
    client: &Client,
    observer: &dyn ScanObserver,
    options: &ReportOptions,
) -> Result<ReportCandidates, ReportUnusable> {
    wait_until_ready(client, observer, options).await?;

    let mut collector = Collector::default();
    let mut token: Option<String> = None;
    loop {
        tell(observer, Phase::Downloading, collector.users());
        let page = client
            .get_credential_report(token.as_deref())
            .await
            .map_err(ReportUnusable::from_call)?;
        match collector.take(page)? {
            Next::Fetch(next) => token = Some(next),
            Next::Done => break,
        }
    }
    tell(observer, Phase::Downloading, collector.users());
    Ok(collector.finish())
}

/// Polls GenerateCredentialReport until COMPLETED, first after `first_poll`
/// and then doubling up to every `poll_interval`, through the client's
/// sleeper, for at most `poll_cap` of waiting.
async fn wait_until_ready(
    client: &Client,
    observer: &dyn ScanObserver,
    options: &ReportOptions,
) -> Result<(), ReportUnusable> {
    let mut waited = Duration::ZERO;
    let mut wait = options.first_poll.min(options.poll_interval);
    loop {
        tell(observer, Phase::Generating, 0);
        let state = client
            .generate_credential_report()
            .await
            .map_err(ReportUnusable::from_call)?;
        if state == ReportGeneration::Completed {
            return Ok(());
        }
        if waited + wait > options.poll_cap {
            return Err(ReportUnusable::new(format!(
                "the credential report was not ready after {} s (still {state:?})",
                waited.as_secs()
            )));
        }
        client.retry().sleeper.sleep(wait).await;
        waited += wait;
        wait = (wait * 2).min(options.poll_interval);
    }
}

fn tell(observer: &dyn ScanObserver, phase: Phase, users_listed: usize) {
    observer.progress(&ScanProgress {
        source: SourceKind::Report,
        phase,
        users_listed,
        ..ScanProgress::default()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::ApiError;

    fn refused(code: &str) -> CloudError {
        let mut error = ApiError::new(code, "You are not authorized to do this action.", 403);
        error.action = "GenerateCredentialReport".to_owned();
        error.into()
    }

    #[test]
    fn a_refusal_for_permission_names_what_to_grant() {
        for code in ["NoPermission", "Forbidden.RAM"] {
            let unusable = ReportUnusable::from_call(refused(code));
            let text = unusable.to_string();
            assert!(text.contains("not allowed"), "{text}");
            assert!(text.contains(code), "{text}");
            assert!(text.contains("ram:GetCredentialReport"), "{text}");
            assert_eq!(
                unusable.source.as_ref().and_then(CloudError::code),
                Some(code)
            );
        }
    }

    #[test]
    fn another_failure_is_told_as_it_is() {
        let unusable = ReportUnusable::from_call(refused("InternalError"));
        let text = unusable.to_string();
        assert!(text.contains("could not be read"), "{text}");
        assert!(text.contains("InternalError"), "{text}");
    }
}
