//! A one-line text field with validation, such as the new user's name: the
//! suggestion is filled in, the admin may edit it, and a problem is shown
//! under the field instead of closing the dialog.
//!
//! Depends on the shared dialog pieces only; the rule itself is passed in.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style, Stylize as _};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::popup;

/// Why a value was refused, in words for the admin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// Checks a value before it is submitted.
pub type Validator = Box<dyn Fn(&str) -> Result<(), Invalid> + Send>;

/// The field and its state.
pub struct TextInput {
    /// The box title.
    pub title: String,
    /// What the value is for.
    pub body: Vec<String>,
    /// The label before the field.
    pub label: String,
    /// The value as edited.
    pub value: String,
    /// The last refusal, shown until the value changes.
    pub error: Option<Invalid>,
    /// Shown as dots, left out of `Debug` and wiped on drop (a pasted
    /// secret).
    pub masked: bool,
    validate: Validator,
}

impl std::fmt::Debug for TextInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.masked {
            "** redacted **"
        } else {
            self.value.as_str()
        };
        f.debug_struct("TextInput")
            .field("title", &self.title)
            .field("value", &value)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl TextInput {
    /// A field pre-filled with `suggested`.
    pub fn new(
        title: impl Into<String>,
        body: Vec<String>,
        label: impl Into<String>,
        suggested: impl Into<String>,
        validate: Validator,
    ) -> Self {
        Self {
            title: title.into(),
            body,
            label: label.into(),
            value: suggested.into(),
            error: None,
            masked: false,
            validate,
        }
    }

    /// The same field, its value shown as dots (for a pasted secret).
    #[must_use]
    pub fn masked(mut self) -> Self {
        self.masked = true;
        self
    }

    /// Edits, submits a valid value, or cancels.
    pub fn handle(&mut self, input: &Input) -> Reply<String> {
        match input {
            Input::Char(c) => self.edit(|value| value.push(*c)),
            Input::Paste(text) => self.edit(|value| value.push_str(text)),
            Input::Command(Command::Erase) => self.edit(|value| {
                value.pop();
            }),
            Input::Command(Command::Act) => match (self.validate)(&self.value) {
                // A masked value leaves the field, so no copy stays behind.
                Ok(()) if self.masked => return Reply::Done(std::mem::take(&mut self.value)),
                Ok(()) => return Reply::Done(self.value.clone()),
                Err(invalid) => self.error = Some(invalid),
            },
            Input::Command(Command::Back) => return Reply::Close,
            Input::Command(_) => {}
        }
        Reply::Stay
    }

    fn edit(&mut self, change: impl FnOnce(&mut String)) {
        change(&mut self.value);
        self.error = None;
    }

    /// Draws the box over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let body_height = u16::try_from(self.body.len()).unwrap_or(u16::MAX);
        let inner = popup::open(
            frame,
            popup::centered(area, 72, body_height.saturating_add(7)),
            &self.title,
        );
        let [body, field, error, hints] = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(inner);

        let lines: Vec<Line> = self.body.iter().map(|l| Line::from(l.as_str())).collect();
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        let shown = if self.masked {
            let typed = self.value.chars().count();
            format!("{} ({typed} characters)", "•".repeat(typed.min(40)))
        } else {
            self.value.clone()
        };
        frame.render_widget(
            Line::from(vec![
                Span::raw(format!("{}: ", self.label)),
                Span::raw(shown).bold(),
                "_".into(),
            ]),
            field,
        );
        if let Some(invalid) = &self.error {
            let line = Line::styled(format!("✗ {invalid}"), Style::new().fg(Color::Red));
            frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), error);
        }
        frame.render_widget(popup::hints(Context::TextInput), hints);
    }
}

impl Drop for TextInput {
    fn drop(&mut self) {
        if self.masked {
            zeroize::Zeroize::zeroize(&mut self.value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_spaces() -> Validator {
        Box::new(|value: &str| {
            if value.contains(' ') {
                Err(Invalid("no spaces".to_owned()))
            } else {
                Ok(())
            }
        })
    }

    #[test]
    fn the_suggestion_is_submitted_as_is() {
        let mut input = TextInput::new("t", vec![], "Name", "alice-2", no_spaces());
        assert_eq!(
            input.handle(&Input::Command(Command::Act)),
            Reply::Done("alice-2".to_owned())
        );
    }

    #[test]
    fn a_masked_value_stays_out_of_debug_and_leaves_the_field_when_submitted() {
        let mut input = TextInput::new("t", vec![], "Secret", "", no_spaces()).masked();
        input.handle(&Input::Paste("s3cr3t".to_owned()));
        assert!(!format!("{input:?}").contains("s3cr3t"));
        assert_eq!(
            input.handle(&Input::Command(Command::Act)),
            Reply::Done("s3cr3t".to_owned())
        );
        assert!(input.value.is_empty());
    }

    #[test]
    fn an_invalid_value_stays_with_the_error_until_edited() {
        let mut input = TextInput::new("t", vec![], "Name", "a", no_spaces());
        input.handle(&Input::Char(' '));
        assert_eq!(input.handle(&Input::Command(Command::Act)), Reply::Stay);
        assert_eq!(input.error, Some(Invalid("no spaces".to_owned())));

        input.handle(&Input::Command(Command::Erase));
        assert_eq!(input.error, None);
        assert_eq!(
            input.handle(&Input::Command(Command::Act)),
            Reply::Done("a".to_owned())
        );
    }
}
