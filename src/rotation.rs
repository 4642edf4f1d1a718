//! The remediation engine: both paths (disable an idle key; move the
//! application to a new RAM user) as persisted steps.
//!
//! [`step`] is the pure state machine over the steps stored by
//! [`crate::state`]; [`view`] turns a stored rotation into what the UI and
//! `ramkey status` show. The engine performs one admin [`Action`] at a time
//! with the cloud client and records it in the state file before returning.
//! Knows nothing of the terminal UI.

pub mod action;
pub mod drift;
pub mod engine;
pub mod error;
pub mod evidence;
pub mod marker;
pub mod name;
pub mod overrides;
pub mod plan;
pub mod step;
pub mod summary;
pub mod view;

pub use action::{Action, Confirmation, Outcome, PolicyRef, Start};
pub use drift::Drift;
pub use engine::{Engine, EngineOptions, KeyCheckOptions, UserPermissions};
pub use error::EngineError;
pub use evidence::{SwapEvidence, SwapStage};
pub use name::{NameError, suggest_name, validate_user_name};
pub use plan::PlannedCall;
pub use step::StepKind;
pub use summary::{MoveSummary, move_summary};
pub use view::{PathKind, RotationView, StepStatus, StepView, rotation_view};
