//! Scanning the account through the client: which users hold two Active
//! keys, with the last use of each. Read calls only.
//!
//! Two sources feed the same key checks: every user listed page by page
//! ([`run::listing`](self)), or the candidates of the IMS credential report,
//! each confirmed before it is shown. Calls go through one paced client;
//! progress and findings go to the [`ScanObserver`]. Dropping the future
//! cancels the scan. Knows nothing of terminals, the state file or the
//! rotation engine.

mod confirm;
mod judge;
mod kms;
mod listing;
mod meter;
mod notes;
mod source;
mod tally;

use chrono::{DateTime, Utc};

use super::exempt::Exemptions;
use super::finding::{Finding, ScanReport, ScanStats};
use super::kms::KmsOptions;
use super::progress::{Phase, ScanObserver, SourceKind};
use super::report::ReportUnusable;
use crate::cloud::model::RamUser;
use crate::cloud::{Client, CloudError};
use judge::Found;
use tally::Tally;

/// How many users are checked at once. The pacer, not this number, keeps
/// the request rate within what the account allows; this only bounds the
/// work (and memory) in flight.
const USERS_IN_FLIGHT: usize = 48;

/// Where a scan takes its candidates from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// The credential report when it can be used, else every user.
    #[default]
    Auto,
    /// The credential report only; the scan fails when it cannot be used.
    Report,
    /// Every user's keys, listed one by one.
    Api,
}

/// What a scan needs besides the client.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// A key unused for longer than this many days is idle (default 90).
    pub idle_days: u32,
    /// The moment verdicts are relative to, read from the caller's clock.
    pub now: DateTime<Utc>,
    /// Where the candidates come from.
    pub source: Source,
    /// Users listed as exempt rather than flagged.
    pub exemptions: Exemptions,
    /// A ceiling on requests per second; `None` lets the pacer find the
    /// account's limit.
    pub max_rps: Option<f64>,
    /// Where to look for KMS RAM secrets, and the rotation window.
    pub kms: KmsOptions,
}

impl ScanOptions {
    /// A per-user scan at `now` with no exemptions and no rate ceiling.
    pub fn per_user(idle_days: u32, now: DateTime<Utc>) -> Self {
        Self {
            idle_days,
            now,
            source: Source::Api,
            exemptions: Exemptions::default(),
            max_rps: None,
            kms: KmsOptions::default(),
        }
    }
}

/// Why a scan did not finish.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// A call failed (after the client's retries).
    #[error(transparent)]
    Cloud(#[from] CloudError),
    /// `--source report` and the credential report cannot be used.
    #[error(
        "the credential report cannot be used: {0}\nScan every user instead with \
         --source api (or --source auto, which falls back to it by itself)."
    )]
    ReportUnusable(#[source] ReportUnusable),
}

impl ScanError {
    /// The failed call behind this error, if one is.
    pub fn cloud(&self) -> Option<&CloudError> {
        match self {
            Self::Cloud(error) => Some(error),
            Self::ReportUnusable(_) => None,
        }
    }
}

pub use kms::manager_of as kms_manager_of;
pub use kms::{Manager as KmsManager, look_for_manager as kms_look_for_manager};

/// What the checks found, with each user's place in the listing.
#[derive(Debug, Default)]
struct Gathered {
    source: SourceKind,
    data_as_of: Option<DateTime<Utc>>,
    users_scanned: usize,
    found: Vec<(usize, Found)>,
    notes: Vec<String>,
}

/// Scans the account from `options.source`, telling `observer` how far it
/// is and each confirmed finding. Makes no write calls; a failed listing or
/// call fails the whole scan (no partial report).
pub async fn run(
    client: &Client,
    options: &ScanOptions,
    observer: &dyn ScanObserver,
) -> Result<ScanReport, ScanError> {
    let paced = meter::paced(client, options.max_rps);
    let tally = Tally::new(observer, &paced.meter);
    let caller = paced.client.get_caller_identity().await?;
    let kms = kms::look_up(&paced.client, &options.kms, &tally).await?;

    let gathered = source::gather(&paced.client, options, &kms.managed, &tally).await?;
    Ok(report(gathered, kms.notes, caller, options, &tally))
}

/// The per-user scan (ListUsers, then each user's keys), whatever
/// `options.source` says; for callers that cannot use the report.
pub async fn per_user(
    client: &Client,
    options: &ScanOptions,
    observer: &dyn ScanObserver,
) -> Result<ScanReport, CloudError> {
    let paced = meter::paced(client, options.max_rps);
    let tally = Tally::new(observer, &paced.meter);
    let caller = paced.client.get_caller_identity().await?;
    crate::death::panic_point("scan");
    let kms = kms::look_up(&paced.client, &options.kms, &tally).await?;

    let gathered = listing::scan_all_users(&paced.client, options, &kms.managed, &tally).await?;
    Ok(report(gathered, kms.notes, caller, options, &tally))
}

fn report(
    mut gathered: Gathered,
    kms_notes: Vec<String>,
    caller: crate::cloud::model::CallerIdentity,
    options: &ScanOptions,
    tally: &Tally<'_>,
) -> ScanReport {
    tally.phase(Phase::Done);
    gathered.found.sort_by_key(|(index, _)| *index);
    let (mut flagged, mut exempt, mut kms_managed) = (Vec::new(), Vec::new(), Vec::new());
    for (_, found) in gathered.found {
        match found {
            Found::Flagged(finding) => flagged.push(finding),
            Found::Exempt(user) => exempt.push(user),
            Found::Managed(user) => kms_managed.push(user),
        }
    }
    // The source's notes first (why the report was not used), then KMS's.
    gathered.notes.extend(kms_notes);
    let (calls, throttled) = tally.calls();
    ScanReport {
        account_id: caller.account_id.clone(),
        scanned_at: options.now,
        users_scanned: gathered.users_scanned,
        flagged,
        source: gathered.source,
        data_as_of: gathered.data_as_of.unwrap_or(options.now),
        notes: gathered.notes,
        exempt,
        kms_managed,
        stats: ScanStats {
            calls,
            throttled,
            elapsed_ms: u64::try_from(tally.elapsed().as_millis()).unwrap_or(u64::MAX),
        },
        caller,
        idle_days: options.idle_days,
    }
}

/// One user's finding, or `None` when it does not hold two Active keys.
/// Reads only (ListAccessKeys, then GetAccessKeyLastUsed per Active key);
/// exemptions are not applied (the caller asked for this user).
pub async fn check_user(
    client: &Client,
    user: &RamUser,
    options: &ScanOptions,
) -> Result<Option<Finding>, CloudError> {
    judge::check_user(client, user, options).await
}
