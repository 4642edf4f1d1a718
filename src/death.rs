//! Test-only death points around every write call and every state-file
//! rename, for the kill tests (`tests/kill_matrix.rs`): the process sends
//! itself SIGKILL just before or just after a chosen point, as a crash or a
//! kill -9 would stop it.
//!
//! Chosen by `RAMKEY_TEST_DIE_AT=<before|after>:<Point>[#N]`, e.g.
//! `after:CreateAccessKey` or `before:AttachPolicyToUser#2` (the second such
//! call of this process). Points are API action names and `rename` (the
//! state file's atomic replace). [`panic_point`] panics instead, chosen by
//! `RAMKEY_TEST_PANIC_AT=<point>` (`scan`: once the scan knows who ramkey
//! is). Depends on nothing else in the crate. The code exists only in builds with debug
//! assertions (tests and `cargo run`); release builds compile
//! [`point`] to nothing and never read the variable.

/// Where around a write call (or a rename) a death point sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The intent is saved; the call has not been sent.
    Before,
    /// The call was answered (or settled); its outcome is not yet saved.
    After,
}

/// The environment variable that chooses the death point.
pub const DIE_AT: &str = "RAMKEY_TEST_DIE_AT";

/// Dies here if `RAMKEY_TEST_DIE_AT` names this stage of `action`.
#[cfg(debug_assertions)]
pub fn point(stage: Stage, action: &str) {
    use std::sync::Mutex;
    static SEEN: Mutex<Vec<(Stage, String)>> = Mutex::new(Vec::new());

    let Ok(wanted) = std::env::var(DIE_AT) else {
        return;
    };
    let Some((wanted_stage, wanted_action, nth)) = parse(&wanted) else {
        return;
    };
    if wanted_stage != stage || wanted_action != action {
        return;
    }
    let mut seen = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    seen.push((stage, action.to_owned()));
    let count = seen
        .iter()
        .filter(|(s, a)| *s == stage && a == action)
        .count();
    if count == nth {
        tracing::warn!(?stage, action, "test death point reached: SIGKILL");
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    }
}

/// Release builds: no death points.
#[cfg(not(debug_assertions))]
#[inline]
pub fn point(_stage: Stage, _action: &str) {}

/// The environment variable that chooses a test panic point.
pub const PANIC_AT: &str = "RAMKEY_TEST_PANIC_AT";

/// Panics here if `RAMKEY_TEST_PANIC_AT` names `point` (e.g. `scan`), for
/// the tests that the terminal is restored on a panic (bc-15). Inert unless
/// the variable is set; like [`point`], absent from release builds.
#[cfg(debug_assertions)]
pub fn panic_point(point: &str) {
    let wanted = std::env::var(PANIC_AT).is_ok_and(|wanted| wanted == point);
    assert!(!wanted, "test panic point {point:?} reached ({PANIC_AT})");
}

/// Release builds: no panic points.
#[cfg(not(debug_assertions))]
#[inline]
pub fn panic_point(_point: &str) {}

/// `before:CreateUser#2` → (Before, "CreateUser", 2); `#N` defaults to 1.
#[cfg_attr(not(debug_assertions), allow(dead_code))]
fn parse(text: &str) -> Option<(Stage, &str, usize)> {
    let (stage, rest) = text.split_once(':')?;
    let stage = match stage {
        "before" => Stage::Before,
        "after" => Stage::After,
        _ => return None,
    };
    let (action, nth) = match rest.split_once('#') {
        Some((action, nth)) => (action, nth.parse().ok().filter(|n| *n > 0)?),
        None => (rest, 1),
    };
    Some((stage, action, nth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_death_point() {
        assert_eq!(
            parse("before:CreateUser"),
            Some((Stage::Before, "CreateUser", 1))
        );
        assert_eq!(
            parse("after:AttachPolicyToUser#2"),
            Some((Stage::After, "AttachPolicyToUser", 2))
        );
        for bad in [
            "",
            "CreateUser",
            "during:CreateUser",
            "after:X#0",
            "after:X#y",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
