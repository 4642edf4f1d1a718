//! An emulator of the RAM (2015-05-01) and STS (2015-04-01) RPC APIs, and of
//! IMS (2019-08-15) for the credential report, served
//! over HTTP on loopback, for the demo and for every test.
//!
//! It verifies requests as production's gateway does (signature 1.0 through
//! [`crate::cloud::sign`] and V3 through [`crate::cloud::sign_v3`], the
//! timestamp window, nonce reuse, unknown and
//! disabled keys) and answers with production's codes, statuses and JSON
//! shapes. The account it serves is an [`Account`], loaded from JSON
//! (`docs/sandbox.md`); fault switches ([`Faults`]) make it throttle, fail,
//! drop connections or skew its clock for client tests. Depends on [`crate::clock`], [`crate::secret`] and
//! the signer and domain enums of [`crate::cloud`]; never on the client,
//! the scan, the state file, the engine or the UI.

mod account;
mod actions;
mod api_error;
pub mod applications;
mod connection;
mod delivery;
mod faults;
mod gate;
mod gate_v3;
mod generate;
mod ids;
mod journal;
mod names;
mod nonces;
mod params;
pub mod policy;
mod reply;
mod server;
mod sessions;

use std::net::SocketAddr;

pub use account::{
    Account, AccountDate, AccountError, AccountProblem, Group, Key, KmsSecret, Membership,
    NeverUsedKeys, Policy, PolicyAttachment, Role, User,
};
pub use actions::report::ReportSettings;
pub use applications::{Application, Deployment, Stage};
pub use faults::{Faults, Pattern, Schedule, ScheduleError};
pub use gate::{MISMATCH_PREFIX, TIMESTAMP_WINDOW};
pub use generate::{Generation, GenerationError, generate};
pub use journal::{Ending, SeenRequest};
pub use server::{Applications, SandboxHandle, start};

/// Why the sandbox could not start or stopped badly.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// Only loopback addresses are served: the account's secrets are fake but
    /// the sandbox verifies nothing about who connects.
    #[error(
        "the sandbox listens on loopback only; {0} is not a loopback address (try 127.0.0.1:0)"
    )]
    NotLoopback(SocketAddr),
    /// The account breaks a rule of the account file.
    #[error("the account cannot be served: {0}")]
    Account(#[from] AccountProblem),
    /// The port is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The server stopped with an error.
    #[error("the sandbox server failed: {0}")]
    Serve(std::io::Error),
}
