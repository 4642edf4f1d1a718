//! `ramkey policy [--scan-only]`: prints the RAM policy document ramkey's
//! own identity needs, exactly the actions it calls (`assets/`). Reads no
//! credentials, makes no call, writes no file.
//!
//! STS GetCallerIdentity, which every command makes first, is not listed:
//! Alibaba Cloud lets any identity call it without a permission.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::PolicyArgs;

/// Scans and both rotation paths.
const REMEDIATE: &str = include_str!("../../assets/policy-remediate.json");
/// `ramkey scan` only: reads, never a write.
const SCAN_ONLY: &str = include_str!("../../assets/policy-scan-only.json");

/// Prints the document on stdout, alone, so it can be piped into
/// `aliyun ram CreatePolicy --PolicyDocument "$(ramkey policy)"`.
pub fn run(args: &PolicyArgs) -> anyhow::Result<ExitCode> {
    let document = if args.scan_only { SCAN_ONLY } else { REMEDIATE };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(document.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write the policy to stdout")?;

    // Only for a person: scripts that capture both streams get pure JSON.
    if std::io::stderr().is_terminal() {
        eprintln!("{}", note(args.scan_only));
    }
    Ok(ExitCode::SUCCESS)
}

fn note(scan_only: bool) -> &'static str {
    if scan_only {
        "ramkey: attach this as a Custom policy to the identity that runs `ramkey scan`; \
         rotations need `ramkey policy` (without --scan-only). sts:GetCallerIdentity needs \
         no permission, so it is not listed."
    } else {
        "ramkey: attach this as a Custom policy to the identity ramkey runs as; \
         `--scan-only` prints the read-only subset for scans. sts:GetCallerIdentity needs \
         no permission, so it is not listed."
    }
}
