//! `ramkey completions SHELL`: the shell's completion script, generated
//! from the command-line definition in [`crate::cli`], so it names every
//! subcommand and flag there is. No credentials, no network, no log file.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completion script for `args.shell` to stdout.
pub fn run(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let script = script(args.shell);
    std::io::stdout()
        .lock()
        .write_all(&script)
        .context("cannot write the completion script to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// The completion script for `shell`.
///
/// Written to memory first: the generator panics on a failed write, and a
/// closed pipe (`| head`) must be an error, not a panic.
pub fn script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "ramkey", &mut script);
    script
}
