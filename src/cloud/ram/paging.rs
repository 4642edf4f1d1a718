//! ListUsers Marker paging as a pure state machine: which Marker to ask for
//! next, when the listing is complete, and when a server's answers cannot be
//! trusted to end (a repeated Marker, a missing one, or more pages than any
//! real account has).
//!
//! Knows nothing of HTTP; `Client::list_all_users_with_progress` drives it.

use std::collections::HashSet;

use super::ListProgress;
use crate::cloud::error::CloudError;
use crate::cloud::model::{Page, RamUser};

/// The most ListUsers pages ramkey fetches for one listing. At 100 users a
/// page that is a million users, far above what RAM lets one account hold
/// (about a thousand by default), so only a server that hands out new
/// Markers without end reaches it.
pub const MAX_USER_PAGES: usize = 10_000;

/// What the listing needs after a page.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// Ask for the page at this Marker.
    Fetch(String),
    /// The last page is in.
    Done,
}

/// The users gathered so far and what is needed to tell a stuck server.
#[derive(Debug, Default)]
pub(super) struct UserPager {
    users: Vec<RamUser>,
    user_ids: HashSet<String>,
    markers_seen: HashSet<String>,
    pages: usize,
}

impl UserPager {
    /// Takes one page in: keeps its users not seen before (by `UserId`) and
    /// says what to fetch next, or why the listing cannot be trusted.
    pub fn take(&mut self, page: Page<RamUser>) -> Result<Next, CloudError> {
        self.pages += 1;
        for user in page.items {
            if self.user_ids.insert(user.user_id.clone()) {
                self.users.push(user);
            }
        }

        if !page.is_truncated {
            return Ok(Next::Done);
        }
        let marker = page.marker.ok_or(CloudError::PaginationWithoutMarker)?;
        if !self.markers_seen.insert(marker.clone()) {
            return Err(CloudError::PaginationDidNotAdvance { marker });
        }
        if self.pages >= MAX_USER_PAGES {
            return Err(CloudError::PaginationTooLong { pages: self.pages });
        }
        Ok(Next::Fetch(marker))
    }

    /// Pages taken and distinct users kept so far.
    pub fn progress(&self) -> ListProgress {
        ListProgress {
            pages: self.pages,
            users: self.users.len(),
        }
    }

    /// The users, in the order they were first listed.
    pub fn into_users(self) -> Vec<RamUser> {
        self.users
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: usize) -> RamUser {
        RamUser {
            user_id: format!("id-{id}"),
            user_name: format!("u{id}"),
            display_name: String::new(),
            comments: String::new(),
            create_date: None,
        }
    }

    fn page(ids: &[usize], marker: Option<&str>) -> Page<RamUser> {
        Page {
            items: ids.iter().copied().map(user).collect(),
            is_truncated: marker.is_some(),
            marker: marker.map(str::to_owned),
        }
    }

    #[test]
    fn endless_new_markers_stop_at_the_page_bound() {
        let mut pager = UserPager::default();
        for n in 1..MAX_USER_PAGES {
            let marker = format!("m{n}");
            assert_eq!(
                pager.take(page(&[], Some(&marker))).unwrap(),
                Next::Fetch(marker)
            );
        }

        let error = pager.take(page(&[], Some("one-more"))).unwrap_err();

        assert!(
            matches!(error, CloudError::PaginationTooLong { pages } if pages == MAX_USER_PAGES),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(text.contains("10000 pages"), "{text}");
        assert!(text.contains("incomplete"), "{text}");
    }

    #[test]
    fn a_listing_that_ends_on_the_last_allowed_page_is_complete() {
        let mut pager = UserPager::default();
        for n in 1..MAX_USER_PAGES {
            pager.take(page(&[n], Some(&format!("m{n}")))).unwrap();
        }

        assert_eq!(pager.take(page(&[0], None)).unwrap(), Next::Done);
        assert_eq!(pager.into_users().len(), MAX_USER_PAGES);
    }

    #[test]
    fn duplicates_are_kept_once_and_progress_counts_distinct_users() {
        let mut pager = UserPager::default();
        pager.take(page(&[1, 2], Some("m2"))).unwrap();
        pager.take(page(&[2, 3], None)).unwrap();

        assert_eq!(pager.progress(), ListProgress { pages: 2, users: 3 });
        let names: Vec<_> = pager
            .into_users()
            .into_iter()
            .map(|u| u.user_name)
            .collect();
        assert_eq!(names, ["u1", "u2", "u3"]);
    }
}
