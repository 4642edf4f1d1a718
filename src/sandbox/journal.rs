//! What the sandbox saw: one entry per request (action, signing key, nonce,
//! timestamp and how it ended), so tests can count tries and check that a
//! retry was signed afresh. Never a secret, a signature or a token.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

/// The most entries kept; the oldest go first, so a long-running sandbox
/// does not grow without bound.
const KEPT: usize = 10_000;

/// One request, as it arrived and as it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRequest {
    /// `Action` (empty when absent).
    pub action: String,
    /// `AccessKeyId` (empty when absent).
    pub access_key_id: String,
    /// `SignatureNonce` (empty when absent).
    pub nonce: String,
    /// `Timestamp` as sent (empty when absent).
    pub timestamp: String,
    /// How it ended.
    pub ended: Ending,
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Answered with this status, and `Code` on an error (empty on success).
    Answered {
        /// The HTTP status.
        status: u16,
        /// The error `Code`, empty on success.
        code: String,
    },
    /// The connection was dropped; `acted` says whether the request took
    /// effect first.
    Reset {
        /// Whether the request was acted on before the drop.
        acted: bool,
    },
}

impl SeenRequest {
    /// Whether it was answered with a success.
    pub fn succeeded(&self) -> bool {
        matches!(
            self.ended,
            Ending::Answered {
                status: 200..=299,
                ..
            }
        )
    }
}

/// The entries so far.
#[derive(Debug, Default)]
pub struct Journal {
    entries: Mutex<VecDeque<SeenRequest>>,
}

impl Journal {
    pub fn record(&self, entry: SeenRequest) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() == KEPT {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    pub fn entries(&self) -> Vec<SeenRequest> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.iter().cloned().collect()
    }
}
