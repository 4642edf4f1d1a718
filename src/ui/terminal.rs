//! The one owner of the terminal: raw mode, the alternate screen and
//! bracketed paste are switched on by [`TerminalGuard::enter`] and off again
//! exactly once — when the guard drops (quit or error return) or, on a
//! panic, by the hook before the panic message is printed, so the message
//! lands on the normal screen where it can be read.
//!
//! Restoring twice garbles the screen, so both paths go through one flag.
//! A panic while the guard holds the terminal ends the process (exit code
//! 101, as an unhandled panic does) once its message is printed: whichever
//! thread panicked, the wizard must not go on drawing on a terminal it gave
//! back. The state file is then as after a kill: every save is atomic and
//! an intent left in flight is settled on the next start.
//! Depends on crossterm and ratatui only; nothing here knows the wizard.

use std::io::{self, Stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal ratatui draws on while the guard holds it.
pub type Screen = Terminal<CrosstermBackend<Stdout>>;

/// Whether the terminal is in the wizard's modes and needs restoring.
static ACTIVE: AtomicBool = AtomicBool::new(false);

static PANIC_HOOK: Once = Once::new();

/// The exit code of a panic while the wizard held the terminal: Rust's own
/// for a panic that ends `main`.
const PANIC_EXIT_CODE: i32 = 101;

/// Why the terminal could not be taken over.
#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    /// Raw mode, the alternate screen or the first draw failed.
    #[error("cannot set up the terminal for the wizard ({0}); try `ramkey scan` instead")]
    Setup(#[source] io::Error),
}

/// Holds the terminal in raw mode on the alternate screen.
pub struct TerminalGuard {
    screen: Screen,
}

impl TerminalGuard {
    /// Takes over the terminal; installs the restoring panic hook first.
    pub fn enter() -> Result<Self, TerminalError> {
        install_panic_hook();

        // Set before switching anything on, so a failure halfway is undone.
        ACTIVE.store(true, Ordering::SeqCst);
        match switch_on() {
            Ok(screen) => Ok(Self { screen }),
            Err(error) => {
                restore();
                Err(TerminalError::Setup(error))
            }
        }
    }

    /// The terminal to draw on.
    pub fn screen(&mut self) -> &mut Screen {
        &mut self.screen
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn switch_on() -> io::Result<Screen> {
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    execute!(stdout, EnterAlternateScreen, EnableBracketedPaste)?;
    let mut screen = Terminal::new(CrosstermBackend::new(stdout))?;
    screen.clear()?;
    Ok(screen)
}

/// Leaves the wizard's modes if they are on; later calls do nothing.
///
/// Every step is tried even when one fails, and failures go to the log
/// file: there is no screen left to show them on.
pub fn restore() {
    leave();
}

/// [`restore`]; says whether the terminal was in the wizard's modes.
fn leave() -> bool {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return false;
    }
    let mut stdout = io::stdout();
    if let Err(error) = execute!(
        stdout,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    ) {
        tracing::warn!(%error, "could not leave the alternate screen");
    }
    if let Err(error) = disable_raw_mode() {
        tracing::warn!(%error, "could not leave raw mode");
    }
    true
}

/// Restores the terminal before the default hook prints the panic, then
/// ends the process if the wizard held the terminal.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let print_panic = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let held = leave();
            print_panic(info);
            if held {
                std::process::exit(PANIC_EXIT_CODE);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_without_a_guard_does_nothing() {
        // Not active: must not touch the test runner's terminal.
        restore();
        assert!(!ACTIVE.load(Ordering::SeqCst));
    }
}
