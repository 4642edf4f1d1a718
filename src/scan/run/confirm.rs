//! The report source's second half: each candidate the credential report
//! picked is confirmed with ListAccessKeys and GetAccessKeyLastUsed before it
//! is shown, since the report can be hours old. Its display name (the report
//! has none) comes from a ListUsers listing in pages of 1,000, a few calls
//! for the whole account instead of one GetUser per candidate; a candidate
//! the listing does not hold was deleted since the report and is dropped.
//!
//! Candidates are checked while the listing goes on, at most
//! [`USERS_IN_FLIGHT`] at once; only the candidates' users are kept.

use std::collections::HashMap;

use futures::{StreamExt as _, TryStreamExt as _, stream};

use super::judge::{Found, judge};
use super::tally::Tally;
use super::{ScanOptions, USERS_IN_FLIGHT};
use crate::cloud::model::RamUser;
use crate::cloud::ram::{MAX_USERS_PAGE_SIZE, UserListing};
use crate::cloud::{Client, CloudError};
use crate::scan::kms::ManagedUsers;

/// RAM's answer to a `MaxItems` it does not take (an older ListUsers took
/// at most 100).
const MAX_ITEMS_REFUSED: &str = "InvalidParameter.MaxItems";

/// The confirmed candidates, each with its place in `candidates`.
pub(super) async fn confirm(
    client: &Client,
    candidates: &[String],
    options: &ScanOptions,
    managed: &ManagedUsers,
    tally: &Tally<'_>,
) -> Result<Vec<(usize, Found)>, CloudError> {
    let wanted: HashMap<&str, usize> = candidates
        .iter()
        .enumerate()
        .map(|(index, name)| (name.as_str(), index))
        .collect();
    let (listing, Some(first)) = first_page(client).await? else {
        return Ok(dropped_all(candidates.len(), tally));
    };

    let later = stream::try_unfold(listing, |mut listing| async move {
        let page = listing.next_page(client).await?;
        Ok::<_, CloudError>(page.map(|users| (users, listing)))
    });
    let pages = stream::once(async { Ok::<_, CloudError>(first) }).chain(later);
    let wanted = &wanted;
    let picked = pages
        .map_ok(|users| {
            let picked: Vec<_> = users
                .into_iter()
                .filter_map(|user| {
                    let index = *wanted.get(user.user_name.as_str())?;
                    Some(Ok::<_, CloudError>((index, user)))
                })
                .collect();
            stream::iter(picked)
        })
        .try_flatten();

    let mut confirmed: Vec<(usize, Found)> = Vec::new();
    let mut seen = 0;
    let mut checks = std::pin::pin!(
        picked
            .map_ok(|(index, user)| async move {
                let found = judge(client, &user, options, managed, tally).await?;
                Ok((index, found))
            })
            .try_buffer_unordered(USERS_IN_FLIGHT)
    );
    while let Some((index, found)) = checks.try_next().await? {
        seen += 1;
        if let Some(found) = found {
            confirmed.push((index, found));
        }
    }
    // Deleted since the report: checked, and nothing to show.
    for _ in seen..candidates.len() {
        tally.user_checked();
    }
    Ok(confirmed)
}

/// The listing and its first page in pages of 1,000, or of the default size
/// when this ListUsers refuses that `MaxItems`.
async fn first_page(client: &Client) -> Result<(UserListing, Option<Vec<RamUser>>), CloudError> {
    let mut listing = UserListing::with_page_size(MAX_USERS_PAGE_SIZE);
    match listing.next_page(client).await {
        Ok(page) => Ok((listing, page)),
        Err(error) if error.code() == Some(MAX_ITEMS_REFUSED) => {
            let mut listing = UserListing::new();
            let page = listing.next_page(client).await?;
            Ok((listing, page))
        }
        Err(error) => Err(error),
    }
}

/// No user listed at all: every candidate is gone.
fn dropped_all(candidates: usize, tally: &Tally<'_>) -> Vec<(usize, Found)> {
    for _ in 0..candidates {
        tally.user_checked();
    }
    Vec::new()
}
