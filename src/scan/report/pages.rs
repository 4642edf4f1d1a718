//! Gathering the candidates page by page, as a pure state machine: each
//! page's rows are read and dropped at once, keeping only the users the
//! report shows with two Active keys; it says which NextToken to ask for
//! next, and when the pages cannot be trusted (a repeated or missing token,
//! a report regenerated between pages, a single page at an old server's
//! row ceiling).
//!
//! Knows nothing of HTTP; `candidates` in the parent module drives it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::parse::ReportReader;
use super::{ReportCandidates, ReportUnusable};
use crate::cloud::model::CredentialReportPage;

/// An older server (before paging, 2023-09) returns at most 3,501 rows,
/// `<root>` included, in one page: a lone page with this many users may
/// have been cut off.
pub const ROW_CEILING: usize = 3_500;

/// The most pages read for one report: at 3,500 users a page, far more
/// users than RAM lets an account hold, so only a server handing out new
/// tokens without end reaches it.
pub const MAX_REPORT_PAGES: usize = 1_000;

/// What the reading needs after a page.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// Ask for the page at this NextToken.
    Fetch(String),
    /// The last page is in.
    Done,
}

/// The candidates so far and what is needed to tell a stuck server.
#[derive(Debug, Default)]
pub(super) struct Collector {
    reader: ReportReader,
    generated_at: Option<DateTime<Utc>>,
    tokens_seen: HashSet<String>,
    pages: usize,
    users: usize,
    candidates: Vec<String>,
    candidate_names: HashSet<String>,
}

impl Collector {
    /// Takes one page in and says what to fetch next, or why the report
    /// cannot be used.
    pub fn take(&mut self, page: CredentialReportPage) -> Result<Next, ReportUnusable> {
        self.pages += 1;
        self.check_generation(page.generated_at)?;
        self.read_rows(&page.csv)?;

        if !page.is_truncated {
            return self.last_page();
        }
        let token = page.next_token.ok_or_else(|| {
            ReportUnusable::new(
                "GetCredentialReport said more pages follow (IsTruncated) but sent no \
                 NextToken, so the report would be incomplete",
            )
        })?;
        if !self.tokens_seen.insert(token.clone()) {
            return Err(ReportUnusable::new(format!(
                "GetCredentialReport returned NextToken {token:?} twice, so its pages do not \
                 advance and the report would be incomplete"
            )));
        }
        if self.pages >= MAX_REPORT_PAGES {
            return Err(ReportUnusable::new(format!(
                "GetCredentialReport still had more pages after {} pages, more than any \
                 account's report has, so ramkey stopped reading it",
                self.pages
            )));
        }
        Ok(Next::Fetch(token))
    }

    /// Users read so far (rows other than `<root>`).
    pub fn users(&self) -> usize {
        self.users
    }

    /// What was gathered; call once [`Collector::take`] said
    /// [`Next::Done`].
    pub fn finish(self) -> ReportCandidates {
        ReportCandidates {
            generated_at: self.generated_at.unwrap_or_default(),
            users_in_report: self.users,
            candidates: self.candidates,
        }
    }

    /// Every page must come from the same report: one made anew between two
    /// pages would mix two moments' data.
    fn check_generation(&mut self, generated_at: DateTime<Utc>) -> Result<(), ReportUnusable> {
        match self.generated_at {
            None => {
                self.generated_at = Some(generated_at);
                Ok(())
            }
            Some(first) if first == generated_at => Ok(()),
            Some(first) => Err(ReportUnusable::new(format!(
                "the credential report was made anew while it was read (page 1 is from \
                 {first}, page {} from {generated_at}), so its pages do not fit together",
                self.pages
            ))),
        }
    }

    fn read_rows(&mut self, csv: &str) -> Result<(), ReportUnusable> {
        let Self {
            reader,
            users,
            candidates,
            candidate_names,
            ..
        } = self;
        reader
            .read_page(csv, |row| {
                if row.is_root() {
                    return;
                }
                *users += 1;
                // Two or more: a user from before the two-key limit may hold
                // more; the confirming calls decide.
                if row.active_keys() >= 2 && candidate_names.insert(row.user_name().to_owned()) {
                    candidates.push(row.user_name().to_owned());
                }
            })
            .map(|_| ())
            .map_err(|error| {
                ReportUnusable::new(format!("the credential report cannot be read: {error}"))
            })
    }

    fn last_page(&self) -> Result<Next, ReportUnusable> {
        if self.pages == 1 && self.users >= ROW_CEILING {
            return Err(ReportUnusable::new(format!(
                "the credential report came as one page of {} users without paging; a server \
                 without paging stops at {ROW_CEILING} users, so later users may be missing",
                self.users
            )));
        }
        Ok(Next::Done)
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use chrono::TimeZone as _;

    use super::*;

    const HEADER: &str = "user,access_key_1_exist,access_key_1_active,\
        access_key_1_last_rotated,access_key_1_last_used,access_key_2_exist,\
        access_key_2_active,access_key_2_last_rotated,access_key_2_last_used\n";

    fn row(user: &str, second_active: bool) -> String {
        let second = if second_active { "TRUE" } else { "FALSE" };
        format!("{user}@acme.onaliyun.com,TRUE,TRUE,2020-01-01T00:00:00Z,-,TRUE,{second},-,-\n")
    }

    fn generated() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 8, 0, 0).unwrap()
    }

    fn page(csv: String, next_token: Option<&str>) -> CredentialReportPage {
        CredentialReportPage {
            generated_at: generated(),
            csv,
            is_truncated: next_token.is_some(),
            next_token: next_token.map(str::to_owned),
        }
    }

    fn rows(users: std::ops::Range<usize>, flagged_every: usize) -> String {
        let mut csv = String::new();
        for n in users {
            let _ = write!(csv, "{}", row(&format!("u{n:05}"), n % flagged_every == 0));
        }
        csv
    }

    #[test]
    fn pages_are_joined_and_only_candidates_are_kept() {
        let mut collector = Collector::default();
        let first = format!(
            "{HEADER}<root>,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n{}",
            rows(0..3, 2)
        );
        assert_eq!(
            collector.take(page(first, Some("t2"))).unwrap(),
            Next::Fetch("t2".to_owned())
        );
        let second = format!("{HEADER}{}", rows(3..6, 2));
        assert_eq!(collector.take(page(second, None)).unwrap(), Next::Done);

        let gathered = collector.finish();
        assert_eq!(gathered.users_in_report, 6, "<root> is not a user");
        assert_eq!(gathered.candidates, ["u00000", "u00002", "u00004"]);
        assert_eq!(gathered.generated_at, generated());
    }

    #[test]
    fn a_user_on_two_pages_is_a_candidate_once() {
        let mut collector = Collector::default();
        collector
            .take(page(format!("{HEADER}{}", row("app", true)), Some("t2")))
            .unwrap();
        collector.take(page(row("app", true), None)).unwrap();
        assert_eq!(collector.finish().candidates, ["app"]);
    }

    #[test]
    fn a_repeated_or_missing_token_ends_with_a_reason() {
        let mut collector = Collector::default();
        collector
            .take(page(format!("{HEADER}{}", rows(0..2, 1)), Some("t2")))
            .unwrap();
        let error = collector.take(page(rows(2..4, 1), Some("t2"))).unwrap_err();
        assert!(error.reason.contains("NextToken \"t2\" twice"), "{error}");

        let mut collector = Collector::default();
        let mut truncated = page(HEADER.to_owned(), None);
        truncated.is_truncated = true;
        let error = collector.take(truncated).unwrap_err();
        assert!(error.reason.contains("sent no NextToken"), "{error}");
    }

    #[test]
    fn a_report_made_anew_between_pages_is_refused() {
        let mut collector = Collector::default();
        collector.take(page(HEADER.to_owned(), Some("t2"))).unwrap();
        let mut later = page(rows(0..1, 1), None);
        later.generated_at = generated() + chrono::Duration::hours(4);
        let error = collector.take(later).unwrap_err();
        assert!(error.reason.contains("made anew"), "{error}");
    }

    #[test]
    fn one_unpaged_page_at_the_ceiling_is_refused_one_below_is_not() {
        let root = "<root>,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n";
        let mut collector = Collector::default();
        let full = format!("{HEADER}{root}{}", rows(0..ROW_CEILING, 100));
        let error = collector.take(page(full, None)).unwrap_err();
        assert!(error.reason.contains("one page of 3500 users"), "{error}");
        assert!(error.source.is_none());

        let mut collector = Collector::default();
        let below = format!("{HEADER}{root}{}", rows(0..ROW_CEILING - 1, 100));
        assert_eq!(collector.take(page(below, None)).unwrap(), Next::Done);
        assert_eq!(collector.finish().candidates.len(), 35);
    }

    #[test]
    fn many_users_over_several_pages_are_not_at_the_ceiling() {
        let mut collector = Collector::default();
        let first = format!("{HEADER}{}", rows(0..ROW_CEILING, 100));
        collector.take(page(first, Some("t2"))).unwrap();
        collector
            .take(page(rows(ROW_CEILING..ROW_CEILING + 10, 100), None))
            .unwrap();
        assert_eq!(collector.users(), ROW_CEILING + 10);
    }

    #[test]
    fn an_unreadable_page_says_where() {
        let mut collector = Collector::default();
        let broken = format!(
            "{HEADER}{}",
            row("app", true).replace("2020-01-01", "Jan 1")
        );
        let error = collector.take(page(broken, None)).unwrap_err();
        assert!(error.reason.contains("cannot be read"), "{error}");
        assert!(error.reason.contains("page 1, line 2"), "{error}");
    }
}
