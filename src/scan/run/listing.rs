//! The per-user source: ListUsers pages streamed into the key checks.
//!
//! Pages are fetched as the checks need more users, while earlier users are
//! still being checked; at most [`USERS_IN_FLIGHT`] users are checked at
//! once, in any order, and only users worth listing are kept, with their
//! place in the listing. A listing the paging cannot trust (a repeated
//! Marker, say) fails the scan: no partial report.

use futures::{StreamExt as _, TryStreamExt as _, stream};

use super::judge::judge;
use super::tally::Tally;
use super::{Gathered, ScanOptions, USERS_IN_FLIGHT};
use crate::cloud::ram::UserListing;
use crate::cloud::{Client, CloudError};
use crate::scan::kms::ManagedUsers;
use crate::scan::progress::{Phase, SourceKind};

/// Lists every user and checks each one's keys.
pub(super) async fn scan_all_users(
    client: &Client,
    options: &ScanOptions,
    managed: &ManagedUsers,
    tally: &Tally<'_>,
) -> Result<Gathered, CloudError> {
    tally.source(SourceKind::Api);
    tally.phase(Phase::Listing);

    let pages = stream::try_unfold(UserListing::new(), |mut listing| async move {
        let page = listing.next_page(client).await?;
        tally.listed(listing.progress().users, listing.is_over());
        Ok::<_, CloudError>(page.map(|users| (users, listing)))
    });
    let users = pages
        .map_ok(|users| stream::iter(users.into_iter().map(Ok::<_, CloudError>)))
        .try_flatten()
        .enumerate()
        .map(|(index, user)| user.map(|user| (index, user)));

    let mut gathered = Gathered {
        source: SourceKind::Api,
        ..Gathered::default()
    };
    let mut checks = std::pin::pin!(
        users
            .map_ok(|(index, user)| async move {
                let found = judge(client, &user, options, managed, tally).await?;
                Ok((index, found))
            })
            .try_buffer_unordered(USERS_IN_FLIGHT)
    );
    while let Some((index, found)) = checks.try_next().await? {
        gathered.users_scanned += 1;
        if let Some(found) = found {
            gathered.found.push((index, found));
        }
    }
    Ok(gathered)
}
