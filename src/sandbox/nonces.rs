//! Remembers the `SignatureNonce` of every accepted request, per AccessKey, so
//! a replay inside the timestamp window is refused with `SignatureNonceUsed`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

/// How long a nonce is remembered. Twice the timestamp window: a request
/// stamped at the far edge of the window stays refusable until its timestamp
/// has expired on its own.
pub const NONCE_MEMORY: Duration = Duration::minutes(30);

/// Forgetting is done in sweeps, not per request.
const SWEEP_EVERY: usize = 1024;

/// Nonces seen recently, with when they were first accepted.
#[derive(Debug, Default)]
pub struct NonceBook {
    seen: HashMap<(String, String), DateTime<Utc>>,
    since_sweep: usize,
}

impl NonceBook {
    /// Whether `access_key_id` already used `nonce` within [`NONCE_MEMORY`] of `now`.
    pub fn was_used(&self, access_key_id: &str, nonce: &str, now: DateTime<Utc>) -> bool {
        self.seen
            .get(&(access_key_id.to_owned(), nonce.to_owned()))
            .is_some_and(|at| (now - *at).abs() <= NONCE_MEMORY)
    }

    /// Records an accepted request's nonce.
    pub fn record(&mut self, access_key_id: &str, nonce: &str, now: DateTime<Utc>) {
        self.seen
            .insert((access_key_id.to_owned(), nonce.to_owned()), now);
        self.since_sweep += 1;
        if self.since_sweep >= SWEEP_EVERY {
            self.since_sweep = 0;
            self.seen.retain(|_, at| (now - *at).abs() <= NONCE_MEMORY);
        }
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
}
