//! One function per subcommand; the binary's only entry into the library.
//!
//! Exit codes: 0 success (for `scan`: nothing flagged), 1 error, 2 bad usage
//! (clap), 3 `scan` found flagged users.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

mod demo;
mod logging;
mod policy;
mod sandbox;
mod scan;
pub mod setup;
mod status;
mod wizard;

/// Runs the parsed command line and maps the outcome to an exit code.
pub fn run(cli: Cli) -> ExitCode {
    // The sandbox is a server without a screen to protect: it logs to stderr.
    // Nor does `policy`, which only prints a document.
    if !matches!(cli.command, Some(Command::Sandbox(_) | Command::Policy(_))) {
        logging::init(cli.global.log_file.as_deref(), &cli.global.log_level);
    }
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
        None | Some(Command::Wizard) => wizard::run(&cli.global).await,
        Some(Command::Demo(args)) => demo::run(&cli.global, &args).await,
        Some(Command::Scan(args)) => scan::run(&cli.global, &args).await,
        Some(Command::Status(args)) => status::run(&cli.global, &args),
        Some(Command::Sandbox(args)) => sandbox::run(&cli.global, &args).await,
        Some(Command::Policy(args)) => policy::run(&args),
    }
}
