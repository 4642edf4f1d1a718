//! The one-time display of a new AccessKey secret.
//!
//! The secret exists in ramkey only inside this dialog: it is never saved,
//! logged or shown again, and closing the dialog drops (and wipes) it. The
//! admin must press `y` to say it is stored; nothing else closes it, so a
//! stray Enter or Esc cannot lose it. Depends on [`crate::secret`] and the
//! shared dialog pieces only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::popup;
use super::view::ShownSecret;

/// The dialog; owns the only copy of the secret.
#[derive(Debug)]
pub struct SecretDialog {
    shown: ShownSecret,
}

impl SecretDialog {
    /// Takes the new key; the secret lives as long as the dialog.
    pub fn new(shown: ShownSecret) -> Self {
        Self { shown }
    }

    /// The user the key belongs to.
    pub fn user(&self) -> &str {
        &self.shown.user
    }

    /// Only `y` (stored) closes it.
    pub fn handle(&mut self, input: &Input) -> Reply<()> {
        match input {
            Input::Command(Command::Yes) => Reply::Done(()),
            _ => Reply::Stay,
        }
    }

    /// Draws the box over `area`.
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        let inner = popup::open(
            frame,
            popup::centered(area, 76, 14),
            "New AccessKey — shown once",
        );
        let [intro, fields, warning, prompt, hints] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(3),
            Constraint::Min(2),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(inner);

        let intro_text = format!(
            "Store this in the application's secret store for {}.",
            self.shown.user
        );
        frame.render_widget(Paragraph::new(intro_text).wrap(Wrap { trim: false }), intro);
        let lines = vec![
            popup::field("AccessKeyId    ", self.shown.access_key_id.clone()),
            popup::field("AccessKeySecret", self.shown.secret.expose().to_owned()),
        ];
        frame.render_widget(Paragraph::new(lines), fields);
        let warn = Line::styled(
            "It will never be shown again and ramkey does not save it anywhere.",
            Style::new().fg(Color::Yellow).bold(),
        );
        frame.render_widget(Paragraph::new(warn).wrap(Wrap { trim: false }), warning);
        frame.render_widget(
            Paragraph::new("Have you stored the secret? Press y when it is stored."),
            prompt,
        );
        frame.render_widget(popup::hints(Context::Secret), hints);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn dialog() -> SecretDialog {
        SecretDialog::new(ShownSecret {
            user: "alice-2".into(),
            access_key_id: "LTAI5tNEWKEY".into(),
            secret: Secret::new("s3cr3t"),
        })
    }

    #[test]
    fn only_y_closes_it() {
        let mut dialog = dialog();
        for command in [Command::Act, Command::Back, Command::No, Command::Quit] {
            assert_eq!(dialog.handle(&Input::Command(command)), Reply::Stay);
        }
        assert_eq!(dialog.handle(&Input::Char('y')), Reply::Stay);
        assert_eq!(
            dialog.handle(&Input::Command(Command::Yes)),
            Reply::Done(())
        );
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        assert!(!format!("{:?}", dialog()).contains("s3cr3t"));
    }
}
