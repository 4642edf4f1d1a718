//! The demo's world for the wizard: the clock the sandbox and the engine
//! share (jumped ahead on request) and the sandbox's simulated
//! applications (moved to the new key as the admin confirms swaps).
//!
//! Only `ramkey demo` builds one; a real account's wizard has none, so its
//! clock cannot be moved. Depends on the clock, the sandbox and the
//! bridge's [`DemoWorld`].

use chrono::Duration;

use crate::clock::SystemClock;
use crate::sandbox::{Applications, Stage};
use crate::ui::engine_bridge::{DemoSwap, DemoWorld};

/// The demo's clock and applications.
pub struct SandboxWorld {
    clock: SystemClock,
    applications: Applications,
}

impl SandboxWorld {
    /// Over the clock the sandbox and the engine were given, and the
    /// sandbox's applications.
    pub fn new(clock: SystemClock, applications: Applications) -> Self {
        Self {
            clock,
            applications,
        }
    }
}

impl DemoWorld for SandboxWorld {
    fn jump_clock(&self, by: Duration) {
        self.clock.advance(by);
    }

    fn swapped(&self, swap: &DemoSwap) -> Option<String> {
        let stage = if swap.production {
            Stage::Production
        } else {
            Stage::Staging
        };
        let switched = self
            .applications
            .switch(stage, &swap.old_key_id, &swap.new_key_id, swap.at);
        match switched {
            Ok(name) => Some(format!(
                "Demo: the simulated {name} now signs with {} in {}",
                swap.new_key_id,
                stage.name()
            )),
            Err(error) => {
                tracing::debug!("demo: no application followed the swap: {error}");
                None
            }
        }
    }
}
