//! Which file a state path really names, before it is locked or read.
//!
//! The lock lives beside the file (`<file>.lock`) and every save replaces the
//! file by rename, so a state file reached through a symlink must be locked
//! and saved at its target: otherwise a second ramkey opening the target
//! directly takes another lock, and the first save replaces the link with a
//! regular file, splitting one rotation's record in two.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::atomic::parent_dir;
use super::error::StateError;

/// The real path of the state file, and a notice when it differs from
/// `path` because `path` is a symlink. The parent directory must exist.
pub fn resolve(path: &Path) -> Result<(PathBuf, Option<String>), StateError> {
    let is_link = match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(StateError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        Ok(meta) => meta.file_type().is_symlink(),
        Err(error) if error.kind() == io::ErrorKind::NotFound => false,
        Err(source) => return Err(StateError::io("cannot inspect", path, source)),
    };

    let real = if is_link {
        let real = fs::canonicalize(path).map_err(|source| match source.kind() {
            io::ErrorKind::NotFound => StateError::DanglingLink {
                path: path.to_path_buf(),
            },
            _ => StateError::io("cannot follow the symlink", path, source),
        })?;
        if !fs::metadata(&real).is_ok_and(|meta| meta.is_file()) {
            return Err(StateError::NotAFile { path: real });
        }
        real
    } else {
        // The directory may be reached through links too; the lock must be
        // the same file whichever way the directory is named.
        let dir = fs::canonicalize(parent_dir(path))
            .map_err(|source| StateError::io("cannot resolve the directory of", path, source))?;
        dir.join(path.file_name().unwrap_or_default())
    };

    let notice = is_link.then(|| {
        format!(
            "{} is a symlink; ramkey locks and saves its target {}",
            path.display(),
            real.display()
        )
    });
    Ok((real, notice))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn a_link_resolves_to_its_target_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, b"{}").unwrap();
        let link = dir.path().join("state.json");
        symlink(&real, &link).unwrap();

        let (resolved, notice) = resolve(&link).unwrap();
        assert_eq!(resolved, fs::canonicalize(&real).unwrap());
        assert!(notice.unwrap().contains("is a symlink"));

        let (plain, notice) = resolve(&real).unwrap();
        assert_eq!(plain, resolved);
        assert_eq!(notice, None);
    }

    #[test]
    fn a_missing_file_keeps_its_name_in_the_real_directory() {
        let dir = tempfile::tempdir().unwrap();
        let (resolved, notice) = resolve(&dir.path().join("new.json")).unwrap();
        assert_eq!(
            resolved,
            fs::canonicalize(dir.path()).unwrap().join("new.json")
        );
        assert_eq!(notice, None);
    }

    #[test]
    fn a_directory_or_a_dangling_link_is_refused_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let error = resolve(dir.path()).unwrap_err();
        assert!(matches!(error, StateError::NotAFile { .. }), "{error}");
        assert!(error.to_string().contains("--state"), "{error}");

        let link = dir.path().join("dangling.json");
        symlink(dir.path().join("nowhere.json"), &link).unwrap();
        let error = resolve(&link).unwrap_err();
        assert!(matches!(error, StateError::DanglingLink { .. }), "{error}");
    }
}
