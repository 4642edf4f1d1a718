//! The findings table's sort: which column orders the rows and which way.
//!
//! `s` moves to the next column (scan order, user, verdict, last use, data
//! age, rotation, then scan order again), each starting in the direction
//! an admin wants first (idle keys, the oldest use, the oldest data, the
//! rotations in progress on top); `S` reverses it. Sorting is stable, so
//! rows that compare equal keep the scan's order. Pure; depends on
//! [`crate::ui::view`] only.

use std::cmp::Ordering;

use crate::ui::view::{UserView, Verdict};

/// The column the rows are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Column {
    /// As the scan found them.
    #[default]
    ScanOrder,
    /// `UserName`.
    User,
    /// The most actionable verdict among the user's keys.
    Verdict,
    /// The oldest last use among the user's keys.
    LastUse,
    /// How old the row's data is.
    DataAge,
    /// How far the user's rotation has come.
    Rotation,
}

impl Column {
    /// The column after this one, back to the scan's order after the last.
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Column::ScanOrder => Column::User,
            Column::User => Column::Verdict,
            Column::Verdict => Column::LastUse,
            Column::LastUse => Column::DataAge,
            Column::DataAge => Column::Rotation,
            Column::Rotation => Column::ScanOrder,
        }
    }
}

/// A column and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    /// The column.
    pub column: Column,
    /// Against the column's first direction.
    pub reversed: bool,
}

impl Sort {
    /// `s`: the next column, in its first direction.
    #[must_use]
    pub fn next_column(self) -> Self {
        Sort {
            column: self.column.next(),
            reversed: false,
        }
    }

    /// `S`: the same column the other way (the scan's order has none).
    #[must_use]
    pub fn reverse(self) -> Self {
        Sort {
            reversed: !self.reversed && self.column != Column::ScanOrder,
            ..self
        }
    }

    /// Whether the rows are in another order than the scan's.
    pub fn is_active(self) -> bool {
        self.column != Column::ScanOrder
    }

    /// How the heading says it, e.g. "last use, oldest first".
    pub fn label(self) -> &'static str {
        match (self.column, self.reversed) {
            (Column::ScanOrder, _) => "scan order",
            (Column::User, false) => "user, A to Z",
            (Column::User, true) => "user, Z to A",
            (Column::Verdict, false) => "verdict, idle first",
            (Column::Verdict, true) => "verdict, in use first",
            (Column::LastUse, false) => "last use, oldest first",
            (Column::LastUse, true) => "last use, newest first",
            (Column::DataAge, false) => "data age, oldest first",
            (Column::DataAge, true) => "data age, newest first",
            (Column::Rotation, false) => "rotation, in progress first",
            (Column::Rotation, true) => "rotation, finished first",
        }
    }
}

/// `rows` (indices into `users`) in `sort`'s order; stable.
pub fn sorted(users: &[UserView], mut rows: Vec<usize>, sort: Sort) -> Vec<usize> {
    if !sort.is_active() {
        rows.sort_unstable();
        return rows;
    }
    rows.sort_by(|&a, &b| {
        let order = compare(&users[a], &users[b], sort.column);
        if sort.reversed {
            order.reverse()
        } else {
            order
        }
    });
    rows
}

fn compare(a: &UserView, b: &UserView, column: Column) -> Ordering {
    match column {
        Column::ScanOrder => Ordering::Equal,
        Column::User => a.user_name.to_lowercase().cmp(&b.user_name.to_lowercase()),
        Column::Verdict => verdict_rank(a).cmp(&verdict_rank(b)),
        // An unknown last use sorts as the oldest: it is never evidence of use.
        Column::LastUse => oldest_use(a).cmp(&oldest_use(b)),
        // Unknown data age (still scanning) sorts last.
        Column::DataAge => match (a.data_as_of, b.data_as_of) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
        Column::Rotation => rotation_rank(a).cmp(&rotation_rank(b)),
    }
}

/// The user's most actionable key: idle first, then unknown, in use, and
/// the keys no longer Active last.
fn verdict_rank(user: &UserView) -> u8 {
    user.keys
        .iter()
        .map(|key| match key.verdict {
            Verdict::Idle => 0,
            Verdict::Unknown => 1,
            Verdict::InUse => 2,
            Verdict::Disabled => 3,
            Verdict::Deleted => 4,
        })
        .min()
        .unwrap_or(5)
}

/// The oldest last use among the user's keys (`None`, never used or
/// unknown, before any date).
fn oldest_use(user: &UserView) -> Option<chrono::DateTime<chrono::Utc>> {
    if user.keys.iter().any(|key| key.last_used.is_none()) {
        return None;
    }
    user.keys.iter().filter_map(|key| key.last_used).min()
}

/// In progress, then not started, then finished.
fn rotation_rank(user: &UserView) -> u8 {
    match &user.rotation {
        Some(_) if user.rotation_in_progress() => 0,
        None => 1,
        Some(_) => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::view::KeyView;
    use chrono::{DateTime, Utc};

    fn at(day: u32) -> DateTime<Utc> {
        format!("2025-05-{day:02}T00:00:00Z").parse().unwrap()
    }

    fn user(name: &str, keys: &[(Verdict, Option<u32>)]) -> UserView {
        let keys = keys
            .iter()
            .enumerate()
            .map(|(i, (verdict, used))| {
                KeyView::seen(&format!("LTAI{name}{i}"), *verdict, used.map(at))
            })
            .collect();
        UserView::listed(name, "", keys)
    }

    fn users() -> Vec<UserView> {
        vec![
            user(
                "carol",
                &[(Verdict::InUse, Some(20)), (Verdict::InUse, Some(21))],
            ),
            user(
                "Alice",
                &[(Verdict::Idle, Some(1)), (Verdict::InUse, Some(30))],
            ),
            user(
                "bob",
                &[(Verdict::Unknown, None), (Verdict::InUse, Some(29))],
            ),
        ]
    }

    fn order(sort: Sort) -> Vec<usize> {
        sorted(&users(), vec![0, 1, 2], sort)
    }

    #[test]
    fn each_column_sorts_its_first_way_and_reverses() {
        let by = |column| Sort {
            column,
            reversed: false,
        };
        assert_eq!(order(by(Column::ScanOrder)), [0, 1, 2]);
        assert_eq!(order(by(Column::User)), [1, 2, 0], "case ignored");
        assert_eq!(order(by(Column::Verdict)), [1, 2, 0]);
        assert_eq!(order(by(Column::LastUse)), [2, 1, 0], "unknown is oldest");
        assert_eq!(order(by(Column::User).reverse()), [0, 2, 1]);
    }

    #[test]
    fn s_cycles_through_every_column_back_to_the_scan_order() {
        let mut sort = Sort::default();
        let mut seen = Vec::new();
        for _ in 0..6 {
            sort = sort.next_column();
            seen.push(sort.column);
        }
        assert_eq!(seen.last(), Some(&Column::ScanOrder));
        assert_eq!(seen.len(), 6);
        assert!(!Sort::default().reverse().reversed, "scan order has no way");
    }

    #[test]
    fn a_filtered_subset_keeps_only_its_rows() {
        let sort = Sort {
            column: Column::User,
            reversed: false,
        };
        assert_eq!(sorted(&users(), vec![0, 2], sort), [2, 0]);
        assert_eq!(sorted(&users(), vec![2, 0], Sort::default()), [0, 2]);
    }
}
