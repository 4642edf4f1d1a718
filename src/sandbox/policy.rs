//! RAM policy evaluation for the sandbox: policy documents (`Version` "1",
//! `Statement[]`), wildcard matching of actions and resources, the decision
//! (explicit Deny wins, then Allow, else an implicit refusal) and the
//! documents of well-known System policies.
//!
//! Pure: knows nothing of HTTP, the account file or who is calling;
//! `super::actions` gathers the caller's documents and asks here.
//! What is and is not evaluated is listed in `docs/sandbox.md`.

mod document;
mod evaluate;
mod pattern;
mod system;

pub use document::{Actions, DocumentProblem, Effect, PolicyDocument, Statement, VERSION};
pub use evaluate::{Decision, Refusal, decide, decide_all};
pub use pattern::{action_matches, resource_matches};
pub use system::{known_system_policies, system_document};
