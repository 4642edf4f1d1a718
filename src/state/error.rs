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

    /// The state path names a directory or something else than a file.
    #[error(
        "state file {path} is not a regular file (a directory?); pass --state with the path \
         of a file, or move what is there away"
    )]
    NotAFile {
        /// The path.
        path: PathBuf,
    },

    /// The state path is a symlink whose target does not exist.
    #[error(
        "state file {path} is a symlink to a file that does not exist; ramkey will not create \
         a state file through a broken link. Fix the link, or pass --state with another path"
    )]
    DanglingLink {
        /// The link.
        path: PathBuf,
    },

    /// A read, write, rename, sync or permission change failed.
    #[error("{action} {path}: {source}{}", io_advice(source))]
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

/// What to do about an I/O failure, by its kind.
fn io_advice(source: &io::Error) -> &'static str {
    match source.kind() {
        io::ErrorKind::PermissionDenied => {
            ". Check that you own the file and may write to its directory (ramkey keeps \
             its state private to you, mode 0600), or pass --state with a path you own"
        }
        io::ErrorKind::IsADirectory | io::ErrorKind::NotADirectory => {
            ". Pass --state with the path of a file"
        }
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            ". Free some space; the state file was not changed"
        }
        io::ErrorKind::ReadOnlyFilesystem => {
            ". The file system is read-only; pass --state with a path on a writable one"
        }
        _ => "",
    }
}
