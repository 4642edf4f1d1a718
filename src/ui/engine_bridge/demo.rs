//! `ramkey demo`'s world as the bridge drives it: the clock the sandbox and
//! the engine share, which jumps ahead on request, and the simulated
//! applications, which follow the swaps the admin confirms.
//!
//! In the demo, storing the new secret moves the application's staging to
//! the new key and confirming staging moves its production, so the next
//! confirmation finds the evidence a real switch leaves. Only `ramkey demo`
//! builds a [`DemoWorld`]; without one the bridge refuses the clock jump.
//! Depends on the engine's views and the wizard's.

use chrono::{DateTime, Duration, Utc};

use super::EngineBackend;
use crate::rotation::{self, StepKind, StepStatus};
use crate::ui::app::days;
use crate::ui::view::{Performed, Request};

/// The demo's world, as `ramkey demo` builds it over its sandbox.
pub trait DemoWorld: Send + Sync {
    /// Moves the clock the sandbox and the engine share `by` ahead.
    fn jump_clock(&self, by: Duration);

    /// A swap the admin made: the simulated application of the old key
    /// moves that deployment to the new key. Says what it did, or `None`
    /// when no simulated application signs with the old key there.
    fn swapped(&self, swap: &DemoSwap) -> Option<String>;
}

/// One swap, as the demo's applications follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSwap {
    /// Production (else staging) moves.
    pub production: bool,
    /// The key it signed with.
    pub old_key_id: String,
    /// The key it signs with from `at` on.
    pub new_key_id: String,
    /// When: the confirmation's record.
    pub at: DateTime<Utc>,
}

/// Which deployment a request moves in the demo: storing the secret moves
/// staging (`Some(false)`), confirming staging moves production.
pub(super) fn moves(request: &Request) -> Option<bool> {
    match request {
        Request::ConfirmSecretStored => Some(false),
        Request::ConfirmStaging => Some(true),
        _ => None,
    }
}

impl EngineBackend {
    /// After `moved` (see [`moves`]) was recorded in `plan`: the demo's
    /// application follows; says what it did.
    pub(super) fn demo_followed(
        &self,
        moved: Option<bool>,
        plan: &rotation::RotationView,
    ) -> Option<String> {
        let (world, production) = (self.demo.as_ref()?, moved?);
        let recorded = if production {
            StepKind::ConfirmStaging
        } else {
            StepKind::ConfirmSecretStored
        };
        let at = plan.steps.iter().find_map(|step| match &step.status {
            StepStatus::Done { at, .. } if step.kind == recorded => Some(*at),
            _ => None,
        })?;
        world.swapped(&DemoSwap {
            production,
            old_key_id: plan.key_id.clone(),
            new_key_id: plan.new_key_id.clone()?,
            at,
        })
    }

    /// Moves the demo's clock `seconds` ahead, then looks again at
    /// `user`'s rotation (if one is shown) as of the new time.
    pub(super) async fn jump_clock(&mut self, user: &str, seconds: i64) -> Performed {
        let Some(world) = self.demo.clone() else {
            return Performed {
                snapshot: self.snapshot(),
                notice: "The clock jump exists only in ramkey demo; nothing was changed."
                    .to_owned(),
                new_secret: None,
            };
        };
        world.jump_clock(Duration::seconds(seconds));
        let mut notice = format!(
            "Demo: the clock jumped {} days ahead, to {}; the waiting period is over.",
            days(seconds),
            self.now().format("%Y-%m-%d %H:%M UTC")
        );
        if self.engine.next_step(user).is_some() {
            if let Err(error) = self.look_for_drift(user).await {
                notice =
                    format!("{notice} (could not look for changes made outside ramkey: {error})");
            }
        }
        Performed {
            snapshot: self.snapshot(),
            notice,
            new_secret: None,
        }
    }
}
