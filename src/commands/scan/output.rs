//! Where `ramkey scan` writes its report: stdout, or `--output FILE`
//! written whole (a temporary file beside it, mode 0600, then renamed), so
//! a reader never sees half a report and others cannot read it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// Where the report goes.
#[derive(Debug)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// This file, replaced whole.
    File(PathBuf),
}

impl Destination {
    /// `--output FILE` (checked now, before the scan) or stdout.
    pub fn choose(output: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = output else {
            return Ok(Self::Stdout);
        };
        if path.is_dir() {
            anyhow::bail!(
                "--output {} is a directory; name a file in it",
                path.display()
            );
        }
        let parent = parent(path);
        if !parent.is_dir() {
            anyhow::bail!(
                "--output {}: the directory {} does not exist; create it first or \
                 choose another file",
                path.display(),
                parent.display()
            );
        }
        Ok(Self::File(path.to_owned()))
    }

    /// Writes the whole report.
    pub fn write(&self, text: &str) -> anyhow::Result<()> {
        match self {
            Self::Stdout => std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .context("cannot write the report to stdout"),
            Self::File(path) => write_file(path, text)
                .with_context(|| format!("cannot write the report to {}", path.display())),
        }
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// A temporary file in the same directory (created 0600), synced, then
/// renamed over `path`.
fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = tempfile::NamedTempFile::new_in(parent(path))?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}
