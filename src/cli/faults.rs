//! The fault-switch flags of `ramkey sandbox` (`docs/sandbox.md`, "Fault
//! switches"). Definitions only; `commands::sandbox` turns them into
//! [`crate::sandbox::Faults`].

use std::num::NonZeroU32;

use clap::Args;

use crate::sandbox::Schedule;

/// How the sandbox misbehaves; all off unless given.
///
/// A SCHEDULE is `N` (every N-th request), `first:N`, `all` or `once` (the
/// first try of each call), optionally followed by `@Action,Action` to count
/// only those actions.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Fault switches")]
pub struct FaultArgs {
    /// Answer 400 Throttling.User (with x-acs-retry-after) instead of acting.
    /// Every SCHEDULE is N (every N-th request), first:N, all or once (the
    /// first try of each call: same action and parameters), optionally
    /// followed by @Action,Action to count only those.
    #[arg(long, value_name = "SCHEDULE")]
    pub throttle: Option<Schedule>,

    /// Throttle requests beyond this many per second of the sandbox clock
    /// (refused requests do not count).
    #[arg(long, visible_alias = "max-rps", value_name = "N")]
    pub throttle_rate: Option<NonZeroU32>,

    /// Answer every request Throttling.User for this long from start.
    #[arg(long, value_name = "SECONDS")]
    pub throttle_storm: Option<u64>,

    /// Leave x-acs-retry-after out of throttled answers.
    #[arg(long)]
    pub no_retry_after: bool,

    /// The wait a throttled answer asks for (x-acs-retry-after).
    #[arg(long, default_value_t = 1000, value_name = "MILLISECONDS")]
    pub retry_after_ms: u64,

    /// Answer 503 with an HTML page instead of acting.
    #[arg(long, value_name = "SCHEDULE")]
    pub unavailable: Option<Schedule>,

    /// Drop the connection without acting and without an answer.
    #[arg(long, value_name = "SCHEDULE")]
    pub reset_before: Option<Schedule>,

    /// Act, then drop the connection without an answer.
    #[arg(long, value_name = "SCHEDULE")]
    pub reset_after: Option<Schedule>,

    /// Wait this long before every answer.
    #[arg(
        long,
        visible_alias = "latency",
        default_value_t = 0,
        value_name = "MILLISECONDS"
    )]
    pub delay_ms: u64,

    /// Run the sandbox clock this far ahead of this machine's (negative: behind).
    #[arg(
        long,
        default_value_t = 0,
        allow_negative_numbers = true,
        value_name = "SECONDS"
    )]
    pub clock_skew: i64,

    /// End the STS token of a request signed with one (it and every later
    /// request with that token get InvalidSecurityToken.Expired).
    #[arg(long, value_name = "SCHEDULE")]
    pub expire_token: Option<Schedule>,

    /// Answer InvalidAccessKeyId.NotFound for a key until it is this old.
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    pub new_key_delay: u64,
}
