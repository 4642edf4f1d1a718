//! One function per subcommand; the binary's only entry into the library.
//!
//! Exit codes: 0 success (for `scan`: nothing flagged), 1 error, 2 bad usage
//! (clap), 3 `scan` found flagged users.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

mod completions;
mod demo;
mod logging;
mod man;
mod policy;
mod sandbox;
mod scan;
pub mod setup;
mod status;
mod wizard;

/// Runs the parsed command line and maps the outcome to an exit code.
pub fn run(cli: Cli) -> ExitCode {
    // The sandbox is a server without a screen to protect: it logs to stderr.
    // Nor does `policy`, which only prints a document, nor do the
    // generators of completions and man pages (run in packagers' builds).
    let quiet = matches!(
        cli.command,
        Some(Command::Sandbox(_) | Command::Policy(_) | Command::Completions(_) | Command::Man(_))
    );
    if !quiet {
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
            eprintln!("ramkey: {}", error_text(&error));
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
        Some(Command::Completions(args)) => completions::run(&args),
        Some(Command::Man(args)) => man::run(&args),
    }
}

/// The error and its causes, each once. Many library errors already quote
/// their cause in their own text (`cannot read X: Is a directory`) and also
/// hand it out as their source; printing the chain as is would say it twice.
fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain().map(ToString::to_string) {
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    use anyhow::Context as _;

    #[test]
    fn a_cause_already_quoted_is_not_repeated() {
        let refused = io::Error::from(io::ErrorKind::IsADirectory);
        let error =
            anyhow::Error::new(crate::state::StateError::io("cannot read", "adir", refused));
        let text = error_text(&error);
        assert_eq!(text.matches("is a directory").count(), 1, "{text}");
        assert!(text.starts_with("cannot read adir: "), "{text}");
    }

    #[test]
    fn causes_only_in_the_chain_are_kept() {
        let error = Err::<(), _>(io::Error::other("disk full"))
            .context("cannot save the demo sandbox")
            .unwrap_err();
        assert_eq!(
            error_text(&error),
            "cannot save the demo sandbox: disk full"
        );
    }
}
