//! Replacing a file so that a crash leaves either the old or the new bytes,
//! never a mix, and never a moment when others can read it.
//!
//! Order: unique temp file in the same directory, created 0600 with O_EXCL →
//! write → fsync → rename over the target → fsync the directory. Depends on
//! nothing else in the crate but the error type and the test death points.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use super::error::StateError;
use crate::death::{self, Stage};

/// Mode of state files, lock files and temp files.
pub const FILE_MODE: u32 = 0o600;
/// Mode of directories ramkey creates for them.
pub const DIR_MODE: u32 = 0o700;

/// Replaces `path` with `bytes` atomically and durably, mode 0600.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let dir = parent_dir(path);
    let temp = temp_path(path);

    if let Err(error) = write_temp(&temp, bytes) {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    // Test-only kill points (no code in release builds): the crash tests
    // check that a death on either side of the rename leaves a whole file.
    death::point(Stage::Before, "rename");
    if let Err(source) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(StateError::io("cannot rename into place", path, source));
    }
    death::point(Stage::After, "rename");
    sync_dir(&dir)
}

/// Writes `bytes` as a new file at `path`, durably and mode 0600, never
/// replacing anything: fails with `AlreadyExists` (as [`StateError::Io`]) if
/// `path` exists. A crash leaves either no file or the whole file.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let temp = temp_path(path);
    if let Err(error) = write_temp(&temp, bytes) {
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    // A hard link, unlike a rename, refuses an existing target.
    let linked = fs::hard_link(&temp, path);
    let _ = fs::remove_file(&temp);
    linked.map_err(|source| StateError::io("cannot create", path, source))?;
    sync_dir(&parent_dir(path))
}

fn write_temp(temp: &Path, bytes: &[u8]) -> Result<(), StateError> {
    // create_new is O_CREAT|O_EXCL: never follows or reuses an existing file.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(temp)
        .map_err(|source| StateError::io("cannot create", temp, source))?;
    // The umask can only remove bits from 0600; set it anyway so the mode
    // does not depend on the environment at all.
    file.set_permissions(Permissions::from_mode(FILE_MODE))
        .map_err(|source| StateError::io("cannot set the mode of", temp, source))?;
    file.write_all(bytes)
        .map_err(|source| StateError::io("cannot write", temp, source))?;
    file.sync_all()
        .map_err(|source| StateError::io("cannot flush to disk", temp, source))
}

/// Flushes a directory's entries (a created or renamed name) to disk.
pub fn sync_dir(dir: &Path) -> Result<(), StateError> {
    File::open(dir)
        .and_then(|handle| handle.sync_all())
        .map_err(|source| StateError::io("cannot flush directory", dir, source))
}

/// A name no other writer uses: the target's, hidden, with a random suffix.
fn temp_path(path: &Path) -> PathBuf {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    parent_dir(path).join(format!("{}{}", temp_prefix(path), &suffix[..12]))
}

/// How the names of `path`'s temp files begin: `.<name>.tmp-`.
pub fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().map_or_else(
        || "state".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    format!(".{name}.tmp-")
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates every missing directory of `dir` with mode 0700 (whatever the
/// umask). Existing directories are left as they are.
pub fn create_private_dirs(dir: &Path) -> Result<(), StateError> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .filter(|d| !d.as_os_str().is_empty())
        .take_while(|d| !d.exists())
        .collect();
    for created in missing.into_iter().rev() {
        fs::DirBuilder::new()
            .mode(DIR_MODE)
            .create(created)
            .or_else(|error| match error.kind() {
                std::io::ErrorKind::AlreadyExists => Ok(()),
                _ => Err(error),
            })
            .map_err(|source| StateError::io("cannot create directory", created, source))?;
        make_private_dir(created)?;
    }
    Ok(())
}

/// Sets a directory to 0700.
pub fn make_private_dir(dir: &Path) -> Result<(), StateError> {
    fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))
        .map_err(|source| StateError::io("cannot set the mode of", dir, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        fs::write(&path, b"old").unwrap();

        write_atomically(&path, b"new").unwrap();

        assert_eq!(fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, FILE_MODE);
    }

    #[test]
    fn a_new_file_never_replaces_an_existing_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy");

        write_new(&path, b"first").unwrap();
        let error = write_new(&path, b"second").unwrap_err();

        assert!(
            matches!(&error, StateError::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists),
            "{error}"
        );
        assert_eq!(fs::read(&path).unwrap(), b"first");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            FILE_MODE
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temp file left behind"
        );
    }

    #[test]
    fn temp_names_differ() {
        let path = Path::new("/x/state.json");
        assert_ne!(temp_path(path), temp_path(path));
        assert_eq!(temp_path(path).parent(), Some(Path::new("/x")));
    }
}
