//! One function per subcommand; the binary's only entry into the library.
//!
//! Exit codes: 0 success (for `scan`: nothing flagged), 1 error, 2 bad usage
//! (clap), 3 `scan` found flagged users.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

mod sandbox;

/// Runs the parsed command line and maps the outcome to an exit code.
pub fn run(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ramkey: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("ramkey: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        // TODO: each command is wired up as its module lands (issue 2).
        None | Some(Command::Wizard) => anyhow::bail!("the wizard is not built yet"),
        Some(Command::Demo(_)) => anyhow::bail!("the demo is not built yet"),
        Some(Command::Scan(_)) => anyhow::bail!("scan is not built yet"),
        Some(Command::Status(_)) => anyhow::bail!("status is not built yet"),
        Some(Command::Sandbox(args)) => sandbox::run(&cli.global, &args).await,
    }
}
