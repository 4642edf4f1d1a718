//! Where state files live by default: `$XDG_STATE_HOME/ramkey/<account>.json`.

use std::path::{Path, PathBuf};

use super::atomic::{create_private_dirs, make_private_dir};
use super::error::StateError;

/// The default directory, `$XDG_STATE_HOME/ramkey` (or the platform's
/// equivalent); not created.
pub fn default_dir() -> Result<PathBuf, StateError> {
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|dir| dir.join("ramkey"))
        .ok_or(StateError::NoStateDir)
}

/// The default state file of an account; creates the directory 0700 (and
/// tightens it to 0700 if it exists: it is ramkey's own).
pub fn default_path(account_id: &str) -> Result<PathBuf, StateError> {
    check_account_id(account_id)?;
    let dir = default_dir()?;
    create_private_dirs(&dir)?;
    make_private_dir(&dir)?;
    Ok(dir.join(format!("{account_id}.json")))
}

/// The state files in a directory (`*.json`), sorted; none when it is missing.
pub fn list_state_files(dir: &Path) -> Result<Vec<PathBuf>, StateError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StateError::io("cannot list", dir, source)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// An account id comes from the network; it must not be able to name a path
/// outside the state directory.
fn check_account_id(account_id: &str) -> Result<(), StateError> {
    let safe = !account_id.is_empty()
        && account_id.len() <= 64
        && account_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if safe {
        Ok(())
    } else {
        Err(StateError::BadAccountId(account_id.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_that_could_escape_are_refused() {
        for bad in ["", "../x", "a/b", "1234.json", &"9".repeat(65)] {
            assert!(check_account_id(bad).is_err(), "{bad}");
        }
        for good in ["1234567890123456", "acct-1_2"] {
            assert!(check_account_id(good).is_ok(), "{good}");
        }
    }
}
