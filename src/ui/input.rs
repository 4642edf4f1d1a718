//! What a dialog receives and what it answers, shared by every dialog.
//!
//! Dialogs know nothing of what follows them: the app pairs each open
//! dialog with its next step and acts on the [`Reply`]. Depends on
//! [`super::keys`] only.

use super::keys::Command;

/// One input for the focused dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A key the table maps to a command here.
    Command(Command),
    /// A character typed into a text field.
    Char(char),
    /// Text pasted with bracketed paste (already cleaned by [`clean_paste`]).
    Paste(String),
}

/// A dialog's answer to an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<T> {
    /// Keep the dialog open.
    Stay,
    /// Close it without doing anything.
    Close,
    /// Close it with the admin's answer.
    Done(T),
}

/// Pasted text as a single-line field takes it: line breaks and other
/// control characters removed, surrounding whitespace trimmed.
///
/// A trailing newline in a paste must never act as Enter (BC-16), and a
/// stray space would make a name or secret silently wrong.
pub fn clean_paste(pasted: &str) -> String {
    let flat: String = pasted.chars().filter(|c| !c.is_control()).collect();
    flat.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paste_loses_line_breaks_and_surrounding_spaces() {
        assert_eq!(clean_paste("testsecret\r\n"), "testsecret");
        assert_eq!(clean_paste(" testsecret "), "testsecret");
        assert_eq!(clean_paste("a\tb"), "ab");
    }
}
