//! What can go wrong with the state file, each saying what to do.

use std::io;
use std::path::PathBuf;

use super::parse::Refusal;

/// A state-file failure.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but is not this account's ramkey state; it was left untouched.
    #[error("refusing state file {path}: {reason}. ramkey left it untouched. {}", reason.advice())]
    Refused {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: Refusal,
    },

    /// The file is damaged or not ramkey's at all: left untouched, refused,
    /// and a copy of its bytes kept aside.
    #[error(
        "refusing state file {path}: {reason}. ramkey left it untouched, kept a copy of it as \
         {copy}, and will make no change in the account. {}", reason.advice()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why it was refused.
        reason: Refusal,
        /// The copy of its bytes.
        copy: PathBuf,
    },

    /// The file was opened read-only (written by a newer ramkey); nothing
    /// may be saved or logged.
    #[error(
        "state file {path} is open read-only: {reason}. No changes will be made, to it or \
         in the account. Upgrade ramkey to the version that wrote it (or a later one) to \
         go on with these rotations."
    )]
    ReadOnly {
        /// The file.
        path: PathBuf,
        /// Why it is read-only.
        reason: String,
    },

    /// Another process holds the lock.
    #[error(
        "state file {path} is in use by another ramkey{holder}; finish or quit that one first \
         (two at once could act twice on the same keys)"
    )]
    Locked {
        /// The state file.
        path: PathBuf,
        /// ` (process N)` when the holder wrote its id, else empty.
        holder: String,
    },

    /// A read, write, rename, sync or permission change failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done, e.g. `cannot write`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },

    /// No default place for state files on this system.
    #[error("no state directory is known on this system; pass --state PATH")]
    NoStateDir,

    /// The account id would not make a safe file name.
    #[error("account id {0:?} cannot name a state file; pass --state PATH")]
    BadAccountId(String),

    /// Serializing the document failed (a bug, not the admin's doing).
    #[error("cannot encode the state: {0}")]
    Encode(#[from] serde_json::Error),
}

impl StateError {
    /// An I/O failure with its context.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        StateError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
