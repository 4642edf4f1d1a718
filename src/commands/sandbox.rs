//! `ramkey sandbox`: serve the RAM/STS emulator on loopback until killed.
//!
//! Its first three stdout lines are shell assignments a script can `eval`
//! (the endpoint and the caller's fake credentials); everything meant for
//! people goes to stderr.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use crate::cli::{GlobalArgs, SandboxArgs};
use crate::clock::SystemClock;
use crate::sandbox::{self, Account, SandboxHandle};

/// Runs the sandbox until SIGINT or SIGTERM.
pub async fn run(global: &GlobalArgs, args: &SandboxArgs) -> anyhow::Result<ExitCode> {
    init_logging(&global.log_level);
    let account = match &args.account {
        Some(path) => Account::load(path)?,
        None => Account::demo(),
    };
    let alias = account.account_alias.clone();
    let handle = sandbox::start(args.listen, account, Arc::new(SystemClock::new()))
        .await
        .context("cannot start the sandbox")?;

    print_assignments(&handle).context("cannot write the sandbox's endpoint to stdout")?;
    eprintln!(
        "ramkey sandbox: serving the fake account `{alias}` at {} (RAM 2015-05-01, STS 2015-04-01).",
        handle.endpoint()
    );
    eprintln!(
        "ramkey sandbox: the credentials above are the sandbox's test key; stop with Ctrl-C."
    );

    let signal = stop_signal().await?;
    eprintln!("ramkey sandbox: {signal}, stopping.");
    handle
        .shutdown()
        .await
        .context("the sandbox did not stop cleanly")?;
    Ok(ExitCode::SUCCESS)
}

/// `NAME=value` lines, flushed at once so a script reading them never waits.
fn print_assignments(handle: &SandboxHandle) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "RAMKEY_ENDPOINT={}", shell_word(&handle.endpoint()))?;
    writeln!(
        out,
        "ALIBABA_CLOUD_ACCESS_KEY_ID={}",
        shell_word(handle.caller_access_key_id())
    )?;
    // Printing the secret is the point: it is the fake account's test key.
    writeln!(
        out,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET={}",
        shell_word(handle.caller_secret().expose())
    )?;
    out.flush()
}

/// The value as is when the shell reads it literally, else single-quoted.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@%+=,".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// Waits for SIGINT (Ctrl-C) or, on Unix, SIGTERM; says which arrived.
async fn stop_signal() -> anyhow::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => {
                interrupted.context("cannot watch for Ctrl-C")?;
                Ok("interrupted")
            }
            _ = terminate.recv() => Ok("terminated"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("cannot watch for Ctrl-C")?;
        Ok("interrupted")
    }
}

/// Request logs go to stderr, at the level of `--log-level` (or `RUST_LOG`).
fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A subscriber set earlier (by a test harness) wins; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_word("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(shell_word("LTAI5tAbc"), "LTAI5tAbc");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("it's $x"), r"'it'\''s $x'");
        assert_eq!(shell_word(""), "''");
    }
}
