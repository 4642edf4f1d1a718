//! Logging to a file, never to the terminal (the wizard owns the screen).
//!
//! The log is created with mode 0600 in a 0700 directory: it names users and
//! keys, though never secrets (the cloud client logs actions, user names and
//! RequestIds only).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use tracing_subscriber::EnvFilter;

/// Where the log goes when `--log-file` is not given: `ramkey.log` in the
/// directory that holds the state files.
pub fn default_log_path() -> Option<PathBuf> {
    dirs::state_dir().map(|dir| dir.join("ramkey").join("ramkey.log"))
}

/// The log in use, once [`init`] has opened one.
static LOG_PATH: OnceLock<PathBuf> = OnceLock::new();

/// The log file this process writes to, if logging is on.
pub fn current_path() -> Option<&'static Path> {
    LOG_PATH.get().map(PathBuf::as_path)
}

/// Starts logging to `path` at `filter` (`RUST_LOG` wins when set).
///
/// A log that cannot be opened is reported on stderr and logging stays off:
/// a missing log must not stop a read-only scan.
pub fn init(path: Option<&Path>, filter: &str) {
    let Some(path) = path.map(Path::to_path_buf).or_else(default_log_path) else {
        eprintln!("ramkey: no state directory for the log; logging is off (use --log-file)");
        return;
    };
    let file = match open_log(&path) {
        Ok(file) => file,
        Err(error) => {
            eprintln!(
                "ramkey: cannot open the log {}: {error}; logging is off",
                path.display()
            );
            return;
        }
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
    let _ = LOG_PATH.set(path);
}

fn open_log(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn log_file_is_private_and_appended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("ramkey.log");
        drop(open_log(&path).unwrap());
        fs::write(&path, "first\n").unwrap();
        let mut again = open_log(&path).unwrap();
        io::Write::write_all(&mut again, b"second\n").unwrap();

        assert_eq!(fs::read_to_string(&path).unwrap(), "first\nsecond\n");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
    }
}
