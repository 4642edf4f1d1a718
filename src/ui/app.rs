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
use super::notice::{Notice, Passage};
use super::question::Question;
use super::secret_dialog::SecretDialog;
use super::view::{
    DriftView, Effect, ErrorView, Header, Performed, Request, RotationView, Settled, Snapshot,
    UserView,
};

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
    /// What the call in flight was asked to do.
    pub pending_request: Option<Request>,
    /// A key pressed on the rotation screen while it looked for changes
    /// made outside ramkey: it acts once the look is done and found none.
    pub after_check: Option<Command>,
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
            pending_request: None,
            after_check: None,
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

    /// Opens, before anything else, what was settled on start from an
    /// earlier run (nothing opens when there was nothing to settle).
    pub fn show_settled(&mut self, settled: &[Settled]) {
        if let Some(dialog) = flow::settled_notice(settled) {
            self.dialog = Some(OpenDialog {
                user: String::new(),
                dialog,
            });
        }
    }

    /// Why nothing may be written, when the state file is read-only.
    pub fn read_only(&self) -> Option<&str> {
        self.header.read_only.as_deref()
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
            Msg::Performed(result) => self.on_performed(result),
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
        if effect.request.writes() && self.refused_read_only() {
            return None;
        }
        self.pending = Some(describe(&effect));
        self.pending_user = Some(effect.user.clone());
        self.pending_request = Some(effect.request.clone());
        self.retrying = None;
        self.notice = None;
        Some(effect)
    }

    /// Refuses a write when the state file is read-only: says why and
    /// returns true.
    fn refused_read_only(&mut self) -> bool {
        let Some(why) = self.read_only() else {
            return false;
        };
        self.notice = Some(format!("Refused, nothing was changed: {why}."));
        true
    }

    fn on_screen_command(&mut self, command: Command) -> Option<Effect> {
        let mut effect = None;
        match (&mut self.screen, command) {
            (Screen::Findings, Command::Up) => {
                self.list_cursor = self.list_cursor.saturating_sub(1);
            }
            (Screen::Findings, Command::Down) => {
                let last = self.snapshot.users.len().saturating_sub(1);
                self.list_cursor = (self.list_cursor + 1).min(last);
            }
            (Screen::Findings, Command::Act) => effect = self.open_rotation(),
            (Screen::Findings, Command::Quit) => self.quit(),
            (Screen::Rotation { cursor, .. }, Command::Up) => *cursor = cursor.saturating_sub(1),
            (Screen::Rotation { cursor, .. }, Command::Down) => *cursor += 1,
            (Screen::Rotation { .. }, Command::Back) => self.screen = Screen::Findings,
            (Screen::Rotation { .. }, Command::Act) => self.act_on_current_step(),
            (Screen::Rotation { .. }, Command::Rollback) => self.offer_rollback(),
            (Screen::Rotation { .. }, Command::VerifyKey) => effect = self.offer_verify(),
            _ => {}
        }
        self.clamp_step_cursor();
        effect
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

    /// Opens the selected user's rotation; a rotation in progress is
    /// checked for changes made outside ramkey first (reads only).
    fn open_rotation(&mut self) -> Option<Effect> {
        let user = self.snapshot.users.get(self.list_cursor)?;
        let current = user.rotation.as_ref().and_then(RotationView::current);
        let user_name = user.user_name.clone();
        self.screen = Screen::Rotation {
            user: user_name.clone(),
            cursor: current.unwrap_or(0),
        };
        // The notice was about the screen just left, maybe another user.
        self.notice = None;
        current?;
        if self.is_pending() {
            // The look waits for the call in flight (see `after_the_call`).
            return None;
        }
        self.start(Effect {
            user: user_name,
            request: Request::CheckDrift,
        })
    }

    /// While a call is in flight, says so and returns true; a key pressed
    /// while the rotation screen looks for changes waits for the look.
    fn busy(&mut self, command: Command) -> bool {
        if !self.is_pending() {
            return false;
        }
        if self.pending_request == Some(Request::CheckDrift) {
            self.after_check = Some(command);
            self.notice = Some(
                "Looking for changes made outside ramkey first; then this goes on.".to_owned(),
            );
        } else {
            self.notice = Some("Wait: a call is still in flight.".to_owned());
        }
        true
    }

    fn offer_rollback(&mut self) {
        if self.busy(Command::Rollback) {
            return;
        }
        if self.refused_read_only() {
            return;
        }
        let Some(user) = self.shown_user() else {
            return;
        };
        match flow::rollback_dialog(user) {
            Ok(dialog) => {
                let user = user.user_name.clone();
                self.dialog = Some(OpenDialog { user, dialog });
            }
            Err(why) => self.notice = Some(why),
        }
    }

    /// `v`: checks the new key again, asking for its secret first when
    /// ramkey no longer holds it.
    fn offer_verify(&mut self) -> Option<Effect> {
        if self.busy(Command::VerifyKey) || self.refused_read_only() {
            return None;
        }
        let user = self.shown_user()?;
        let user_name = user.user_name.clone();
        match flow::verify_next(user) {
            Ok(Next::Perform(request)) => self.start(Effect {
                user: user_name,
                request,
            }),
            Ok(Next::Open(dialog)) => {
                self.dialog = Some(OpenDialog {
                    user: user_name,
                    dialog,
                });
                None
            }
            Ok(_) => None,
            Err(why) => {
                self.notice = Some(why);
                None
            }
        }
    }

    fn act_on_current_step(&mut self) {
        if self.busy(Command::Act) {
            return;
        }
        if self.refused_read_only() {
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

    fn on_performed(&mut self, result: Result<Performed, ErrorView>) -> Option<Effect> {
        self.pending = None;
        self.retrying = None;
        // Dialogs that follow act for the flagged user, never the new one.
        let user = self.pending_user.take().unwrap_or_default();
        let request = self.pending_request.take();
        let after_check = self.after_check.take();
        let done = result.is_ok();
        match result {
            Ok(performed) => {
                self.snapshot = performed.snapshot;
                self.follow_current_step();
                if let Some(shown) = performed.new_secret {
                    let dialog = Dialog::Secret(SecretDialog::new(shown));
                    let user = user.clone();
                    self.dialog = Some(OpenDialog { user, dialog });
                } else if let Some(Request::ReEnableKey { key_id, .. }) = &request {
                    let dialog = self.rolled_back(&user, key_id, &performed.notice);
                    let user = user.clone();
                    self.dialog = Some(OpenDialog { user, dialog });
                }
                self.notice = Some(performed.notice);
            }
            Err(error) => {
                if let Some(drift) = &error.drift {
                    self.note_drift(&user, drift);
                }
                let dialog = match &error.offer {
                    Some(offer) => flow::offer_dialog(&error, offer),
                    None => Dialog::Error(ErrorDialog::new(error)),
                };
                let user = user.clone();
                self.dialog = Some(OpenDialog { user, dialog });
            }
        }
        self.list_cursor = self
            .list_cursor
            .min(self.snapshot.users.len().saturating_sub(1));
        // A dialog that opened (a secret, an error) keeps the focus: no look
        // may start under it and make its answer wait.
        if !done || request.is_none() || self.dialog.is_some() {
            return None;
        }
        let pressed = after_check.filter(|_| request == Some(Request::CheckDrift));
        self.after_the_call(&user, pressed)
    }

    /// After a call for `called`: look at the user shown now if the admin
    /// opened another one meanwhile, or do what was pressed while a look ran,
    /// unless it found changes the admin must read first.
    fn after_the_call(&mut self, called: &str, pressed: Option<Command>) -> Option<Effect> {
        let shown = self.shown_user()?;
        let in_progress = shown.rotation.as_ref().and_then(RotationView::current);
        if shown.user_name != called {
            if in_progress.is_some() && shown.drift.is_none() {
                let user = shown.user_name.clone();
                return self.start(Effect {
                    user,
                    request: Request::CheckDrift,
                });
            }
            return None;
        }
        let found = shown.drift.as_ref().is_some_and(|drift| !drift.is_empty());
        match pressed {
            Some(_) if found => {
                self.notice = Some(
                    "Changed outside ramkey: read the panel above the steps, then press the key \
                     again."
                        .to_owned(),
                );
                None
            }
            Some(command) => self.on_screen_command(command),
            _ => None,
        }
    }

    /// Changes made outside ramkey known after `user`'s step failed join
    /// the panel above the steps, which shows them after the error closes.
    fn note_drift(&mut self, user: &str, drift: &[DriftView]) {
        let Some(view) = self.snapshot.users.iter_mut().find(|u| u.user_name == user) else {
            return;
        };
        let known = view.drift.get_or_insert_with(Vec::new);
        for found in drift {
            if !known.contains(found) {
                known.push(found.clone());
            }
        }
    }

    /// The outcome of a rollback, too important for the status line alone.
    fn rolled_back(&self, user: &str, key_id: &str, summary: &str) -> Dialog {
        let rollbacks = self
            .snapshot
            .user(user)
            .and_then(|u| u.rotation.as_ref())
            .map_or(0, |rotation| rotation.rollbacks);
        let passages = [
            summary.to_owned(),
            format!(
                "{key_id} of {user} is Active. Rollbacks in this rotation so far: {rollbacks}."
            ),
        ];
        Dialog::Notice(Notice::new(
            "Old key re-enabled",
            passages
                .into_iter()
                .map(|text| Passage {
                    text,
                    warning: false,
                })
                .collect(),
        ))
    }

    /// After a step is done, the rotation screen shows the next one.
    fn follow_current_step(&mut self) {
        let current = self
            .shown_user()
            .and_then(|user| user.rotation.as_ref())
            .and_then(RotationView::current);
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
        R::CheckDrift => format!("Looking for changes made outside ramkey to {user}"),
        R::ReEnableKey { key_id, .. } => format!("Re-enabling key {key_id} of {user}"),
        R::ConfirmStaging => "Recording the staging swap".to_owned(),
        R::ConfirmProduction => "Recording the production swap".to_owned(),
        R::VerifyKey { .. } => "Verifying the new key".to_owned(),
        R::DetachPolicies { .. } => format!("Detaching policies from {user}"),
    }
}
