//! The findings list's `/` filter: which rows match what the admin typed.
//!
//! Each word of the query must appear, ignoring case, in the user name,
//! the display name, a key's AccessKeyId, a key's verdict ("idle", "in
//! use"…) or a row's mark ("exempt", "KMS-managed", "own key"); the rows
//! keep their order. Pure, and allocation-free per row for ASCII words and
//! for names without upper-case letters (Chinese ones), so narrowing 10,000
//! rows on each key press stays cheap.
//! Depends on [`crate::ui::view`] only.

use crate::ui::view::UserView;

/// The filter line's state: what is typed, whether it is being typed, and
/// the rows it lets through (indices into the snapshot's users).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterLine {
    /// The query as typed.
    pub query: String,
    /// Whether keys go to the line (after `/`), or it only narrows (after
    /// Enter).
    pub editing: bool,
    /// The matching rows, in list order.
    pub rows: Vec<usize>,
}

impl FilterLine {
    /// An empty line being typed into, letting every one of `users` through.
    pub fn open(users: &[UserView]) -> Self {
        Self {
            query: String::new(),
            editing: true,
            rows: (0..users.len()).collect(),
        }
    }

    /// Matches the rows again, after the query or the users changed.
    pub fn refresh(&mut self, users: &[UserView]) {
        self.rows = filter(users, &self.query);
    }
}

/// The indices of the `users` matching `query`, in order; every index when
/// the query has no words.
pub fn filter(users: &[UserView], query: &str) -> Vec<usize> {
    let query = query.to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    users
        .iter()
        .enumerate()
        .filter(|(_, user)| words.iter().all(|word| mentions(user, word)))
        .map(|(index, _)| index)
        .collect()
}

/// Whether `word` (lower case) appears in any field of `user` the filter
/// looks at.
fn mentions(user: &UserView, word: &str) -> bool {
    contains(&user.user_name, word)
        || contains(&user.display_name, word)
        || user
            .keys
            .iter()
            .any(|key| contains(&key.access_key_id, word) || contains(key.verdict.label(), word))
        || user.marks.iter().any(|mark| contains(&mark.label(), word))
}

/// Whether `haystack` contains `needle` (lower case), ignoring case.
fn contains(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.is_ascii() {
        // An ASCII byte never occurs inside a multi-byte UTF-8 character,
        // so comparing bytes cannot match half a character.
        return contains_ascii_ignoring_case(haystack.as_bytes(), needle.as_bytes());
    }
    // The needle is lower case and holds a character outside ASCII: a
    // haystack of ASCII only lowers to ASCII only, so it cannot match.
    if haystack.is_ascii() {
        return false;
    }
    if haystack.contains(needle) {
        return true;
    }
    // Only a haystack with upper-case letters (Latin, Greek, Cyrillic…)
    // needs lowering; Chinese names have none and are never copied.
    haystack.chars().any(char::is_uppercase) && haystack.to_lowercase().contains(needle)
}

/// Whether ASCII `needle` occurs in `haystack`, ignoring ASCII case: only
/// the places where the needle's first byte (either case) occurs are
/// compared, found with `memchr`.
fn contains_ascii_ignoring_case(haystack: &[u8], needle: &[u8]) -> bool {
    let Some(last_start) = haystack.len().checked_sub(needle.len()) else {
        return false;
    };
    let (lower, upper) = (
        needle[0].to_ascii_lowercase(),
        needle[0].to_ascii_uppercase(),
    );
    let starts = &haystack[..=last_start];
    memchr::memchr2_iter(lower, upper, starts)
        .any(|at| haystack[at..at + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::view::{KeyView, Verdict};

    fn user(name: &str, display: &str, keys: &[(&str, Verdict)]) -> UserView {
        let keys = keys
            .iter()
            .map(|(id, verdict)| KeyView::seen(id, *verdict, None))
            .collect();
        UserView::listed(name, display, keys)
    }

    fn users() -> Vec<UserView> {
        vec![
            user(
                "alice",
                "Alice Wang",
                &[
                    ("LTAI5tAliceA", Verdict::Idle),
                    ("LTAI5tAliceB", Verdict::InUse),
                ],
            ),
            user(
                "ops-zhangsan",
                "运维-张三",
                &[
                    ("LTAI5tZhangA", Verdict::InUse),
                    ("LTAI5tZhangB", Verdict::InUse),
                ],
            ),
            user(
                "bob",
                "",
                &[
                    ("LTAI5tBobA", Verdict::Unknown),
                    ("LTAI5tBobB", Verdict::InUse),
                ],
            ),
        ]
    }

    #[test]
    fn each_field_matches_ignoring_case() {
        let users = users();
        assert_eq!(filter(&users, "ALICE"), [0], "user name");
        assert_eq!(filter(&users, "wang"), [0], "display name");
        assert_eq!(filter(&users, "张三"), [1], "a Chinese display name");
        assert_eq!(filter(&users, "ltai5tboba"), [2], "key id");
        assert_eq!(filter(&users, "idle"), [0], "verdict");
        assert_eq!(filter(&users, "unknown"), [2], "verdict");
    }

    #[test]
    fn marks_match_too() {
        let mut users = users();
        users[2].marks.push(crate::ui::view::RowMark::Exempt {
            reason: "rotated by the vault".to_owned(),
        });
        assert_eq!(filter(&users, "exempt"), [2]);
        assert_eq!(filter(&users, "vault bob"), [2]);
    }

    #[test]
    fn every_word_must_match_and_an_empty_query_keeps_every_row() {
        let users = users();
        assert_eq!(filter(&users, "in use"), [0, 1, 2]);
        assert_eq!(filter(&users, "bob use"), [2]);
        assert_eq!(filter(&users, "bob idle"), Vec::<usize>::new());
        assert_eq!(filter(&users, "   "), [0, 1, 2]);
        assert_eq!(filter(&[], "x"), Vec::<usize>::new());
    }

    #[test]
    fn ascii_search_finds_every_place_and_ignores_case_only() {
        assert!(contains("LTAI5tAliceA", "alicea"));
        assert!(contains("aaab", "AAB"), "a first byte that repeats");
        assert!(contains("ab", "ab") && !contains("a", "ab"));
        assert!(!contains("a-b", "a_b"));
        assert!(
            contains("运维-zhang", "zhang"),
            "after multi-byte characters"
        );
        assert!(!contains("Ä", "a"), "no byte of Ä is an ASCII a");
    }

    #[test]
    fn non_ascii_search_lowers_only_when_it_must() {
        assert!(contains("运维-张三", "张三"));
        assert!(!contains("plain ascii", "张"));
        assert!(contains("ÄRGER", "ärger"), "upper-case Latin is lowered");
        assert!(contains("Ωmega", "ωm"));
    }

    #[test]
    fn a_longer_query_never_matches_more() {
        let users = users();
        let mut query = String::new();
        let mut before = filter(&users, &query).len();
        for c in "ltai5tz".chars() {
            query.push(c);
            let now = filter(&users, &query).len();
            assert!(now <= before, "{query:?}");
            before = now;
        }
        assert_eq!(filter(&users, &query), [1]);
    }
}
