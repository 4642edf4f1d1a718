//! The open state file: read and checked once, locked for as long as it is
//! open, saved atomically after every change.
//!
//! Knows nothing of the cloud or of what the rotations mean.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Read as _, Seek as _, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use super::atomic::{FILE_MODE, create_private_dirs, parent_dir, write_atomically};
use super::error::StateError;
use super::parse::parse;
use super::schema::StateDocument;

/// An open, locked state file and its document.
#[derive(Debug)]
pub struct StateStore {
    path: PathBuf,
    document: StateDocument,
    notices: Vec<String>,
    // Held for the store's lifetime; the OS drops the lock if the process dies.
    _lock: File,
}

impl StateStore {
    /// Opens (or prepares, when missing) the state file of `account_id`.
    ///
    /// Refuses, without changing a byte, a file that is not this account's
    /// ramkey state, and a file another ramkey has open. Nothing is written
    /// until the first [`save`](Self::save).
    pub fn open(path: impl Into<PathBuf>, account_id: &str) -> Result<Self, StateError> {
        let path = path.into();
        create_private_dirs(&parent_dir(&path))?;
        let lock = take_lock(&path)?;

        let mut notices = Vec::new();
        let document = match fs::read(&path) {
            Ok(bytes) => {
                let document =
                    parse(&bytes, Some(account_id)).map_err(|reason| StateError::Refused {
                        path: path.clone(),
                        reason,
                    })?;
                notices.extend(tighten_mode(&path)?);
                document
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => StateDocument::new(account_id),
            Err(source) => return Err(StateError::io("cannot read", &path, source)),
        };

        Ok(Self {
            path,
            document,
            notices,
            _lock: lock,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The document as last read or saved.
    pub fn document(&self) -> &StateDocument {
        &self.document
    }

    /// The document, for a change that [`save`](Self::save) then writes.
    pub fn document_mut(&mut self) -> &mut StateDocument {
        &mut self.document
    }

    /// Things the admin should know about the file (e.g. its mode was fixed).
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Writes the document atomically and durably, mode 0600.
    pub fn save(&mut self) -> Result<(), StateError> {
        let mut bytes = serde_json::to_vec_pretty(&self.document)?;
        bytes.push(b'\n');
        write_atomically(&self.path, &bytes)
    }
}

/// Reads and checks a state file without locking or writing it, for
/// `ramkey status`; the account is whichever the file names.
pub fn read_document(path: &Path) -> Result<StateDocument, StateError> {
    let bytes = fs::read(path).map_err(|source| StateError::io("cannot read", path, source))?;
    parse(&bytes, None).map_err(|reason| StateError::Refused {
        path: path.to_path_buf(),
        reason,
    })
}

/// The lock file beside the state file: the state file itself is replaced on
/// every save, so a lock on it would be lost with its old inode.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    parent_dir(path).join(name)
}

fn take_lock(path: &Path) -> Result<File, StateError> {
    let lock_path = lock_path(path);
    let mut lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(&lock_path)
        .map_err(|source| StateError::io("cannot open lock file", &lock_path, source))?;

    match fs4::FileExt::try_lock(&lock) {
        Ok(()) => {}
        Err(fs4::TryLockError::WouldBlock) => {
            return Err(StateError::Locked {
                path: path.to_path_buf(),
                holder: holder_of(&mut lock),
            });
        }
        Err(fs4::TryLockError::Error(source)) => {
            return Err(StateError::io("cannot lock", &lock_path, source));
        }
    }

    // Best effort: the pid only improves the message a second ramkey prints.
    let _ = lock.set_len(0);
    let _ = write!(lock, "{}", std::process::id());
    let _ = lock.sync_data();
    Ok(lock)
}

fn holder_of(lock: &mut File) -> String {
    let mut text = String::new();
    let _ = lock.rewind();
    let _ = lock.read_to_string(&mut text);
    match text.trim().parse::<u32>() {
        Ok(pid) => format!(" (process {pid})"),
        Err(_) => String::new(),
    }
}

/// Makes an existing state file 0600 if others could read it.
fn tighten_mode(path: &Path) -> Result<Option<String>, StateError> {
    let mode = fs::metadata(path)
        .map_err(|source| StateError::io("cannot inspect", path, source))?
        .permissions()
        .mode()
        & 0o777;
    let open_to_others = mode & 0o077 != 0;
    if !open_to_others {
        return Ok(None);
    }
    fs::set_permissions(path, Permissions::from_mode(FILE_MODE))
        .map_err(|source| StateError::io("cannot set the mode of", path, source))?;
    Ok(Some(format!(
        "{} was readable by other users (mode {mode:04o}); it is now 0600",
        path.display()
    )))
}
