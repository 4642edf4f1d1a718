//! Resizing under a pty: the real `ramkey demo` redraws at each new size, shows only a
//! request for a bigger terminal below the minimum, draws the wizard again once the
//! window is big enough, survives a narrow width with Chinese display names, and still
//! leaves a restored terminal on `q`.

#[path = "support/pty.rs"]
mod pty;
use pty::{COLS, Key, PATIENCE, PtyCommand, PtyProgram, ROWS};

/// The findings screen's headline (as `support/wizard_steps.rs` waits for it).
const FINDINGS: &str = "two Active AccessKeys";

const TOO_SMALL: &str = "Terminal too small";

#[test]
fn the_wizard_redraws_on_resize_and_asks_for_a_bigger_terminal_below_the_minimum() {
    let home = tempfile::tempdir().unwrap();
    let mut demo = PtyProgram::spawn(&PtyCommand::ramkey(home.path(), ["demo"]));
    demo.wait_for(FINDINGS, PATIENCE);

    demo.resize(8, 20);
    demo.wait_for("20×8", PATIENCE);
    demo.wait_until("only the message", PATIENCE, |screen| {
        screen.replace('\n', "").contains(TOO_SMALL) && !screen.contains("ramkey demo")
    });

    demo.resize(ROWS, COLS);
    demo.wait_for(FINDINGS, PATIENCE);
    assert!(!demo.screen().contains(TOO_SMALL), "{}", demo.report());

    // 30 columns: the minimum width, where long display names are cut.
    demo.resize(ROWS, 30);
    // Cut by the program at its new width (the old frame, cut by the terminal, has no `…`).
    demo.wait_until("the header redrawn at 30 columns", PATIENCE, |screen| {
        screen
            .lines()
            .next()
            .is_some_and(|header| header.starts_with("ramkey demo") && header.ends_with('…'))
    });
    demo.resize(ROWS, COLS);
    demo.wait_for(FINDINGS, PATIENCE);

    demo.press(Key::Char('q'));
    assert_eq!(demo.wait_exit(PATIENCE), 0, "{}", demo.report());
    assert!(
        !demo.in_alternate_screen() && !demo.cursor_hidden(),
        "{}",
        demo.report()
    );
}
