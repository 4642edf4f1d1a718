//! The advisory lock that keeps a second ramkey off an open state file.
//!
//! The lock is on `<file>.lock`, not on the state file, which every save
//! replaces. It names the holder's process id for the refusal message, and
//! the OS releases it when the holder dies, however it dies. Depends only on
//! the atomic writer's helpers and the error type.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use super::atomic::{FILE_MODE, parent_dir};
use super::error::StateError;

/// The lock file beside the state file: the state file itself is replaced on
/// every save, so a lock on it would be lost with its old inode.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    parent_dir(path).join(name)
}

/// Takes the lock of the state file at `path`, or says which process holds it.
pub(crate) fn take_lock(path: &Path) -> Result<File, StateError> {
    let lock_path = lock_path(path);
    let mut lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(&lock_path)
        .map_err(|source| StateError::io("cannot open lock file", &lock_path, source))?;

    let mut tries = 0;
    loop {
        match fs4::FileExt::try_lock(&lock) {
            Ok(()) => break,
            Err(fs4::TryLockError::WouldBlock) => {
                let holder = holder_pid(&mut lock);
                // A lock this very process wrote may be held for a moment by a
                // child being spawned (it shares the open lock file between
                // fork and exec, until close-on-exec drops it): try again
                // briefly. A store this process still has open stays refused.
                if holder == Some(std::process::id()) && tries < OWN_PID_TRIES {
                    tries += 1;
                    std::thread::sleep(OWN_PID_PAUSE);
                    continue;
                }
                return Err(StateError::Locked {
                    path: path.to_path_buf(),
                    holder: holder.map_or_else(String::new, |pid| format!(" (process {pid})")),
                });
            }
            Err(fs4::TryLockError::Error(source)) => {
                return Err(StateError::io("cannot lock", &lock_path, source));
            }
        }
    }

    // Best effort: the pid only improves the message a second ramkey prints.
    let _ = lock.set_len(0);
    let _ = write!(lock, "{}", std::process::id());
    let _ = lock.sync_data();
    Ok(lock)
}

/// How often, and how long apart, a lock naming this process is tried again.
const OWN_PID_TRIES: u32 = 20;
const OWN_PID_PAUSE: std::time::Duration = std::time::Duration::from_millis(10);

/// The process id the holder wrote into the lock file, if any.
fn holder_pid(lock: &mut File) -> Option<u32> {
    let mut text = String::new();
    let _ = lock.rewind();
    let _ = lock.read_to_string(&mut text);
    text.trim().parse::<u32>().ok()
}
