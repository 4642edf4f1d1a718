//! The open state file: read and checked once, locked for as long as it is
//! open, saved atomically after every change.
//!
//! Knows nothing of the cloud or of what the rotations mean; reads the time
//! only through `crate::clock` (to date the copy of a refused file).

use std::fmt;
use std::fs::{self, File, Permissions};
use std::io;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use super::atomic::{FILE_MODE, create_private_dirs, parent_dir, temp_prefix, write_atomically};
use super::audit::{AuditEntry, append, audit_path};
use super::error::StateError;
use super::keep::{keep_backup, keep_corrupt, sibling};
pub use super::lock::lock_path;
use super::lock::take_lock;
use super::parse::{Loaded, Parsed, Refusal, parse_any};
use super::resolve::resolve;
use super::schema::{SCHEMA_VERSION, StateDocument};
use crate::clock::{Clock, SystemClock};

/// An open, locked state file and its document.
#[derive(Debug)]
pub struct StateStore {
    path: PathBuf,
    document: StateDocument,
    notices: Vec<String>,
    /// Why nothing may be saved, when the file was written by a newer ramkey.
    read_only: Option<String>,
    /// The original bytes of an older schema, kept aside before the first save.
    backup: Option<Backup>,
    /// A dry run: saves and audit lines change the document in memory only.
    in_memory: bool,
    // Held for the store's lifetime; the OS drops the lock if the process dies.
    _lock: File,
}

/// An older file's bytes, to keep as `<file>.v<from>.bak`.
struct Backup {
    from: u32,
    bytes: Vec<u8>,
}

impl fmt::Debug for Backup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backup")
            .field("from", &self.from)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl StateStore {
    /// Opens (or prepares, when missing) the state file of `account_id`.
    ///
    /// Refuses, without changing a byte, a file that is not this account's
    /// ramkey state (keeping a `.corrupt-<UTC>` copy of a damaged one), and a
    /// file another ramkey has open. An older schema is migrated in memory, a
    /// newer one opened [read-only](Self::read_only). Nothing is written to the
    /// state file until the first [`save`](Self::save).
    pub fn open(path: impl Into<PathBuf>, account_id: &str) -> Result<Self, StateError> {
        Self::open_with_clock(path, account_id, &SystemClock::new())
    }

    /// [`open`](Self::open), with the clock that dates a `.corrupt-<UTC>` copy.
    pub fn open_with_clock(
        path: impl Into<PathBuf>,
        account_id: &str,
        clock: &dyn Clock,
    ) -> Result<Self, StateError> {
        let path = path.into();
        create_private_dirs(&parent_dir(&path))?;
        let (path, link_notice) = resolve(&path)?;
        let lock = take_lock(&path)?;

        let mut store = Self {
            document: StateDocument::new(account_id),
            path,
            notices: link_notice.into_iter().collect(),
            read_only: None,
            backup: None,
            in_memory: false,
            _lock: lock,
        };
        match fs::read(&store.path) {
            Ok(bytes) => store.load(bytes, account_id, clock)?,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(StateError::io("cannot read", &store.path, source)),
        }
        store
            .notices
            .extend(tighten_mode(&audit_path(&store.path))?);
        Ok(store)
    }

    fn load(
        &mut self,
        bytes: Vec<u8>,
        account_id: &str,
        clock: &dyn Clock,
    ) -> Result<(), StateError> {
        let parsed = match parse_any(&bytes, Some(account_id)) {
            Ok(parsed) => parsed,
            Err(reason) => return Err(refuse(&self.path, reason, &bytes, clock)),
        };
        self.notices.extend(tighten_mode(&self.path)?);

        match parsed.loaded {
            Loaded::Current => {}
            Loaded::Migrated { from, notices } => {
                self.notices.push(format!(
                    "{} was written by an older ramkey (schema_version {from}); it is migrated \
                     to schema {SCHEMA_VERSION} in memory, and its original bytes will be kept \
                     as {} before it is first saved",
                    self.path.display(),
                    sibling(&self.path, &format!(".v{from}.bak")).display()
                ));
                self.notices.extend(notices);
                self.backup = Some(Backup { from, bytes });
            }
            Loaded::Newer { version } => {
                let reason = Refusal::NewerSchema(version).to_string();
                self.notices.push(format!(
                    "{} is open read-only: {reason}; no changes will be made",
                    self.path.display()
                ));
                self.read_only = Some(reason);
            }
        }
        self.document = parsed.document;
        Ok(())
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

    /// Things the admin should know about the file (e.g. its mode was fixed,
    /// it was migrated, it is read-only).
    pub fn notices(&self) -> &[String] {
        &self.notices
    }

    /// Why the file may not be changed, when it was written by a newer
    /// ramkey; [`save`](Self::save) and [`audit`](Self::audit) then refuse.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// Makes the file read-only for this run (`--read-only`): `save` and
    /// `audit` refuse with `reason`. A file already read-only keeps its own
    /// reason.
    pub fn refuse_changes(&mut self, reason: impl Into<String>) {
        if self.read_only.is_none() {
            self.read_only = Some(reason.into());
        }
    }

    /// Keeps every change in memory (the dry run): `save` and `audit` then
    /// write nothing, neither the state file nor its audit log, and the
    /// file stays as it was opened.
    pub fn keep_in_memory(&mut self) {
        self.in_memory = true;
    }

    /// Whether changes stay in memory ([`keep_in_memory`](Self::keep_in_memory)).
    pub fn is_in_memory(&self) -> bool {
        self.in_memory
    }

    /// Writes the document atomically and durably, mode 0600.
    ///
    /// The first save of a migrated document first keeps the file's original
    /// bytes as `<file>.v<N>.bak`.
    pub fn save(&mut self) -> Result<(), StateError> {
        self.check_writable()?;
        if self.in_memory {
            return Ok(());
        }
        if let Some(backup) = &self.backup {
            let kept = keep_backup(&self.path, backup.from, &backup.bytes)?;
            tracing::info!(backup = %kept.display(), "kept the older state file before migrating it");
            self.backup = None;
        }

        let mut bytes = serde_json::to_vec_pretty(&self.document)?;
        bytes.push(b'\n');
        write_atomically(&self.path, &bytes)?;
        remove_stale_temps(&self.path);
        Ok(())
    }

    /// Appends one line to the audit log beside the state file
    /// (`<file>.audit.jsonl`), durably, mode 0600.
    pub fn audit(&mut self, entry: &AuditEntry) -> Result<(), StateError> {
        self.check_writable()?;
        if self.in_memory {
            return Ok(());
        }
        append(&audit_path(&self.path), entry)
    }

    fn check_writable(&self) -> Result<(), StateError> {
        match &self.read_only {
            Some(reason) => Err(StateError::ReadOnly {
                path: self.path.clone(),
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// The refusal of a file that cannot be opened; a damaged one is copied
/// aside first (another account's file, or a newer one, is whole: no copy).
fn refuse(path: &Path, reason: Refusal, bytes: &[u8], clock: &dyn Clock) -> StateError {
    if matches!(
        reason,
        Refusal::OtherAccount { .. } | Refusal::NewerSchema(_)
    ) {
        return StateError::Refused {
            path: path.to_path_buf(),
            reason,
        };
    }
    match keep_corrupt(path, bytes, clock.now()) {
        Ok(copy) => StateError::Corrupt {
            path: path.to_path_buf(),
            reason,
            copy,
        },
        // Still refused: the copy is a courtesy, the original is untouched.
        Err(error) => {
            tracing::warn!(%error, "cannot keep a copy of a refused state file");
            StateError::Refused {
                path: path.to_path_buf(),
                reason,
            }
        }
    }
}

/// Reads and checks a state file without locking or writing it, for
/// `ramkey status`; the account is whichever the file names. A damaged file
/// is refused without a copy; an older one is migrated in memory only, and a
/// newer one read as far as it can be shown.
pub fn read_document(path: &Path) -> Result<StateDocument, StateError> {
    inspect(path).map(|parsed| parsed.document)
}

/// [`read_document`], with how the file's schema compares with this ramkey's.
pub fn inspect(path: &Path) -> Result<Parsed, StateError> {
    let bytes = fs::read(path).map_err(|source| StateError::io("cannot read", path, source))?;
    parse_any(&bytes, None).map_err(|reason| StateError::Refused {
        path: path.to_path_buf(),
        reason,
    })
}

/// Temp files left by a save that died before its rename: the lock is held,
/// so no other ramkey is writing one. Best effort: they are private and
/// harmless, only clutter.
fn remove_stale_temps(path: &Path) {
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Makes an existing file 0600 if others could read it; a missing one is
/// left missing.
pub(crate) fn tighten_mode(path: &Path) -> Result<Option<String>, StateError> {
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(StateError::io("cannot inspect", path, source)),
    };
    let mode = metadata.permissions().mode() & 0o777;
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
