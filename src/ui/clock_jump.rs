//! `ramkey demo`'s clock jump: how far to move the clock the sandbox and
//! the engine share so that the deletions waiting now become due, and the
//! footer hint that offers it while one waits.
//!
//! Pure: reads the snapshot (its deletion dates and when it was taken) and
//! the app; the move itself is the bridge's, and only a demo has one.
//! Depends on [`super::app`] (read only), [`super::keys`] and
//! [`super::view`].

use super::app::App;
use super::keys::{self, Command, Context};
use super::view::{Snapshot, StepKind};

/// A minute past the wait: the deletion is due, with room to spare.
const MARGIN_SECONDS: i64 = 60;

/// Seconds to jump so that every deletion waiting in `snapshot` is due,
/// or why there is nothing to skip.
pub fn past_the_wait(snapshot: &Snapshot) -> Result<i64, String> {
    let latest = snapshot
        .users
        .iter()
        .filter_map(|user| user.rotation.as_ref())
        .filter_map(|rotation| match &rotation.steps[rotation.current()?].kind {
            StepKind::DeleteKey { due, .. } => Some(*due),
            _ => None,
        })
        .max();
    let Some(due) = latest else {
        return Err(
            "Nothing waits for deletion: > skips the waiting period once a key is disabled."
                .to_owned(),
        );
    };
    if due <= snapshot.taken_at {
        return Err(format!(
            "The deletion is due already (since {}): nothing to skip.",
            due.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    Ok((due - snapshot.taken_at).num_seconds() + MARGIN_SECONDS)
}

/// The footer's `> skip`, while the demo has a waiting period to skip.
pub fn footer_hint(app: &App) -> Option<(String, &'static str)> {
    if !app.offers_demo_keys() || past_the_wait(&app.snapshot).is_err() {
        return None;
    }
    let binding = keys::binding(Context::Demo, Command::JumpClock)?;
    Some((keys::keys_label(binding.keys), binding.hint))
}
