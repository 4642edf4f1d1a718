//! The report source's second half: each candidate the credential report
//! picked is confirmed with GetUser (its display name), ListAccessKeys and
//! GetAccessKeyLastUsed before it is shown, since the report can be hours
//! old. A candidate deleted since the report is dropped.

use futures::{StreamExt as _, TryStreamExt as _, stream};

use super::judge::{Found, judge};
use super::tally::Tally;
use super::{ScanOptions, USERS_IN_FLIGHT};
use crate::cloud::{Client, CloudError};
use crate::scan::kms::ManagedUsers;

/// RAM's answer for a user that does not exist (any more).
const NO_SUCH_USER: &str = "EntityNotExist.User";

/// The confirmed candidates, each with its place in `candidates`.
pub(super) async fn confirm(
    client: &Client,
    candidates: &[String],
    options: &ScanOptions,
    managed: &ManagedUsers,
    tally: &Tally<'_>,
) -> Result<Vec<(usize, Found)>, CloudError> {
    stream::iter(candidates.iter().enumerate())
        .map(|(index, name)| async move {
            let found = confirm_one(client, name, options, managed, tally).await?;
            Ok::<_, CloudError>(found.map(|found| (index, found)))
        })
        .buffer_unordered(USERS_IN_FLIGHT)
        .try_filter_map(|found| async move { Ok(found) })
        .try_collect()
        .await
}

async fn confirm_one(
    client: &Client,
    name: &str,
    options: &ScanOptions,
    managed: &ManagedUsers,
    tally: &Tally<'_>,
) -> Result<Option<Found>, CloudError> {
    let user = match client.get_user(name).await {
        Ok(user) => user,
        Err(error) if error.code() == Some(NO_SUCH_USER) => {
            tally.user_checked();
            return Ok(None);
        }
        Err(error) => return Err(error),
    };
    judge(client, &user, options, managed, tally).await
}
