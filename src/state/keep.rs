//! Copies of a state file kept aside, byte for byte: the `.corrupt-<UTC>`
//! copy of a refused file and the `.v<N>.bak` backup of a migrated one.
//!
//! A kept copy is never overwritten: a name in use with other bytes moves
//! the new copy to the next free name (`-2`, `-3`, ...). Depends only on the
//! atomic writer and the error type.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::atomic::{parent_dir, write_new};
use super::error::StateError;

/// How many numbered names are tried before giving up; more copies of one
/// file than this in one second means something else is wrong.
const MAX_SUFFIX: u32 = 100;

/// Keeps a copy of a refused file's `bytes` as `<file>.corrupt-<UTC>`, or
/// names the earlier copy that already holds exactly these bytes (so that
/// every refusal of the same file does not add another copy).
pub fn keep_corrupt(path: &Path, bytes: &[u8], now: DateTime<Utc>) -> Result<PathBuf, StateError> {
    if let Some(earlier) = earlier_copy(path, bytes)? {
        return Ok(earlier);
    }
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    keep_as(&sibling(path, &format!(".corrupt-{stamp}")), bytes)
}

/// Keeps the bytes of a file of schema `from` as `<file>.v<from>.bak`,
/// before the first save of its migrated document replaces it.
pub fn keep_backup(path: &Path, from: u32, bytes: &[u8]) -> Result<PathBuf, StateError> {
    keep_as(&sibling(path, &format!(".v{from}.bak")), bytes)
}

/// `path` with `suffix` added to its file name.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    parent_dir(path).join(name)
}

/// Writes `bytes` at `wanted`, or at the first free numbered name after it;
/// a name that already holds exactly these bytes is taken as done.
fn keep_as(wanted: &Path, bytes: &[u8]) -> Result<PathBuf, StateError> {
    for n in 1..=MAX_SUFFIX {
        let candidate = if n == 1 {
            wanted.to_path_buf()
        } else {
            sibling(wanted, &format!("-{n}"))
        };
        match write_new(&candidate, bytes) {
            Ok(()) => return Ok(candidate),
            Err(StateError::Io { source, .. }) if source.kind() == io::ErrorKind::AlreadyExists => {
                if holds(&candidate, bytes)? {
                    return Ok(candidate);
                }
            }
            Err(error) => return Err(error),
        }
    }
    Err(StateError::io(
        "cannot find a free name for a copy of",
        wanted,
        io::Error::from(io::ErrorKind::AlreadyExists),
    ))
}

/// An existing `<file>.corrupt-*` copy holding exactly `bytes`.
fn earlier_copy(path: &Path, bytes: &[u8]) -> Result<Option<PathBuf>, StateError> {
    let prefix = sibling(path, ".corrupt-");
    let prefix = prefix.file_name().unwrap_or_default().to_string_lossy();
    let dir = parent_dir(path);
    let entries =
        fs::read_dir(&dir).map_err(|source| StateError::io("cannot list", &dir, source))?;

    let mut copies: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&*prefix))
        .map(|entry| entry.path())
        .collect();
    copies.sort();
    for copy in copies {
        if holds(&copy, bytes)? {
            return Ok(Some(copy));
        }
    }
    Ok(None)
}

fn holds(path: &Path, bytes: &[u8]) -> Result<bool, StateError> {
    // Sizes first: a copy of a large file is read only when it may match.
    let metadata =
        fs::metadata(path).map_err(|source| StateError::io("cannot inspect", path, source))?;
    if metadata.len() != bytes.len() as u64 {
        return Ok(false);
    }
    let found = fs::read(path).map_err(|source| StateError::io("cannot read", path, source))?;
    Ok(found == bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_copy_is_named_by_the_utc_second_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let now = at("2026-12-03T13:20:31.9Z");

        let first = keep_corrupt(&path, b"one", now).unwrap();
        let second = keep_corrupt(&path, b"two", now).unwrap();

        assert_eq!(
            first,
            dir.path().join("state.json.corrupt-20261203T132031Z")
        );
        assert_eq!(
            second,
            dir.path().join("state.json.corrupt-20261203T132031Z-2")
        );
        assert_eq!(fs::read(&first).unwrap(), b"one");
        assert_eq!(fs::read(&second).unwrap(), b"two");
    }

    #[test]
    fn the_same_bytes_refused_again_reuse_their_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");

        let first = keep_corrupt(&path, b"[]", at("2026-01-01T00:00:00Z")).unwrap();
        let again = keep_corrupt(&path, b"[]", at("2026-01-02T00:00:00Z")).unwrap();

        assert_eq!(first, again);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_backup_left_by_an_interrupted_save_is_reused_and_another_kept_beside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");

        let first = keep_backup(&path, 1, b"v1").unwrap();
        assert_eq!(first, dir.path().join("state.json.v1.bak"));
        assert_eq!(keep_backup(&path, 1, b"v1").unwrap(), first);
        let other = keep_backup(&path, 1, b"other v1").unwrap();

        assert_eq!(other, dir.path().join("state.json.v1.bak-2"));
        assert_eq!(fs::read(&first).unwrap(), b"v1");
    }
}
