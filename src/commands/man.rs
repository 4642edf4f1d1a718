//! `ramkey man [--dir DIR]`: the man pages, generated from the
//! command-line definition in [`crate::cli`]. Without `--dir`, ramkey(1)
//! goes to stdout; with it, ramkey.1 and one page per subcommand
//! (ramkey-scan.1, ...) are written into DIR, as packagers install them.
//! No credentials, no network, no log file.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::CommandFactory as _;

use crate::cli::{Cli, ManArgs};

/// Prints ramkey(1), or writes every page into `args.dir`.
pub fn run(args: &ManArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.dir {
        write_pages(dir)?;
    } else {
        let mut page = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut page)
            .context("cannot render the man page")?;
        std::io::stdout()
            .lock()
            .write_all(&page)
            .context("cannot write the man page to stdout")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// ramkey.1 and ramkey-SUBCOMMAND.1 for each subcommand, in `dir`.
fn write_pages(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
    Ok(())
}
