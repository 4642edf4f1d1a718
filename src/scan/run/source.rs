//! Choosing the source: the credential report's candidates, or every user.
//! Auto falls back to every user when the report cannot be used, and says
//! why in a note (told to the observer and kept in the report).

use super::tally::Tally;
use super::{Gathered, ScanError, ScanOptions, Source, listing};
use crate::cloud::Client;

/// The findings from the source `options` asks for.
pub(super) async fn gather(
    client: &Client,
    options: &ScanOptions,
    tally: &Tally<'_>,
) -> Result<Gathered, ScanError> {
    match options.source {
        Source::Api => Ok(listing::scan_all_users(client, options, tally).await?),
        Source::Report => Err(ScanError::ReportUnusable {
            reason: REPORT_NOT_BUILT.to_owned(),
        }),
        Source::Auto => {
            let note = format!("scanned every user: {REPORT_NOT_BUILT}");
            tally.note(&note);
            let mut gathered = listing::scan_all_users(client, options, tally).await?;
            gathered.notes.push(note);
            Ok(gathered)
        }
    }
}

// TODO: read the candidates with `scan::report::candidates` (branch `report`) and
// confirm them with `confirm::confirm`; until it is merged the report cannot be used.
const REPORT_NOT_BUILT: &str = "this build of ramkey cannot read the credential report yet";
