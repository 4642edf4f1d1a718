//! Remembers the `SignatureNonce` of every accepted request, per AccessKey, so
//! a replay inside the timestamp window is refused with `SignatureNonceUsed`.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

/// How long a nonce is remembered. Twice the timestamp window: a request
/// stamped at the far edge of the window stays refusable until its timestamp
/// has expired on its own.
pub const NONCE_MEMORY: Duration = Duration::minutes(30);

/// Nonces seen recently, with when they were first accepted.
///
/// Forgetting walks only the nonces due to be forgotten (oldest first, in
/// the order they were recorded), so a busy sandbox pays the same per
/// request whatever it remembers.
#[derive(Debug, Default)]
pub struct NonceBook {
    seen: HashMap<(String, String), DateTime<Utc>>,
    /// The same entries in the order they were recorded.
    order: VecDeque<(DateTime<Utc>, (String, String))>,
}

impl NonceBook {
    /// Whether `access_key_id` already used `nonce` within [`NONCE_MEMORY`] of `now`.
    pub fn was_used(&self, access_key_id: &str, nonce: &str, now: DateTime<Utc>) -> bool {
        self.seen
            .get(&(access_key_id.to_owned(), nonce.to_owned()))
            .is_some_and(|at| (now - *at).abs() <= NONCE_MEMORY)
    }

    /// Records an accepted request's nonce, and forgets those past memory.
    pub fn record(&mut self, access_key_id: &str, nonce: &str, now: DateTime<Utc>) {
        let entry = (access_key_id.to_owned(), nonce.to_owned());
        self.seen.insert(entry.clone(), now);
        self.order.push_back((now, entry));
        while let Some((at, _)) = self.order.front() {
            if now - *at <= NONCE_MEMORY {
                break;
            }
            let Some((at, entry)) = self.order.pop_front() else {
                break;
            };
            // Recorded again since (after it was forgotten once): keep that.
            if self.seen.get(&entry) == Some(&at) {
                self.seen.remove(&entry);
            }
        }
    }

    /// How many nonces are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn a_nonce_is_refused_per_key_until_it_is_forgotten() {
        let start = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        let mut book = NonceBook::default();
        book.record("key-a", "n1", start);

        assert!(book.was_used("key-a", "n1", start + Duration::minutes(29)));
        assert!(!book.was_used("key-b", "n1", start), "another key's nonce");
        assert!(!book.was_used("key-a", "n1", start + Duration::minutes(31)));
    }

    #[test]
    fn old_nonces_are_forgotten_as_new_ones_arrive() {
        let start = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        let mut book = NonceBook::default();
        for minute in 0..10 {
            book.record(
                "key-a",
                &format!("n{minute}"),
                start + Duration::minutes(minute),
            );
        }
        assert_eq!(book.len(), 10);
        book.record("key-a", "late", start + Duration::minutes(35));
        // n0..n4 are more than 30 minutes older than the last request.
        assert_eq!(book.len(), 6);
        assert!(book.was_used("key-a", "n5", start + Duration::minutes(35)));
    }
}
