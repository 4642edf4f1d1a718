//! The one-time display of a new AccessKey secret.
//!
//! The secret is hidden until the admin shows it (`s` shows and hides it),
//! and can be copied to the clipboard through the terminal (`c`, OSC 52) or
//! saved to a new file the admin names (`e` an env file, `p` an aliyun CLI
//! profile). The dialog itself does no I/O: it records what was asked
//! ([`Job`]) for [`super::secret_io`] to carry out right after the key
//! press, and shows the outcome it is given back.
//!
//! The secret exists in the wizard only inside this dialog: it is never
//! saved by ramkey, logged or shown again, and closing the dialog drops (and
//! wipes) it. Only `y` closes it, and only once the secret was shown,
//! copied or saved, so a stray key cannot lose it; a paste never reaches it
//! (only the file name field takes pasted text). Depends on
//! [`crate::secret`], the text field and the shared dialog pieces only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::popup;
use super::text_input::{Invalid, TextInput, Validator};
use super::view::ShownSecret;
use crate::secret::Secret;
use crate::secret::export::{Form, PROFILE_REGION};

/// The box's size, the terminal's when smaller.
const WIDTH: u16 = 76;
/// See [`WIDTH`].
const HEIGHT: u16 = 19;

/// What stands in for the hidden secret: its length is not told either.
const MASK: &str = "••••••••••••••••••••••••••••••";

/// What the admin asked for that needs the terminal or the file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Copy the secret to the clipboard through the terminal.
    Copy,
    /// Save the key to the file the admin named, as typed.
    Save {
        /// Which document.
        form: Form,
        /// The path as typed (resolved when saving).
        typed: String,
    },
}

/// How a [`Job`] went, as [`super::secret_io`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// The OSC 52 sequence was written to the terminal.
    Copied,
    /// Copying failed: the terminal could not be written to.
    CopyFailed(String),
    /// The file was created.
    Saved {
        /// Which document.
        form: Form,
        /// The path as resolved.
        path: String,
    },
    /// Saving failed; the message says what to do.
    SaveFailed {
        /// Which document.
        form: Form,
        /// The path as typed, offered again.
        typed: String,
        /// What went wrong and what to do.
        why: String,
    },
}

/// The last thing worth telling under the key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum News {
    /// `y` before the secret was shown, copied or saved.
    NotYet,
    /// A job's outcome.
    Outcome(JobOutcome),
}

/// The dialog; owns the only copy of the secret the wizard holds.
#[derive(Debug)]
pub struct SecretDialog {
    shown: ShownSecret,
    revealed: bool,
    /// Shown, copied or saved at least once: `y` may close it.
    handed_over: bool,
    /// The file name field, while the admin names a file (boxed: it is
    /// the larger part, and rarely open).
    naming: Option<Box<(Form, TextInput)>>,
    job: Option<Job>,
    news: Option<News>,
}

impl SecretDialog {
    /// Takes the new key; the secret lives as long as the dialog.
    pub fn new(shown: ShownSecret) -> Self {
        Self {
            shown,
            revealed: false,
            handed_over: false,
            naming: None,
            job: None,
            news: None,
        }
    }

    /// The user the key belongs to.
    pub fn user(&self) -> &str {
        &self.shown.user
    }

    /// The new key's id.
    pub fn access_key_id(&self) -> &str {
        &self.shown.access_key_id
    }

    /// The secret, for the job that copies or saves it.
    pub fn secret(&self) -> &Secret {
        &self.shown.secret
    }

    /// Whether the secret is shown in clear.
    pub fn is_revealed(&self) -> bool {
        self.revealed
    }

    /// Whether the file name field is open.
    pub fn is_naming(&self) -> bool {
        self.naming.is_some()
    }

    /// The key-table context: the file name field's while it is open.
    pub fn context(&self) -> Context {
        if self.naming.is_some() {
            Context::TextInput
        } else {
            Context::Secret
        }
    }

    /// The job asked for, if any, handed over once.
    pub fn take_job(&mut self) -> Option<Job> {
        self.job.take()
    }

    /// The job asked for, if any, left in place (for tests).
    pub fn job(&self) -> Option<&Job> {
        self.job.as_ref()
    }

    /// Takes a job's outcome: shown under the key; a failed save reopens
    /// the file name field with the reason.
    pub fn finish(&mut self, outcome: JobOutcome) {
        match &outcome {
            JobOutcome::Copied | JobOutcome::Saved { .. } => self.handed_over = true,
            JobOutcome::CopyFailed(_) => {}
            JobOutcome::SaveFailed { form, typed, why } => {
                let mut field = file_field(*form, typed);
                field.error = Some(Invalid(why.clone()));
                self.naming = Some(Box::new((*form, field)));
            }
        }
        self.news = Some(News::Outcome(outcome));
    }

    /// Shows, hides, asks for a copy or a file; only `y` (stored) closes
    /// it, and only once the secret was shown, copied or saved.
    pub fn handle(&mut self, input: &Input) -> Reply<()> {
        if let Some(naming) = &mut self.naming {
            let (form, field) = &mut **naming;
            match field.handle(input) {
                Reply::Done(typed) => {
                    self.job = Some(Job::Save { form: *form, typed });
                    self.naming = None;
                }
                Reply::Close => self.naming = None,
                Reply::Stay => {}
            }
            return Reply::Stay;
        }

        match input {
            Input::Command(Command::RevealSecret) => {
                self.revealed = !self.revealed;
                self.handed_over |= self.revealed;
            }
            Input::Command(Command::CopySecret) => self.job = Some(Job::Copy),
            Input::Command(Command::SaveEnvFile) => self.name_a_file(Form::EnvFile),
            Input::Command(Command::SaveProfile) => self.name_a_file(Form::AliyunProfile),
            Input::Command(Command::Yes) if self.handed_over => return Reply::Done(()),
            Input::Command(Command::Yes) => self.news = Some(News::NotYet),
            _ => {}
        }
        Reply::Stay
    }

    fn name_a_file(&mut self, form: Form) {
        let suggested = form.suggested_name(&self.shown.user);
        self.naming = Some(Box::new((form, file_field(form, &suggested))));
    }

    /// Draws the box over `area` (the file name field instead, while open).
    pub fn render(&self, frame: &mut Frame, area: Rect) {
        if let Some(naming) = &self.naming {
            naming.1.render(frame, area);
            return;
        }
        let inner = popup::open(
            frame,
            popup::centered(area, WIDTH, HEIGHT),
            "New AccessKey — shown once",
        );
        let [intro, fields, warning, news_row, prompt, hints] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(1),
            Constraint::Length(1),
            Constraint::Length(2),
        ])
        .areas(inner);

        let intro_text = format!(
            "Store this in the application's secret store for {}.",
            self.shown.user
        );
        frame.render_widget(Paragraph::new(intro_text).wrap(Wrap { trim: false }), intro);
        frame.render_widget(Paragraph::new(self.field_lines()), fields);
        let warn = Line::styled(
            "It will never be shown again: ramkey does not save or log it, and forgets it \
             once this closes.",
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        );
        frame.render_widget(Paragraph::new(warn).wrap(Wrap { trim: false }), warning);
        if let Some(news) = &self.news {
            let (text, style) = describe(news);
            let paragraph = Paragraph::new(Line::styled(text, style)).wrap(Wrap { trim: false });
            frame.render_widget(paragraph, news_row);
        }
        frame.render_widget(Paragraph::new(self.prompt()), prompt);
        // Each hint whole on its row: "y I have stored it" is not split.
        let hint_rows = super::footer::fit(popup::hints(Context::Secret), hints.width);
        frame.render_widget(Paragraph::new(hint_rows), hints);
    }

    /// The key, with the secret borrowed (never copied) when shown.
    fn field_lines(&self) -> Vec<Line<'_>> {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let secret = if self.revealed {
            Line::from(vec![
                Span::raw("AccessKeySecret: "),
                Span::styled(self.shown.secret.expose(), bold),
                Span::raw("  (s hides it)"),
            ])
        } else {
            Line::from(vec![
                Span::raw("AccessKeySecret: "),
                Span::styled(MASK, bold),
                Span::raw("  (s shows it)"),
            ])
        };
        vec![
            popup::field("AccessKeyId    ", self.shown.access_key_id.clone()),
            secret,
        ]
    }

    fn prompt(&self) -> &'static str {
        if self.handed_over {
            "Press y once the secret is stored where the application reads it."
        } else {
            "Show (s), copy (c) or save (e, p) the secret; then y once it is stored."
        }
    }
}

/// The file name field for `form`, filled with `value`.
fn file_field(form: Form, value: &str) -> TextInput {
    let body = match form {
        Form::EnvFile => vec![
            "Save the key as an env file (ALIBABA_CLOUD_ACCESS_KEY_ID and".to_owned(),
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET lines) to a new file, mode 0600.".to_owned(),
            "An existing file is never overwritten. ~ is your home; a relative".to_owned(),
            "path is under the directory ramkey was started in.".to_owned(),
        ],
        Form::AliyunProfile => vec![
            "Save the key as an aliyun CLI config holding one AK profile to a".to_owned(),
            "new file, mode 0600. Your own ~/.aliyun/config.json is never".to_owned(),
            "changed: name a new file. ~ is your home; a relative path is under".to_owned(),
            "the directory ramkey was started in.".to_owned(),
        ],
    };
    let title = format!("Save as {}", form.label());
    TextInput::new(title, body, "File", value, not_empty())
}

fn not_empty() -> Validator {
    Box::new(|value: &str| {
        if value.trim().is_empty() {
            Err(Invalid("type the path of a new file".to_owned()))
        } else {
            Ok(())
        }
    })
}

/// The news in words, and how it stands out.
fn describe(news: &News) -> (String, Style) {
    let warning = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let failure = Style::new().fg(Color::Red);
    let done = Style::new().fg(Color::Green);
    match news {
        News::NotYet => (
            "Not closed: the secret was not shown, copied or saved yet. Do one first.".to_owned(),
            warning,
        ),
        News::Outcome(JobOutcome::Copied) => (
            "Sent to the clipboard through the terminal (OSC 52). Not every terminal supports \
             it and some ignore it silently (tmux: set -g set-clipboard on): paste it somewhere \
             harmless to check, and clear the clipboard once it is stored."
                .to_owned(),
            done,
        ),
        News::Outcome(JobOutcome::CopyFailed(why)) => (
            format!("Not copied: {why}. Show it (s) or save it to a file (e, p) instead."),
            failure,
        ),
        News::Outcome(JobOutcome::Saved { form, path }) => (saved(*form, path), done),
        News::Outcome(JobOutcome::SaveFailed { why, .. }) => (format!("Not saved: {why}"), failure),
    }
}

fn saved(form: Form, path: &str) -> String {
    match form {
        Form::EnvFile => format!(
            "Saved as an env file to {path} (mode 0600). Move it into the application's \
             secret store, then delete the file."
        ),
        Form::AliyunProfile => format!(
            "Saved as an aliyun CLI profile to {path} (mode 0600, region {PROFILE_REGION}). \
             Use it with aliyun --config-path {path}, or copy the profile into your config; \
             then delete the file."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialog() -> SecretDialog {
        SecretDialog::new(ShownSecret {
            user: "alice-2".into(),
            access_key_id: "LTAI5tNEWKEY".into(),
            secret: Secret::new("s3cr3t"),
        })
    }

    fn command(command: Command) -> Input {
        Input::Command(command)
    }

    #[test]
    fn only_y_closes_it_and_only_once_the_secret_was_handed_over() {
        let mut dialog = dialog();
        for other in [Command::Act, Command::Back, Command::No, Command::Quit] {
            assert_eq!(dialog.handle(&command(other)), Reply::Stay);
        }
        assert_eq!(dialog.handle(&Input::Char('y')), Reply::Stay);
        assert_eq!(dialog.handle(&command(Command::Yes)), Reply::Stay);
        assert_eq!(dialog.news, Some(News::NotYet));

        dialog.handle(&command(Command::RevealSecret));
        assert_eq!(dialog.handle(&command(Command::Yes)), Reply::Done(()));
    }

    #[test]
    fn s_shows_and_hides_and_a_hidden_secret_still_counts_as_shown() {
        let mut dialog = dialog();
        assert!(!dialog.is_revealed());
        dialog.handle(&command(Command::RevealSecret));
        assert!(dialog.is_revealed());
        dialog.handle(&command(Command::RevealSecret));
        assert!(!dialog.is_revealed());
        assert_eq!(dialog.handle(&command(Command::Yes)), Reply::Done(()));
    }

    #[test]
    fn copy_asks_for_the_job_and_its_success_allows_y() {
        let mut dialog = dialog();
        dialog.handle(&command(Command::CopySecret));
        assert_eq!(dialog.take_job(), Some(Job::Copy));
        assert_eq!(dialog.take_job(), None, "handed over once");

        dialog.finish(JobOutcome::CopyFailed("no terminal".into()));
        assert_eq!(dialog.handle(&command(Command::Yes)), Reply::Stay);
        dialog.finish(JobOutcome::Copied);
        assert_eq!(dialog.handle(&command(Command::Yes)), Reply::Done(()));
    }

    #[test]
    fn saving_names_a_file_then_asks_for_the_job() {
        let mut dialog = dialog();
        dialog.handle(&command(Command::SaveEnvFile));
        assert!(dialog.is_naming());
        assert_eq!(dialog.context(), Context::TextInput);
        // In the field, y is typed, not taken as "stored".
        dialog.handle(&Input::Char('y'));
        assert_eq!(dialog.handle(&command(Command::Act)), Reply::Stay);
        assert_eq!(
            dialog.take_job(),
            Some(Job::Save {
                form: Form::EnvFile,
                typed: "~/alice-2.envy".into()
            })
        );
        assert_eq!(dialog.context(), Context::Secret);
    }

    #[test]
    fn esc_leaves_the_file_name_field_without_saving() {
        let mut dialog = dialog();
        dialog.handle(&command(Command::SaveProfile));
        assert_eq!(dialog.handle(&command(Command::Back)), Reply::Stay);
        assert!(!dialog.is_naming());
        assert_eq!(dialog.take_job(), None);
    }

    #[test]
    fn a_failed_save_reopens_the_field_with_the_reason() {
        let mut dialog = dialog();
        dialog.finish(JobOutcome::SaveFailed {
            form: Form::AliyunProfile,
            typed: "config.json".into(),
            why: "config.json already exists".into(),
        });
        let Some(naming) = &dialog.naming else {
            panic!("the field reopens");
        };
        let (form, field) = &**naming;
        assert_eq!(*form, Form::AliyunProfile);
        assert_eq!(field.value, "config.json");
        assert!(field.error.is_some());
        assert_eq!(dialog.handle(&command(Command::Yes)), Reply::Stay);
    }

    #[test]
    fn a_paste_goes_into_the_file_name_only_and_never_submits() {
        let mut dialog = dialog();
        dialog.handle(&Input::Paste("ignored".into()));
        assert_eq!(dialog.take_job(), None);
        dialog.handle(&command(Command::SaveEnvFile));
        dialog.handle(&Input::Paste("more".into()));
        assert!(dialog.is_naming(), "a paste never submits");
        assert_eq!(dialog.take_job(), None);
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let mut dialog = dialog();
        dialog.handle(&command(Command::RevealSecret));
        dialog.handle(&command(Command::CopySecret));
        assert!(!format!("{dialog:?}").contains("s3cr3t"));
    }
}
