//! ramkey: find RAM users holding two Active AccessKeys and walk a security
//! admin through retiring one of them, safely and resumably.
//!
//! Layers, from the bottom up (each depends only on those above it in this
//! list): [`clock`], [`secret`] and [`death`] (test-only kill points); [`cloud`] (the signer and the Alibaba Cloud
//! client); [`sandbox`] (an emulator of the RAM and STS APIs); [`scan`] (who is
//! flagged and why); [`state`] (the state file); [`rotation`] (the remediation
//! engine); [`ui`] (the terminal wizard); [`commands`] (one function per
//! command-line subcommand, parsed by [`cli`]).

pub mod cli;
pub mod clock;
pub mod cloud;
pub mod commands;
pub mod death;
pub mod rotation;
pub mod sandbox;
pub mod scan;
pub mod secret;
pub mod state;
pub mod ui;
