//! Choosing the source: the credential report's candidates (confirmed one
//! by one), or every user. Auto falls back to every user when the report
//! cannot be used, and says why in a note (told to the observer and kept
//! in the report); `Source::Report` fails instead.

use super::tally::Tally;
use super::{Gathered, ScanError, ScanOptions, Source, confirm, listing, notes};
use crate::cloud::{Client, CloudError};
use crate::scan::kms::ManagedUsers;
use crate::scan::progress::SourceKind;
use crate::scan::report::{self, ReportOptions, ReportUnusable};

/// The findings from the source `options` asks for.
pub(super) async fn gather(
    client: &Client,
    options: &ScanOptions,
    managed: &ManagedUsers,
    tally: &Tally<'_>,
) -> Result<Gathered, ScanError> {
    match options.source {
        Source::Api => Ok(listing::scan_all_users(client, options, managed, tally).await?),
        Source::Report => from_report(client, options, managed, tally)
            .await?
            .map_err(ScanError::ReportUnusable),
        Source::Auto => match from_report(client, options, managed, tally).await? {
            Ok(gathered) => Ok(gathered),
            Err(unusable) => Ok(fall_back(client, options, managed, tally, &unusable).await?),
        },
    }
}

/// The report's candidates, each confirmed; `Ok(Err(..))` when the report
/// cannot be used, `Err` when a confirming call failed.
async fn from_report(
    client: &Client,
    options: &ScanOptions,
    managed: &ManagedUsers,
    tally: &Tally<'_>,
) -> Result<Result<Gathered, ReportUnusable>, CloudError> {
    tally.source(SourceKind::Report);
    let picked = match report::candidates(client, tally.observer(), &ReportOptions::default()).await
    {
        Ok(picked) => picked,
        Err(unusable) => return Ok(Err(unusable)),
    };

    let age = notes::data_age(picked.generated_at, options.now);
    tally.note(&age);
    tally.total(picked.candidates.len());
    let found = confirm::confirm(client, &picked.candidates, options, managed, tally).await?;
    Ok(Ok(Gathered {
        source: SourceKind::Report,
        data_as_of: Some(picked.generated_at),
        users_scanned: picked.users_in_report,
        found,
        notes: vec![age],
    }))
}

/// Every user, with a note saying why the report was not used.
async fn fall_back(
    client: &Client,
    options: &ScanOptions,
    managed: &ManagedUsers,
    tally: &Tally<'_>,
    unusable: &ReportUnusable,
) -> Result<Gathered, CloudError> {
    let note = format!("scanned every user instead of using the credential report: {unusable}");
    tally.note(&note);
    let mut gathered = listing::scan_all_users(client, options, managed, tally).await?;
    gathered.notes.push(note);
    Ok(gathered)
}
