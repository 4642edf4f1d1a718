//! Lookups by user name and by AccessKey id without walking every user, so
//! an account of 10,000 users answers each request in about the same time as
//! one of ten; and ListUsers pages in name order without sorting everyone.
//!
//! The index is a cache beside [`super::Account::users`], which stays the
//! one truth (its fields are public and may be changed directly): every hit
//! is checked against the users, and a miss is confirmed by a walk, so a
//! stale index can cost time, never a wrong answer.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Mutex, PoisonError};

use super::User;

/// Positions in the users list, by name and by key id.
#[derive(Default)]
pub struct UserIndex {
    built: Mutex<Option<Built>>,
}

struct Built {
    /// How many users there were when it was built.
    users: usize,
    by_name: BTreeMap<String, usize>,
    by_key: HashMap<String, usize>,
}

impl Built {
    fn of(users: &[User]) -> Self {
        let by_name = users
            .iter()
            .enumerate()
            .map(|(at, user)| (user.user_name.clone(), at))
            .collect();
        let by_key = users
            .iter()
            .enumerate()
            .flat_map(|(at, user)| user.access_keys.iter().map(move |key| (key, at)))
            .map(|(key, at)| (key.access_key_id.clone(), at))
            .collect();
        Self {
            users: users.len(),
            by_name,
            by_key,
        }
    }
}

impl UserIndex {
    /// Where the user called `name` is in `users`.
    pub fn user(&self, users: &[User], name: &str) -> Option<usize> {
        let mut built = self.current(users);
        let index = built.as_ref()?;
        let hit = index.by_name.get(name).copied();
        if let Some(at) = hit.filter(|&at| users.get(at).is_some_and(|u| u.user_name == name)) {
            return Some(at);
        }
        let found = users.iter().position(|user| user.user_name == name);
        if found.is_some() || hit.is_some() {
            // The index was stale: build it again next time.
            *built = None;
        }
        found
    }

    /// Where the user holding the key `access_key_id` is in `users`.
    pub fn key_owner(&self, users: &[User], access_key_id: &str) -> Option<usize> {
        let mut built = self.current(users);
        let index = built.as_mut()?;
        let hit = index.by_key.get(access_key_id).copied();
        let holds = |at: usize| {
            users
                .get(at)
                .is_some_and(|u| u.key(access_key_id).is_some())
        };
        if let Some(at) = hit.filter(|&at| holds(at)) {
            return Some(at);
        }
        // A key created (or deleted) since: walk, and remember what was found.
        let found = users
            .iter()
            .position(|user| user.key(access_key_id).is_some());
        match found {
            Some(at) => {
                index.by_key.insert(access_key_id.to_owned(), at);
            }
            None if hit.is_some() => {
                index.by_key.remove(access_key_id);
            }
            None => {}
        }
        found
    }

    /// The positions of up to `take` users whose names sort after `after`
    /// (all, without it), in name order.
    pub fn names_after(&self, users: &[User], after: Option<&str>, take: usize) -> Vec<usize> {
        let mut built = self.current(users);
        if let Some(index) = built.as_ref() {
            let start = after.map_or(Bound::Unbounded, Bound::Excluded);
            let page: Vec<(&String, usize)> = index
                .by_name
                .range::<str, _>((start, Bound::Unbounded))
                .take(take)
                .map(|(name, &at)| (name, at))
                .collect();
            let fresh = page
                .iter()
                .all(|&(name, at)| users.get(at).is_some_and(|u| &u.user_name == name));
            if fresh {
                return page.into_iter().map(|(_, at)| at).collect();
            }
        }
        *built = None;
        sorted_after(users, after, take)
    }

    /// The index, built afresh when the number of users changed (users are
    /// only ever added, and names never change through the API).
    fn current(&self, users: &[User]) -> std::sync::MutexGuard<'_, Option<Built>> {
        let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        if built
            .as_ref()
            .is_none_or(|index| index.users != users.len())
        {
            *built = Some(Built::of(users));
        }
        built
    }
}

/// The slow way, for an index found stale mid-page.
fn sorted_after(users: &[User], after: Option<&str>, take: usize) -> Vec<usize> {
    let mut after_marker: Vec<usize> = (0..users.len())
        .filter(|&at| after.is_none_or(|after| users[at].user_name.as_str() > after))
        .collect();
    after_marker.sort_by(|&a, &b| users[a].user_name.cmp(&users[b].user_name));
    after_marker.truncate(take);
    after_marker
}

/// A fresh, empty cache: an index is never copied, it is rebuilt.
impl Clone for UserIndex {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// A cache holds nothing of the account's meaning.
impl PartialEq for UserIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for UserIndex {}

impl std::fmt::Debug for UserIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UserIndex")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::account::{Account, AccountDate};

    fn user(name: &str) -> User {
        User {
            user_name: name.to_owned(),
            user_id: name.to_owned(),
            display_name: String::new(),
            comments: String::new(),
            create_date: AccountDate::Ago(chrono::Duration::zero()),
            access_keys: Vec::new(),
            policies: Vec::new(),
            groups: Vec::new(),
        }
    }

    fn names(account: &Account, after: Option<&str>, take: usize) -> Vec<String> {
        account
            .users_after(after, take)
            .into_iter()
            .map(|user| user.user_name.clone())
            .collect()
    }

    #[test]
    fn lookups_stay_right_when_the_users_change_behind_the_index() {
        let mut account = Account::demo();
        account.users = vec![user("b"), user("a")];
        assert_eq!(account.user("a").unwrap().user_name, "a");
        assert!(account.user("c").is_none());

        account.users.push(user("c"));
        assert_eq!(account.user("c").unwrap().user_name, "c");
        // Same count, other users: hits are checked, misses walked.
        account.users.swap(0, 2);
        account.users[1] = user("z");
        assert_eq!(account.user("b").unwrap().user_name, "b");
        assert_eq!(account.user("z").unwrap().user_name, "z");
        assert!(account.user("a").is_none());
        assert_eq!(names(&account, None, 10), ["b", "c", "z"]);
        assert_eq!(names(&account, Some("b"), 1), ["c"]);
    }

    #[test]
    fn keys_are_found_after_they_are_added_moved_or_removed() {
        let mut account = Account::demo();
        let caller = account.caller_access_key_id.clone();
        assert!(account.key_owner(&caller).is_some());
        let mut key = account.key_owner(&caller).unwrap().1.clone();
        key.access_key_id = "LTAI5tNewKey".to_owned();
        account.users[3].access_keys.push(key);
        let owner = account
            .key_owner("LTAI5tNewKey")
            .unwrap()
            .0
            .user_name
            .clone();
        assert_eq!(owner, account.users[3].user_name);

        let moved = account.users[3].access_keys.pop().unwrap();
        account.users[5].access_keys.push(moved);
        let owner = account
            .key_owner("LTAI5tNewKey")
            .unwrap()
            .0
            .user_name
            .clone();
        assert_eq!(owner, account.users[5].user_name);
        account.users[5].access_keys.pop();
        assert!(account.key_owner("LTAI5tNewKey").is_none());
        assert!(account.key_mut("LTAI5tNewKey").is_none());
    }

    #[test]
    fn pages_come_in_name_order() {
        let mut account = Account::demo();
        account.users = ["d", "a", "c", "b"].into_iter().map(user).collect();
        assert_eq!(names(&account, None, 3), ["a", "b", "c"]);
        assert_eq!(names(&account, Some("c"), 3), ["d"]);
        assert!(names(&account, Some("d"), 3).is_empty());
    }
}
