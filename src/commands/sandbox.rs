//! `ramkey sandbox`: serve the RAM/STS/IMS emulator on loopback until killed.
//!
//! Its first three stdout lines are shell assignments a script can `eval`
//! (the endpoint and the caller's fake credentials); everything meant for
//! people goes to stderr.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use crate::cli::{FaultArgs, GlobalArgs, SandboxArgs};
use crate::clock::SystemClock;
use crate::sandbox::{self, Account, Faults, SandboxHandle};

/// Runs the sandbox until SIGINT or SIGTERM.
pub async fn run(global: &GlobalArgs, args: &SandboxArgs) -> anyhow::Result<ExitCode> {
    init_logging(&global.log_level);
    let account = account(args)?;
    let alias = account.account_alias.clone();
    let faults = faults(&args.faults)?;
    let handle = sandbox::start(args.listen, account, Arc::new(SystemClock::new()))
        .await
        .context("cannot start the sandbox")?;
    handle.set_faults(faults.clone());
    handle.set_report_settings(sandbox::ReportSettings {
        generation_time: Duration::from_millis(args.report_delay),
        paging: !args.report_without_paging,
    });

    print_assignments(&handle).context("cannot write the sandbox's endpoint to stdout")?;
    eprintln!(
        "ramkey sandbox: serving the fake account `{alias}` at {} (RAM 2015-05-01, STS 2015-04-01, IMS 2019-08-15 credential report).",
        handle.endpoint()
    );
    eprintln!(
        "ramkey sandbox: the credentials above are the sandbox's test key; stop with Ctrl-C."
    );
    if faults.any() {
        eprintln!("ramkey sandbox: fault switches on: {}", describe(&faults));
    }

    let signal = stop_signal().await?;
    eprintln!("ramkey sandbox: {signal}, stopping.");
    handle
        .shutdown()
        .await
        .context("the sandbox did not stop cleanly")?;
    Ok(ExitCode::SUCCESS)
}

/// The account the flags ask for: a file, a generated one, or the demo.
fn account(args: &SandboxArgs) -> anyhow::Result<Account> {
    if let (Some(_), Some(_)) = (&args.account, args.users) {
        anyhow::bail!("--users generates an account; it cannot be used with --account");
    }
    if let Some(users) = args.users {
        let generation = sandbox::Generation {
            users,
            flagged_ratio: args.flagged_ratio,
        };
        return Ok(sandbox::generate(generation)?);
    }
    Ok(match &args.account {
        Some(path) => Account::load(path)?,
        None => Account::demo(),
    })
}

/// The fault switches the flags ask for.
fn faults(args: &FaultArgs) -> anyhow::Result<Faults> {
    let clock_skew = chrono::Duration::try_seconds(args.clock_skew)
        .with_context(|| format!("--clock-skew {} is out of range", args.clock_skew))?;
    Ok(Faults {
        throttle: args.throttle.clone(),
        throttle_above_per_second: args.throttle_rate,
        retry_after: Duration::from_millis(args.retry_after_ms),
        omit_retry_after: args.no_retry_after,
        throttle_all_for: args.throttle_storm.map(Duration::from_secs),
        unavailable: args.unavailable.clone(),
        reset_before_acting: args.reset_before.clone(),
        reset_after_acting: args.reset_after.clone(),
        delay: Duration::from_millis(args.delay_ms),
        clock_skew,
        new_key_unaccepted_for: Duration::from_secs(args.new_key_delay),
        expire_tokens: args.expire_token.clone(),
    })
}

/// The switches that are on, as their flags spell them.
fn describe(faults: &Faults) -> String {
    let schedules = [
        ("--throttle", &faults.throttle),
        ("--unavailable", &faults.unavailable),
        ("--reset-before", &faults.reset_before_acting),
        ("--reset-after", &faults.reset_after_acting),
        ("--expire-token", &faults.expire_tokens),
    ];
    let mut on: Vec<String> = schedules
        .iter()
        .filter_map(|(flag, schedule)| Some(format!("{flag} {}", schedule.as_ref()?)))
        .collect();
    if let Some(rate) = faults.throttle_above_per_second {
        on.push(format!("--throttle-rate {rate}"));
    }
    if let Some(storm) = faults.throttle_all_for {
        on.push(format!("--throttle-storm {}", storm.as_secs()));
    }
    if faults.omit_retry_after {
        on.push("--no-retry-after".to_owned());
    }
    if !faults.delay.is_zero() {
        on.push(format!("--delay-ms {}", faults.delay.as_millis()));
    }
    if !faults.clock_skew.is_zero() {
        on.push(format!("--clock-skew {}", faults.clock_skew.num_seconds()));
    }
    if !faults.new_key_unaccepted_for.is_zero() {
        let seconds = faults.new_key_unaccepted_for.as_secs();
        on.push(format!("--new-key-delay {seconds}"));
    }
    on.join(", ")
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

/// Request logs go to stderr, at the level of `--log-level` (or `RUST_LOG`),
/// coloured only on a terminal and without `NO_COLOR`.
fn init_logging(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A subscriber set earlier (by a test harness) wins; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && !crate::ui::color::requested())
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
