//! The clipboard through the terminal: OSC 52 (`ESC ] 52 ; c ; <base64> BEL`)
//! asks the terminal emulator to put the text on the system clipboard, so
//! copying works over SSH and needs no clipboard tool on the host.
//!
//! The sequence goes to the terminal the wizard draws on and nowhere else:
//! never to a file, a log or a pipe. Not every terminal honours it; many
//! ignore it silently (tmux only passes it on with `set -g set-clipboard on`,
//! GNU screen drops it), which is why the dialog asks the admin to check.
//! Depends on ratatui's backends, base64 and [`crate::secret`] only.

use std::io::{self, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ratatui::backend::{CrosstermBackend, TestBackend};
use zeroize::Zeroizing;

use crate::secret::Secret;

/// OSC 52 for the clipboard selection (`c`).
const START: &[u8] = b"\x1b]52;c;";
/// BEL ends it: understood more widely than ST (`ESC \`).
const END: &[u8] = b"\x07";

/// Where raw bytes for the terminal go: the wizard's own terminal.
pub trait TerminalWriter {
    /// Writes `bytes` to the terminal and flushes them out.
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()>;
}

impl<W: Write> TerminalWriter for CrosstermBackend<W> {
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)?;
        self.flush()
    }
}

/// Tests draw on a buffer that cannot take raw bytes: copying says it failed.
impl TerminalWriter for TestBackend {
    fn write_raw(&mut self, _bytes: &[u8]) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this terminal takes no raw output",
        ))
    }
}

/// What a test terminal received.
impl TerminalWriter for Vec<u8> {
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// The OSC 52 sequence putting `secret` on the clipboard, in a buffer wiped
/// on drop and sized up front (it never grows, so it leaves no copy).
pub fn osc52(secret: &Secret) -> Zeroizing<Vec<u8>> {
    let value = secret.expose().as_bytes();
    let encoded = base64::encoded_len(value.len(), true).expect("a secret is short");
    let mut sequence = Zeroizing::new(vec![0; START.len() + encoded + END.len()]);

    sequence[..START.len()].copy_from_slice(START);
    let body = &mut sequence[START.len()..START.len() + encoded];
    let written = STANDARD
        .encode_slice(value, body)
        .expect("the buffer was sized for it");
    debug_assert_eq!(written, encoded);
    let end = sequence.len() - END.len();
    sequence[end..].copy_from_slice(END);
    sequence
}

/// Sends `secret` to the clipboard through `terminal`.
pub fn copy<T: TerminalWriter + ?Sized>(terminal: &mut T, secret: &Secret) -> io::Result<()> {
    terminal.write_raw(&osc52(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_osc_52_around_the_secrets_base64() {
        let secret = Secret::new("fAkEsEcReTfAkEsEcReTfAkEsEcReT");
        let sequence = osc52(&secret);
        let text = std::str::from_utf8(&sequence).unwrap();
        let body = text
            .strip_prefix("\x1b]52;c;")
            .and_then(|rest| rest.strip_suffix('\x07'))
            .expect("OSC 52 framing");
        assert_eq!(STANDARD.decode(body).unwrap(), secret.expose().as_bytes());
        assert!(!text.contains(secret.expose()), "only its base64 is sent");
    }

    #[test]
    fn copying_writes_the_sequence_to_the_terminal_writer_only() {
        let secret = Secret::new("fAkEsEcReT");
        let mut terminal = Vec::new();
        copy(&mut terminal, &secret).unwrap();
        assert_eq!(terminal, *osc52(&secret));
    }

    #[test]
    fn a_terminal_without_raw_output_says_so() {
        let mut terminal = TestBackend::new(10, 2);
        let refused = copy(&mut terminal, &Secret::new("x")).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::Unsupported);
    }
}
