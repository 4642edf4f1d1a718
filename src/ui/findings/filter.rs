//! The findings list's `/` filter: which rows match what the admin typed.
//!
//! Each word of the query must appear, ignoring case, in the user name,
//! the display name, a key's AccessKeyId, a key's verdict ("idle", "in
//! use"…) or a row's mark ("exempt", "KMS-managed", "own key"); the rows
//! keep their order. Pure and allocation-free per row for
//! ASCII words, so narrowing 10,000 rows on each key press stays cheap.
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
        let needle = needle.as_bytes();
        haystack
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
    } else {
        haystack.to_lowercase().contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::view::{KeyView, Recommendation, Verdict};

    fn user(name: &str, display: &str, keys: &[(&str, Verdict)]) -> UserView {
        UserView {
            user_name: name.to_owned(),
            display_name: display.to_owned(),
            keys: keys
                .iter()
                .map(|(id, verdict)| KeyView {
                    access_key_id: (*id).to_owned(),
                    verdict: *verdict,
                    disagreement: None,
                    last_used: None,
                    used_by_ramkey: false,
                })
                .collect(),
            recommendation: Recommendation::Review,
            rotation: None,
            drift: None,
            marks: Vec::new(),
            data_as_of: None,
            grants: None,
        }
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
