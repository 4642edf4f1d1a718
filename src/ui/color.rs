//! `NO_COLOR` (no-color.org): when it is set to any non-empty value the
//! wizard draws no colour at all, only text and its emphasis (bold,
//! reverse, underline), which carry every meaning the colours add.
//!
//! The screens keep their styles; [`strip`] takes the colours out of the
//! drawn buffer afterwards, so no screen can forget to. Depends on ratatui
//! only.

use std::ffi::OsStr;

use ratatui::buffer::Buffer;
use ratatui::style::Color;

/// The variable of the convention.
pub const NO_COLOR: &str = "NO_COLOR";

/// Whether a value of `NO_COLOR` asks for no colour: present and not empty.
pub fn requested_by(value: Option<&OsStr>) -> bool {
    value.is_some_and(|value| !value.is_empty())
}

/// Whether this process's environment asks for no colour.
pub fn requested() -> bool {
    requested_by(std::env::var_os(NO_COLOR).as_deref())
}

/// Sets every cell's foreground and background to the terminal's own.
pub fn strip(buffer: &mut Buffer) {
    for cell in &mut buffer.content {
        cell.set_fg(Color::Reset);
        cell.set_bg(Color::Reset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Modifier, Style};

    #[test]
    fn any_non_empty_value_asks_for_no_colour() {
        assert!(!requested_by(None));
        assert!(!requested_by(Some(OsStr::new(""))));
        for value in ["1", "0", "false", "yes"] {
            assert!(requested_by(Some(OsStr::new(value))), "{value}");
        }
    }

    #[test]
    fn strip_keeps_text_and_emphasis() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 4, 1));
        let style = Style::new()
            .fg(Color::Yellow)
            .bg(Color::Blue)
            .add_modifier(Modifier::BOLD);
        buffer.set_string(0, 0, "ab", style);
        strip(&mut buffer);
        let cell = &buffer[(0, 0)];
        assert_eq!(
            (cell.symbol(), cell.fg, cell.bg),
            ("a", Color::Reset, Color::Reset)
        );
        assert!(cell.modifier.contains(Modifier::BOLD));
    }
}
