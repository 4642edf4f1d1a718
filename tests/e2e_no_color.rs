//! `NO_COLOR` end to end under a pty: with it set, the real `ramkey demo` sends not one
//! colour sequence to the terminal; without it, the same screens are coloured.

#[path = "support/pty.rs"]
mod pty;

use pty::{Key, PATIENCE, PtyCommand, PtyProgram};

/// The findings screen's headline (as `support/wizard_steps.rs` waits for it).
const FINDINGS: &str = "two Active AccessKeys";

/// Every SGR sequence (`ESC [ params m`) in `raw`, as its parameters.
fn sgr_parameters(raw: &[u8]) -> Vec<Vec<u16>> {
    let mut found = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.windows(2).position(|w| w == b"\x1b[") {
        rest = &rest[start + 2..];
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b';' || *b == b':'))
            .unwrap_or(rest.len());
        if rest.get(end) == Some(&b'm') {
            let params = String::from_utf8_lossy(&rest[..end]);
            found.push(
                params
                    .split([';', ':'])
                    .filter_map(|p| p.parse().ok())
                    .collect(),
            );
        }
        rest = &rest[end..];
    }
    found
}

/// Whether an SGR sequence sets a colour (39 and 49, the terminal's own, do not).
fn sets_a_colour(params: &[u16]) -> bool {
    params
        .first()
        .is_some_and(|p| matches!(p, 30..=38 | 40..=48 | 90..=97 | 100..=107))
}

/// The demo's findings and its help overlay; the raw output of the run.
fn demo_output(env: &[(&str, &str)]) -> Vec<u8> {
    let home = tempfile::tempdir().unwrap();
    let command = PtyCommand::ramkey(home.path(), ["demo"]).envs(env.iter().copied());
    let mut demo = PtyProgram::spawn(&command);
    demo.wait_for(FINDINGS, PATIENCE);
    // The help overlay too. Esc waits to be seen alone: ESC then q at once reads as Alt-q.
    demo.press(Key::Char('?'));
    demo.wait_for("Keys in this help", PATIENCE);
    demo.press(Key::Esc);
    demo.wait_gone("Keys in this help", PATIENCE);
    demo.press(Key::Char('q'));
    assert_eq!(demo.wait_exit(PATIENCE), 0, "{}", demo.report());
    demo.raw_output()
}

#[test]
fn no_color_sends_no_colour_and_its_absence_does() {
    let plain = demo_output(&[("NO_COLOR", "1")]);
    let coloured: Vec<_> = sgr_parameters(&plain)
        .into_iter()
        .filter(|p| sets_a_colour(p))
        .collect();
    assert!(coloured.is_empty(), "colour with NO_COLOR: {coloured:?}");

    for env in [&[][..], &[("NO_COLOR", "")][..]] {
        let raw = demo_output(env);
        assert!(
            sgr_parameters(&raw).iter().any(|p| sets_a_colour(p)),
            "{env:?}: no colour at all"
        );
    }
}
