//! The wizard's state and its one transition function,
//! [`App::update`]: a message in, the new state and at most one effect out.
//!
//! Pure: no terminal, no engine, no clock. Key presses are looked up in the
//! key table for the focused context; engine results arrive as messages.
//! Depends on the dialogs, [`super::flow`], [`super::keys`] and
//! [`super::view`].

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::cloud::RetryNotice;

use super::error_dialog::ErrorDialog;
use super::flow::{self, Dialog, Next, Then};
use super::help::Help;
use super::input::{self, Input, Reply};
use super::keys::{self, Command, Context};
use super::question::Question;
use super::secret_dialog::SecretDialog;
use super::view::{Effect, ErrorView, Header, Performed, Snapshot, UserView};

/// Why the wizard ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `q` from the findings list.
    Quit,
    /// Ctrl-C.
    Interrupted,
    /// SIGTERM or SIGHUP.
    Terminated,
}

/// Everything that can happen to the wizard.
#[derive(Debug)]
pub enum Msg {
    /// A key event (press, repeat or release).
    Key(KeyEvent),
    /// Text from bracketed paste.
    Paste(String),
    /// The slow tick while a call is in flight.
    Tick,
    /// The call in flight failed a try and will be tried again.
    Retrying(RetryNotice),
    /// An engine call finished.
    Performed(Result<Performed, ErrorView>),
    /// A signal asks ramkey to stop.
    Stop(Exit),
}

/// Which screen is under the dialogs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// The flagged users.
    Findings,
    /// One user's rotation; `cursor` is the step whose explanation shows.
    Rotation {
        /// The user.
        user: String,
        /// The selected step.
        cursor: usize,
    },
}

/// A dialog and the user it acts for.
#[derive(Debug)]
pub struct OpenDialog {
    /// The flagged user.
    pub user: String,
    /// The dialog and what follows it.
    pub dialog: Dialog,
}

/// The wizard's whole state.
#[derive(Debug)]
pub struct App {
    /// Account and state file.
    pub header: Header,
    /// The latest views from the engine.
    pub snapshot: Snapshot,
    /// The screen under the dialogs.
    pub screen: Screen,
    /// The selected row of the findings list (kept while a rotation shows).
    pub list_cursor: usize,
    /// The focused dialog, if any.
    pub dialog: Option<OpenDialog>,
    /// The `?` overlay, above everything.
    pub help: Option<Help>,
    /// What the call in flight is doing, e.g. "Disabling key …".
    pub pending: Option<String>,
    /// The flagged user the call in flight acts for.
    pub pending_user: Option<String>,
    /// The latest retry of the call in flight, e.g. "ListUsers: throttled
    /// (Throttling.User), retrying in 3 s (try 2 of 5)".
    pub retrying: Option<String>,
    /// The last outcome or refusal, for the status line.
    pub notice: Option<String>,
    /// Advances with each tick while something is pending.
    pub ticks: u64,
    /// Set when the wizard should end.
    pub exit: Option<Exit>,
}

impl App {
    /// The wizard on the findings list.
    pub fn new(header: Header, snapshot: Snapshot) -> Self {
        Self {
            header,
            snapshot,
            screen: Screen::Findings,
            list_cursor: 0,
            dialog: None,
            help: None,
            pending: None,
            pending_user: None,
            retrying: None,
            notice: None,
            ticks: 0,
            exit: None,
        }
    }

    /// Where keys go now.
    pub fn context(&self) -> Context {
        if self.help.is_some() {
            return Context::Help;
        }
        if let Some(open) = &self.dialog {
            return open.dialog.context();
        }
        match self.screen {
            Screen::Findings => Context::Findings,
            Screen::Rotation { .. } => Context::Rotation,
        }
    }

    /// Whether an engine call is in flight (the loop ticks only then).
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// The user the rotation screen shows, if it shows.
    pub fn shown_user(&self) -> Option<&UserView> {
        match &self.screen {
            Screen::Rotation { user, .. } => self.snapshot.user(user),
            Screen::Findings => None,
        }
    }

    /// Applies one message; returns the engine call to make, if any.
    pub fn update(&mut self, msg: Msg) -> Option<Effect> {
        match msg {
            Msg::Key(event) => self.on_key(&event),
            Msg::Paste(text) => self.on_paste(&text),
            Msg::Tick => {
                self.ticks += 1;
                None
            }
            Msg::Retrying(notice) => {
                // A retry of a call whose outcome already arrived (or of the
                // scan before the wizard) has nothing left to explain.
                if self.is_pending() {
                    self.retrying = Some(notice.to_string());
                }
                None
            }
            Msg::Performed(result) => {
                self.on_performed(result);
                None
            }
            Msg::Stop(exit) => {
                self.exit = Some(exit);
                None
            }
        }
    }

    fn on_key(&mut self, event: &KeyEvent) -> Option<Effect> {
        let context = self.context();
        let input = match keys::lookup(context, event) {
            Some(Command::Interrupt) => {
                self.exit = Some(Exit::Interrupted);
                return None;
            }
            Some(Command::Help) => {
                self.help = Some(Help::new(context));
                return None;
            }
            Some(command) => Input::Command(command),
            None => typed_char(context, event)?,
        };

        if let Some(help) = &mut self.help {
            if help.handle(&input) == Reply::Close {
                self.help = None;
            }
            return None;
        }
        if self.dialog.is_some() {
            return self.on_dialog_input(&input);
        }
        match &input {
            Input::Command(command) => self.on_screen_command(*command),
            Input::Char(_) | Input::Paste(_) => None,
        }
    }

    /// Paste goes to the focused text field only, cleaned of line breaks:
    /// it never submits.
    fn on_paste(&mut self, text: &str) -> Option<Effect> {
        if self.help.is_none() && self.context().takes_text() {
            self.on_dialog_input(&Input::Paste(input::clean_paste(text)))
        } else {
            None
        }
    }

    fn on_dialog_input(&mut self, input: &Input) -> Option<Effect> {
        let open = self.dialog.as_mut()?;
        match open.dialog.handle(&open.user, input) {
            Next::Stay => None,
            Next::Close => {
                self.dialog = None;
                None
            }
            Next::Open(dialog) => {
                open.dialog = dialog;
                None
            }
            Next::Quit => {
                self.exit = Some(Exit::Quit);
                None
            }
            Next::Perform(request) => {
                let user = open.user.clone();
                self.dialog = None;
                self.start(Effect { user, request })
            }
        }
    }

    fn start(&mut self, effect: Effect) -> Option<Effect> {
        if self.is_pending() {
            self.notice = Some("Wait: a call is still in flight.".to_owned());
            return None;
        }
        self.pending = Some(describe(&effect));
        self.pending_user = Some(effect.user.clone());
        self.retrying = None;
        self.notice = None;
        Some(effect)
    }

    fn on_screen_command(&mut self, command: Command) -> Option<Effect> {
        match (&mut self.screen, command) {
            (Screen::Findings, Command::Up) => {
                self.list_cursor = self.list_cursor.saturating_sub(1);
            }
            (Screen::Findings, Command::Down) => {
                let last = self.snapshot.users.len().saturating_sub(1);
                self.list_cursor = (self.list_cursor + 1).min(last);
            }
            (Screen::Findings, Command::Act) => self.open_rotation(),
            (Screen::Findings, Command::Quit) => self.quit(),
            (Screen::Rotation { cursor, .. }, Command::Up) => *cursor = cursor.saturating_sub(1),
            (Screen::Rotation { cursor, .. }, Command::Down) => *cursor += 1,
            (Screen::Rotation { .. }, Command::Back) => self.screen = Screen::Findings,
            (Screen::Rotation { .. }, Command::Act) => self.act_on_current_step(),
            _ => {}
        }
        self.clamp_step_cursor();
        None
    }

    fn quit(&mut self) {
        if !self.is_pending() {
            self.exit = Some(Exit::Quit);
            return;
        }
        let question = Question::new(
            "Quit while busy?",
            vec![
                "A call is still in flight. ramkey waits for it to finish".to_owned(),
                "and records it before leaving, so the state file stays right.".to_owned(),
            ],
            "Quit anyway? [y/n]",
        );
        self.dialog = Some(OpenDialog {
            user: String::new(),
            dialog: Dialog::Ask(question, Then::Quit),
        });
    }

    fn open_rotation(&mut self) {
        let Some(user) = self.snapshot.users.get(self.list_cursor) else {
            return;
        };
        let cursor = user
            .rotation
            .as_ref()
            .and_then(super::view::RotationView::current)
            .unwrap_or(0);
        self.screen = Screen::Rotation {
            user: user.user_name.clone(),
            cursor,
        };
        // The notice was about the screen just left, maybe another user.
        self.notice = None;
    }

    fn act_on_current_step(&mut self) {
        if self.is_pending() {
            self.notice = Some("Wait: a call is still in flight.".to_owned());
            return;
        }
        let Some(user) = self.shown_user() else {
            return;
        };
        let dialog = match &user.rotation {
            None => Ok(flow::start_dialog(user)),
            Some(rotation) => match rotation.current() {
                None => Err("This rotation is finished.".to_owned()),
                Some(i) => flow::open_step(user, &rotation.steps[i].kind, &self.snapshot),
            },
        };
        match dialog {
            Ok(dialog) => {
                let user = user.user_name.clone();
                self.dialog = Some(OpenDialog { user, dialog });
            }
            Err(why) => self.notice = Some(why),
        }
    }

    fn on_performed(&mut self, result: Result<Performed, ErrorView>) {
        self.pending = None;
        self.retrying = None;
        // Dialogs that follow act for the flagged user, never the new one.
        let user = self.pending_user.take().unwrap_or_default();
        match result {
            Ok(performed) => {
                self.snapshot = performed.snapshot;
                self.notice = Some(performed.notice);
                self.follow_current_step();
                if let Some(shown) = performed.new_secret {
                    let dialog = Dialog::Secret(SecretDialog::new(shown));
                    self.dialog = Some(OpenDialog { user, dialog });
                }
            }
            Err(error) => {
                let dialog = match &error.offer {
                    Some(offer) => flow::offer_dialog(&error, offer),
                    None => Dialog::Error(ErrorDialog::new(error)),
                };
                self.dialog = Some(OpenDialog { user, dialog });
            }
        }
        self.list_cursor = self
            .list_cursor
            .min(self.snapshot.users.len().saturating_sub(1));
    }

    /// After a step is done, the rotation screen shows the next one.
    fn follow_current_step(&mut self) {
        let current = self
            .shown_user()
            .and_then(|user| user.rotation.as_ref())
            .and_then(super::view::RotationView::current);
        if let (Screen::Rotation { cursor, .. }, Some(current)) = (&mut self.screen, current) {
            *cursor = current;
        }
        self.clamp_step_cursor();
    }

    fn clamp_step_cursor(&mut self) {
        let steps = self
            .shown_user()
            .and_then(|user| user.rotation.as_ref())
            .map_or(0, |rotation| rotation.steps.len());
        if let Screen::Rotation { cursor, .. } = &mut self.screen {
            *cursor = (*cursor).min(steps.saturating_sub(1));
        }
    }
}

/// A key the table does not claim, typed into a text field.
fn typed_char(context: Context, event: &KeyEvent) -> Option<Input> {
    let plain = !event
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match event.code {
        KeyCode::Char(c) if context.takes_text() && plain && event.kind == KeyEventKind::Press => {
            Some(Input::Char(c))
        }
        _ => None,
    }
}

/// The "working…" line for a call in flight.
pub fn describe(effect: &Effect) -> String {
    use super::view::Request as R;
    let user = &effect.user;
    match &effect.request {
        R::Start { path, .. } => format!("Starting \"{}\" for {user}", path.label()),
        R::AcknowledgeReview => format!("Recording the review of {user}"),
        R::DisableKey { key_id, .. } => format!("Disabling key {key_id} of {user}"),
        R::DeleteKey { key_id, .. } => format!("Re-checking and deleting key {key_id}"),
        R::ChooseName { new_user } => format!("Checking that {new_user} is free"),
        R::CreateUser => format!("Creating the new user for {user}"),
        R::CopyPermissions { .. } => "Copying permissions".to_owned(),
        R::CreateAccessKey => "Creating the new AccessKey".to_owned(),
        R::ReplaceLostKey { typed_user } => {
            format!("Deleting the lost key of {typed_user} and creating a new one")
        }
        R::ConfirmSecretStored => "Recording that the secret is stored".to_owned(),
        R::SecretNotStored { typed_user } => {
            format!("Deleting the key of {typed_user} whose secret was lost, creating a new one")
        }
        R::ConfirmStaging => "Recording the staging swap".to_owned(),
        R::ConfirmProduction => "Recording the production swap".to_owned(),
        R::DetachPolicies { .. } => format!("Detaching policies from {user}"),
    }
}
