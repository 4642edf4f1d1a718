//! The state file: one JSON document per account that records every
//! rotation step done, so a weeks-long rotation can be resumed.
//!
//! Atomic 0600 saves, an advisory lock while open, refusal (never
//! overwrite) of any file that is not this account's ramkey state, schema
//! migration, the write-ahead journal's types and the audit log. See
//! `docs/state-file.md`. Depends on `cloud::model` for a few domain types and
//! on nothing above it (no client calls, no engine, no UI).

pub mod atomic;
pub mod audit;
pub mod error;
pub mod journal;
pub mod keep;
pub mod location;
mod lock;
pub mod migrate;
pub mod parse;
pub mod resolve;
pub mod schema;
pub mod steps;
pub mod store;

pub use audit::{AuditEntry, AuditKind, AuditOutcome, History, audit_path, read_history};
pub use error::StateError;
pub use journal::{Intent, WriteCall};
pub use location::{default_dir, default_path, list_state_files};
pub use parse::{Loaded, Parsed, Refusal};
pub use schema::{NotIdleOverride, Rollback, Rotation, SCHEMA_VERSION, StateDocument};
pub use steps::{Deletion, Progress, StepRecord};
pub use store::{StateStore, inspect, read_document};
