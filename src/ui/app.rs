//! The wizard's state and its one transition function,
//! [`App::update`]: a message in, the new state and at most one effect out.
//!
//! Pure: no terminal, no engine, no clock. Key presses are looked up in the
//! key table for the focused context; engine results arrive as messages,
//! and so does the start: the scan's news while the list fills in under the
//! gauge, then the views of the started engine. The findings list shows the
//! rows its `/` filter lets through. Depends on the dialogs, [`super::flow`],
//! [`super::findings::filter`](mod@super::findings::filter), [`super::keys`], [`super::scan_view`] and
//! [`super::view`].

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::cloud::RetryNotice;

use super::burst;
use super::error_dialog::ErrorDialog;
use super::exempt_mark;
use super::findings::filter::FilterLine;
use super::findings::sort::{self, Sort};
use super::flow::{self, Dialog, Next, Then};
use super::help::Help;
use super::input::{self, Input, Reply};
use super::keys::{self, Command, Context};
use super::kms_mark;
use super::move_summary;
use super::notice::{Notice, Passage};
use super::question::Question;
use super::scan_view::{ScanNews, ScanState, Stage, Started};
use super::secret_dialog::SecretDialog;
use super::start_screen::{self, Choice, StartView};
use super::view::{
    DriftView, Effect, ErrorView, Header, Performed, Request, RotationView, Settled, Snapshot,
    UserView,
};
use super::{clock_jump, swap_dialog};

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
    /// A key event that came together with other key presses, as a paste
    /// without bracketed paste delivers it ([`super::burst`]): it types, it
    /// never submits or answers.
    PastedKey(KeyEvent),
    /// Text from bracketed paste.
    Paste(String),
    /// The slow tick while a call is in flight.
    Tick,
    /// The call in flight failed a try and will be tried again.
    Retrying(RetryNotice),
    /// An engine call finished.
    Performed(Result<Performed, ErrorView>),
    /// What the running scan found and how far it is.
    Scan(ScanNews),
    /// The start (scan, then settling) finished, or failed.
    Started(Result<Started, ErrorView>),
    /// A signal asks ramkey to stop.
    Stop(Exit),
}

/// Which screen is under the dialogs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Who ramkey is and where to begin; `cursor` is the chosen line.
    Start {
        /// The selected line of the menu.
        cursor: usize,
    },
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
    /// Draw without colour (`NO_COLOR`, see [`super::color`]).
    pub no_color: bool,
    /// The latest views from the engine.
    pub snapshot: Snapshot,
    /// The screen under the dialogs.
    pub screen: Screen,
    /// The selected row of the findings list, counted in the rows the
    /// filter lets through (kept while a rotation shows).
    pub list_cursor: usize,
    /// The `/` filter, while it narrows the list.
    pub filter: Option<FilterLine>,
    /// The findings table's sort (`s`, `S`).
    pub sort: Sort,
    /// The rows shown, filtered and sorted, while a sort is active.
    pub order: Option<Vec<usize>>,
    /// What the start screen offers, from the state file.
    pub start_view: StartView,
    /// The start, while the scan runs (or failed): the gauge shows above
    /// the list filling in.
    pub scan: Option<ScanState>,
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
    /// The user Enter was pressed on while the start still ran: it opens
    /// as soon as the start is over (any other key forgets it).
    pub open_on_start: Option<String>,
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
            no_color: false,
            snapshot,
            screen: Screen::Findings,
            list_cursor: 0,
            filter: None,
            sort: Sort::default(),
            order: None,
            start_view: StartView::default(),
            scan: None,
            dialog: None,
            help: None,
            pending: None,
            pending_user: None,
            pending_request: None,
            after_check: None,
            open_on_start: None,
            retrying: None,
            notice: None,
            ticks: 0,
            exit: None,
        }
    }

    /// The wizard while it starts: the gauge over an empty list that fills
    /// in as the scan finds users (`snapshot` has none yet, usually).
    pub fn scanning(header: Header, snapshot: Snapshot) -> Self {
        Self {
            scan: Some(ScanState::default()),
            ..Self::new(header, snapshot)
        }
    }

    /// The wizard on its start screen, offering `start`'s rotations first.
    #[must_use]
    pub fn at_start(self, start_view: StartView) -> Self {
        Self {
            start_view,
            screen: Screen::Start { cursor: 0 },
            ..self
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
        if self.filter.as_ref().is_some_and(|filter| filter.editing) {
            return Context::Filter;
        }
        match self.screen {
            Screen::Start { .. } => Context::Start,
            Screen::Findings if self.scan.is_some() => Context::Scanning,
            Screen::Findings => Context::Findings,
            Screen::Rotation { .. } => Context::Rotation,
        }
    }

    /// Whether the start still runs (its outcome is awaited).
    pub fn is_starting(&self) -> bool {
        self.scan
            .as_ref()
            .is_some_and(|scan| !matches!(scan.stage, Stage::Failed(_)))
    }

    /// Why the start failed, if it did: the wizard then had nothing to
    /// act on, which its exit says.
    pub fn start_failure(&self) -> Option<&ErrorView> {
        match &self.scan.as_ref()?.stage {
            Stage::Failed(error) => Some(error),
            Stage::Scanning | Stage::Settling => None,
        }
    }

    /// Whether the loop waits for the worker: a call in flight or the start.
    pub fn awaits_worker(&self) -> bool {
        self.is_pending() || self.is_starting()
    }

    /// How many rows the findings list shows (those the filter lets through).
    pub fn visible_len(&self) -> usize {
        match (&self.order, &self.filter) {
            (Some(order), _) => order.len(),
            (None, Some(filter)) => filter.rows.len(),
            (None, None) => self.snapshot.users.len(),
        }
    }

    /// The index in the snapshot of the list's row at `position`.
    pub fn visible_index(&self, position: usize) -> Option<usize> {
        let index = match (&self.order, &self.filter) {
            (Some(order), _) => *order.get(position)?,
            (None, Some(filter)) => *filter.rows.get(position)?,
            (None, None) => position,
        };
        (index < self.snapshot.users.len()).then_some(index)
    }

    /// The user the list's cursor is on.
    pub fn selected_user(&self) -> Option<&UserView> {
        self.snapshot
            .users
            .get(self.visible_index(self.list_cursor)?)
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

    /// Whether the call in flight is the new key's check, which can take
    /// minutes and may be left unfinished on quit (reads are let finish:
    /// they are quick, and what they found is shown on the last frame).
    pub fn checking_new_key(&self) -> bool {
        self.is_pending() && matches!(self.pending_request, Some(Request::VerifyKey { .. }))
    }

    /// The user the rotation screen shows, if it shows.
    pub fn shown_user(&self) -> Option<&UserView> {
        match &self.screen {
            Screen::Rotation { user, .. } => self.snapshot.user(user),
            Screen::Findings | Screen::Start { .. } => None,
        }
    }

    /// Applies one message; returns the engine call to make, if any.
    pub fn update(&mut self, msg: Msg) -> Option<Effect> {
        match msg {
            Msg::Key(event) => self.on_key(&event, false),
            Msg::PastedKey(event) => self.on_key(&event, true),
            Msg::Paste(text) => self.on_paste(&text),
            Msg::Tick => {
                self.ticks += 1;
                None
            }
            Msg::Retrying(notice) => {
                // A retry of a call whose outcome already arrived has
                // nothing left to explain.
                if self.awaits_worker() {
                    self.retrying = Some(notice.to_string());
                }
                None
            }
            Msg::Performed(result) => self.on_performed(result),
            Msg::Scan(news) => {
                self.on_scan_news(news);
                None
            }
            Msg::Started(result) => self.on_started(result),
            Msg::Stop(exit) => {
                self.exit = Some(exit);
                None
            }
        }
    }

    fn on_key(&mut self, event: &KeyEvent, pasted: bool) -> Option<Effect> {
        let context = self.context();
        if event.kind != KeyEventKind::Release {
            // Enter during the start is remembered only until the next key.
            self.open_on_start = None;
        }
        let found = keys::lookup(context, event).or_else(|| self.demo_key(context, event));
        let input = match found {
            Some(Command::Interrupt) => {
                self.exit = Some(Exit::Interrupted);
                return None;
            }
            Some(command) if pasted && !burst::acts_when_pasted(command) => {
                self.notice = Some(burst::held_back(command).to_owned());
                return None;
            }
            Some(Command::Help) => {
                let help = Help::new(context).read_only(self.read_only().is_some());
                self.help = Some(if self.offers_demo_keys() {
                    help.with_demo_keys()
                } else {
                    help
                });
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
        if context == Context::Filter {
            self.on_filter_input(&input);
            return None;
        }
        match &input {
            Input::Command(command) => self.on_screen_command(*command),
            Input::Char(_) | Input::Paste(_) => None,
        }
    }

    /// Paste goes to the focused text field only, cleaned of line breaks:
    /// it never submits.
    fn on_paste(&mut self, text: &str) -> Option<Effect> {
        if self.help.is_some() {
            return None;
        }
        let pasted = Input::Paste(input::clean_paste(text));
        match self.context() {
            Context::Filter => {
                self.on_filter_input(&pasted);
                None
            }
            context if context.takes_text() => self.on_dialog_input(&pasted),
            _ => None,
        }
    }

    /// A key for the filter line: typing narrows the list at once, Enter
    /// keeps the filter, Esc clears it; the arrows still move the cursor.
    fn on_filter_input(&mut self, input: &Input) {
        let Some(filter) = self.filter.as_mut() else {
            return;
        };
        match input {
            Input::Char(c) => filter.query.push(*c),
            Input::Paste(text) => filter.query.push_str(text),
            Input::Command(Command::Erase) => {
                filter.query.pop();
            }
            Input::Command(Command::Act) => {
                filter.editing = false;
                if filter.query.trim().is_empty() {
                    self.clear_filter();
                }
                return;
            }
            Input::Command(Command::Back) => {
                self.clear_filter();
                return;
            }
            Input::Command(command @ (Command::Up | Command::Down)) => {
                self.move_list_cursor(*command);
                return;
            }
            Input::Command(_) => return,
        }
        self.refilter();
    }

    /// `/`: the filter line takes the keys, keeping what was typed before.
    fn open_filter(&mut self) {
        match &mut self.filter {
            Some(filter) => filter.editing = true,
            None => self.filter = Some(FilterLine::open(&self.snapshot.users)),
        }
    }

    /// Shows every row again, the cursor on the user it was on.
    fn clear_filter(&mut self) {
        let selected = self.selected_user().map(|user| user.user_name.clone());
        self.filter = None;
        self.reorder();
        self.list_cursor = selected
            .and_then(|name| self.position_of(&name))
            .unwrap_or(0);
    }

    /// The rows in the sort's order (those the filter lets through).
    fn reorder(&mut self) {
        if !self.sort.is_active() {
            self.order = None;
            return;
        }
        let rows = match &self.filter {
            Some(filter) => filter.rows.clone(),
            None => (0..self.snapshot.users.len()).collect(),
        };
        self.order = Some(sort::sorted(&self.snapshot.users, rows, self.sort));
    }

    /// `s` or `S`: the rows in the new order, the cursor on its user.
    fn resort(&mut self, sort: Sort) {
        let selected = self.selected_user().map(|user| user.user_name.clone());
        self.sort = sort;
        self.reorder();
        self.list_cursor = selected
            .and_then(|name| self.position_of(&name))
            .unwrap_or(0);
        self.notice = Some(format!("Sorted by {}.", sort.label()));
    }

    /// Matches the rows again after the query or the users changed; the
    /// cursor stays on its user while that user is still shown.
    fn refilter(&mut self) {
        let selected = self.selected_user().map(|user| user.user_name.clone());
        if let Some(filter) = &mut self.filter {
            filter.refresh(&self.snapshot.users);
        }
        self.reorder();
        self.list_cursor = selected
            .and_then(|name| self.position_of(&name))
            .unwrap_or(0);
    }

    /// Where `user_name` is among the rows shown.
    fn position_of(&self, user_name: &str) -> Option<usize> {
        (0..self.visible_len()).find(|&position| {
            self.visible_index(position)
                .is_some_and(|index| self.snapshot.users[index].user_name == user_name)
        })
    }

    /// Takes the engine's new views; the filter and the cursor follow.
    fn replace_snapshot(&mut self, snapshot: Snapshot) {
        let selected = self.selected_user().map(|user| user.user_name.clone());
        self.snapshot = snapshot;
        if let Some(filter) = &mut self.filter {
            filter.refresh(&self.snapshot.users);
        }
        self.reorder();
        let last = self.visible_len().saturating_sub(1);
        self.list_cursor = selected
            .and_then(|name| self.position_of(&name))
            .unwrap_or(self.list_cursor)
            .min(last);
    }

    fn move_list_cursor(&mut self, command: Command) {
        let last = self.visible_len().saturating_sub(1);
        self.list_cursor = match command {
            Command::Up => self.list_cursor.saturating_sub(1),
            _ => (self.list_cursor + 1).min(last),
        };
    }

    /// The scan's news: the gauge moves, found users join the list (a user
    /// found again replaces its row), notes are kept for the gauge.
    fn on_scan_news(&mut self, news: ScanNews) {
        let Some(scan) = self.scan.as_mut() else {
            return;
        };
        if let Some(progress) = news.progress {
            scan.progress = progress;
        }
        scan.notes.extend(news.notes);
        if news.settling && scan.stage == Stage::Scanning {
            scan.stage = Stage::Settling;
        }
        if news.found.is_empty() {
            return;
        }
        for user in news.found {
            let users = &mut self.snapshot.users;
            match users.iter_mut().find(|u| u.user_name == user.user_name) {
                Some(row) => *row = user,
                None => users.push(user),
            }
        }
        self.refilter();
    }

    /// The start is over: the findings screen as the engine sees it, what
    /// was settled from an earlier run first; or the error, in its dialog.
    fn on_started(&mut self, result: Result<Started, ErrorView>) -> Option<Effect> {
        self.retrying = None;
        let open = self.open_on_start.take();
        match result {
            Ok(started) => {
                let notes = self.scan.take().map(|scan| scan.notes).unwrap_or_default();
                self.replace_snapshot(started.snapshot);
                // Why the report was not used, say, stays readable.
                if !notes.is_empty() {
                    self.notice = Some(notes.join(" "));
                }
                // Asked while the settling ran: nothing is in flight now.
                if matches!(
                    &self.dialog,
                    Some(OpenDialog {
                        dialog: Dialog::Ask(_, Then::Quit),
                        ..
                    })
                ) {
                    self.dialog = None;
                }
                self.show_settled(&started.settled);
                // Enter was pressed during the start: open that user now,
                // unless what was settled must be read first.
                let position = open.and_then(|user| self.position_of(&user));
                if let (Some(position), None, Screen::Findings) =
                    (position, &self.dialog, &self.screen)
                {
                    self.list_cursor = position;
                    self.notice = None;
                    return self.open_rotation();
                }
                None
            }
            Err(error) => {
                let scan = self.scan.get_or_insert_with(ScanState::default);
                scan.stage = Stage::Failed(Box::new(error.clone()));
                // Over any dialog: nothing opened during the scan acts.
                self.dialog = Some(OpenDialog {
                    user: String::new(),
                    dialog: Dialog::Error(ErrorDialog::new(error)),
                });
                None
            }
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
            (Screen::Start { .. }, _) => effect = self.on_start_command(command),
            (Screen::Findings, Command::Sort) => self.resort(self.sort.next_column()),
            (Screen::Findings, Command::ReverseSort) => self.resort(self.sort.reverse()),
            (Screen::Findings, Command::Up | Command::Down) => self.move_list_cursor(command),
            (Screen::Findings, Command::Filter) => self.open_filter(),
            (Screen::Findings, Command::Back) if self.filter.is_some() => self.clear_filter(),
            (Screen::Findings, Command::Act) if self.scan.is_some() => self.not_yet(),
            (Screen::Findings, Command::Act) => effect = self.open_rotation(),
            (Screen::Findings, Command::Quit) => self.quit(),
            (Screen::Rotation { cursor, .. }, Command::Up) => *cursor = cursor.saturating_sub(1),
            (Screen::Rotation { cursor, .. }, Command::Down) => *cursor += 1,
            (Screen::Rotation { .. }, Command::Back) => self.screen = Screen::Findings,
            (Screen::Rotation { .. }, Command::Act) => effect = self.act_on_current_step(),
            (_, Command::JumpClock) => effect = self.jump_clock(),
            (Screen::Rotation { .. }, Command::Rollback) => self.offer_rollback(),
            (Screen::Rotation { .. }, Command::DisableAgain) => self.offer_disable_again(),
            (Screen::Rotation { .. }, Command::VerifyKey) => effect = self.offer_verify(),
            _ => {}
        }
        self.clamp_step_cursor();
        effect
    }

    /// A key on the start screen: move, choose, go to the findings list
    /// (and its filter), quit.
    fn on_start_command(&mut self, command: Command) -> Option<Effect> {
        let Screen::Start { cursor } = &mut self.screen else {
            return None;
        };
        let menu = start_screen::choices(&self.start_view, self.snapshot.taken_at);
        match command {
            Command::Up => *cursor = cursor.saturating_sub(1),
            Command::Down => *cursor = (*cursor + 1).min(menu.len().saturating_sub(1)),
            Command::Back => self.screen = Screen::Findings,
            Command::Filter => {
                self.screen = Screen::Findings;
                self.open_filter();
            }
            Command::Quit => self.quit(),
            Command::Act => {
                let chosen = menu.get(*cursor).copied().unwrap_or(Choice::Findings);
                return self.choose_at_start(chosen);
            }
            _ => {}
        }
        None
    }

    /// Enter on the start screen: the findings list, or the rotation to
    /// resume (at once, or as soon as the start is over).
    fn choose_at_start(&mut self, chosen: Choice) -> Option<Effect> {
        self.screen = Screen::Findings;
        let Choice::Resume(i) = chosen else {
            return None;
        };
        let user = self.start_view.resume.get(i)?.user.clone();
        if let Some(position) = self.position_of(&user) {
            self.list_cursor = position;
        }
        if self.scan.is_some() {
            let failed = matches!(
                self.scan.as_ref().map(|scan| &scan.stage),
                Some(Stage::Failed(_))
            );
            let why = if failed {
                "The scan failed, so nothing can be resumed: quit (q) and start ramkey again."
                    .to_owned()
            } else {
                let why =
                    format!("The scan is still running: {user} opens as soon as it is complete.");
                self.open_on_start = Some(user);
                why
            };
            self.notice = Some(why);
            return None;
        }
        if self.position_of(&user).is_none() {
            self.notice = Some(format!(
                "{user} is not listed: its rotation may be finished."
            ));
            return None;
        }
        self.open_rotation()
    }

    /// Enter during the scan: the selected user opens once the engine has
    /// started (unless another key is pressed first).
    fn not_yet(&mut self) {
        let why = match self.scan.as_ref().map(|scan| &scan.stage) {
            Some(Stage::Failed(_)) => {
                "The scan failed, so nothing can be acted on: quit (q) and start ramkey again."
                    .to_owned()
            }
            _ => match self.selected_user().map(|user| user.user_name.clone()) {
                Some(user) => {
                    let why = format!(
                        "The scan is still running: {user} opens as soon as it is complete."
                    );
                    self.open_on_start = Some(user);
                    why
                }
                None => "The scan is still running: a user opens once it is complete.".to_owned(),
            },
        };
        self.notice = Some(why);
    }

    /// `q`: a running scan only reads, so it stops at once; a call in
    /// flight or the settling after the scan is waited for, after asking.
    fn quit(&mut self) {
        let settling = self
            .scan
            .as_ref()
            .is_some_and(|scan| scan.stage == Stage::Settling);
        // A read in flight (a look, the policies) or the new key's check can
        // be left: nothing is half-written by quitting during it.
        let writing = self
            .pending_request
            .as_ref()
            .is_some_and(|request| !request.may_be_left());
        if !writing && !settling {
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
    /// checked for changes made outside ramkey first, and a user with none
    /// has its policies and groups read (reads only).
    fn open_rotation(&mut self) -> Option<Effect> {
        let user = self.selected_user()?;
        let current = user.rotation.as_ref().and_then(RotationView::current);
        let unread = user.rotation.is_none() && user.grants.is_none();
        let user_name = user.user_name.clone();
        self.screen = Screen::Rotation {
            user: user_name.clone(),
            cursor: current.unwrap_or(0),
        };
        // The notice was about the screen just left, maybe another user.
        self.notice = None;
        if unread {
            // Nothing started: read what the user holds, for its screen.
            return self.start(Effect {
                user: user_name,
                request: Request::ReadPermissions,
            });
        }
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
        if self.pending_request.as_ref().is_some_and(Request::is_look) {
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

    /// `a`: disable the old key again and restart the wait, when it is
    /// Active again or was used after its disable.
    fn offer_disable_again(&mut self) {
        if self.busy(Command::DisableAgain) || self.refused_read_only() {
            return;
        }
        let Some(user) = self.shown_user() else {
            return;
        };
        if let Some(secret) = user.kms_secret() {
            self.notice = Some(kms_mark::words(&user.user_name, secret));
            return;
        }
        match flow::disable_again_dialog(user) {
            Ok(dialog) => {
                let user = user.user_name.clone();
                self.dialog = Some(OpenDialog { user, dialog });
            }
            Err(why) => self.notice = Some(why),
        }
    }

    /// A key of the demo's own layer ([`Context::Demo`]): only in `ramkey
    /// demo`, only on its two screens; a real account never has it.
    fn demo_key(&self, context: Context, event: &KeyEvent) -> Option<Command> {
        let on_a_screen = matches!(context, Context::Findings | Context::Rotation);
        if !(self.header.demo && on_a_screen) {
            return None;
        }
        keys::lookup(Context::Demo, event)
    }

    /// Whether the footer and the help show the demo's own keys now.
    pub fn offers_demo_keys(&self) -> bool {
        self.header.demo && matches!(self.context(), Context::Findings | Context::Rotation)
    }

    /// Whether the footer offers `r` (roll back) now: the old key is
    /// disabled and waits for deletion.
    pub fn offers_rollback(&self) -> bool {
        self.rotation_offers(|user| flow::rollback_dialog(user).is_ok())
    }

    /// Whether the footer offers `a` (disable again) now.
    pub fn offers_disable_again(&self) -> bool {
        self.rotation_offers(|user| flow::disable_again_key(user).is_some())
    }

    /// Whether the rotation screen, with nothing over it, shows a user for
    /// whom `applies` holds.
    fn rotation_offers(&self, applies: impl Fn(&UserView) -> bool) -> bool {
        self.dialog.is_none()
            && self.help.is_none()
            && matches!(self.screen, Screen::Rotation { .. })
            && self.shown_user().is_some_and(applies)
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

    fn act_on_current_step(&mut self) -> Option<Effect> {
        if self.busy(Command::Act) || self.refused_read_only() {
            return None;
        }
        let user = self.shown_user()?;
        if let Some(why) = kms_mark::refusal(user).or_else(|| exempt_mark::refusal(user)) {
            self.notice = Some(why);
            return None;
        }
        if swap_dialog::evidence_first(user) {
            // The swap's confirmation opens with the evidence read now.
            let user = user.user_name.clone();
            let request = Request::ReadSwapEvidence;
            return self.start(Effect { user, request });
        }
        let dialog = match &user.rotation {
            None => Ok(flow::start_dialog(user)),
            Some(rotation) => match rotation.current() {
                None => move_summary::dialog(user)
                    .ok_or_else(|| "This rotation is finished.".to_owned()),
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
        None
    }

    /// `ramkey demo` only: moves the shared clock past the waiting period
    /// of the deletions that wait (see [`clock_jump`]).
    fn jump_clock(&mut self) -> Option<Effect> {
        if !self.header.demo || self.busy(Command::JumpClock) {
            return None;
        }
        match clock_jump::past_the_wait(&self.snapshot) {
            Ok(seconds) => {
                let user = self.shown_user().map(|u| u.user_name.clone());
                let request = Request::JumpClock { seconds };
                self.start(Effect {
                    user: user.unwrap_or_default(),
                    request,
                })
            }
            Err(why) => {
                self.notice = Some(why);
                None
            }
        }
    }

    /// The dialog that follows a read or a check, if any: the swap's
    /// confirmation with its evidence, or the new key still refused after
    /// the check's cap.
    fn after_read(&self, user: &str, request: Option<&Request>, notice: &str) -> Option<Dialog> {
        let shown = self.snapshot.user(user)?;
        match request? {
            Request::ReadSwapEvidence => swap_dialog::opened(shown, &self.snapshot),
            Request::VerifyKey { .. } => swap_dialog::still_refused(shown, notice),
            _ => None,
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
                self.replace_snapshot(performed.snapshot);
                self.follow_current_step();
                if let Some(shown) = performed.new_secret {
                    let dialog = Dialog::Secret(SecretDialog::new(shown));
                    let user = user.clone();
                    self.dialog = Some(OpenDialog { user, dialog });
                } else if let Some(Request::ReEnableKey { key_id, .. }) = &request {
                    let dialog = self.rolled_back(&user, key_id, &performed.notice);
                    let user = user.clone();
                    self.dialog = Some(OpenDialog { user, dialog });
                } else if let Some(dialog) =
                    self.after_read(&user, request.as_ref(), &performed.notice)
                {
                    let user = user.clone();
                    self.dialog = Some(OpenDialog { user, dialog });
                } else if let Some(dialog) =
                    move_summary::after(request.as_ref(), self.snapshot.user(&user))
                {
                    // The move is finished: what was done, and what to do next.
                    let user = user.clone();
                    self.dialog = Some(OpenDialog { user, dialog });
                }
                self.notice = Some(performed.notice).filter(|said| !said.is_empty());
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
        self.list_cursor = self.list_cursor.min(self.visible_len().saturating_sub(1));
        // A dialog that opened (a secret, an error) keeps the focus: no look
        // may start under it and make its answer wait.
        if !done || request.is_none() || self.dialog.is_some() {
            return None;
        }
        if request == Some(Request::ConfirmSecretStored) {
            return self.check_stored_key(&user);
        }
        let pressed = after_check.filter(|_| request.as_ref().is_some_and(Request::is_look));
        self.after_the_call(&user, pressed)
    }

    /// Once the new secret is stored, checks the new key with the secret
    /// ramkey still holds (BC-12): the check can take minutes, so it runs
    /// after the secret was shown, never before.
    fn check_stored_key(&mut self, user: &str) -> Option<Effect> {
        let rotation = self.snapshot.user(user)?.rotation.as_ref()?;
        let new_key = rotation.new_key.as_ref()?;
        if new_key.is_verified() || !new_key.secret_held {
            return None;
        }
        // The notice of the confirmation stays until the check says more.
        let said = self.notice.take();
        let effect = self.start(Effect {
            user: user.to_owned(),
            request: Request::VerifyKey { secret: None },
        });
        self.notice = said;
        effect
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

/// Whole days in `seconds`, rounded up, for the clock jump's words.
pub fn days(seconds: i64) -> i64 {
    (seconds + 86_399).div_euclid(86_400)
}

/// The "working…" line for a call in flight.
pub fn describe(effect: &Effect) -> String {
    use super::view::Request as R;
    let user = &effect.user;
    match &effect.request {
        R::Start { path, .. } => format!("Starting \"{}\" for {user}", path.label()),
        R::StartOverride { key_id, .. } => {
            format!("Starting the disable of {key_id} of {user} on your word")
        }
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
        R::ReadPermissions => format!("Reading the policies and groups of {user}"),
        R::ReEnableKey { key_id, .. } => format!("Re-enabling key {key_id} of {user}"),
        R::DisableAgain { key_id, .. } => {
            format!("Disabling key {key_id} of {user} again, restarting the wait")
        }
        R::ReadSwapEvidence => format!("Reading the last use of both keys of {user}'s swap"),
        R::JumpClock { seconds } => format!("Moving the demo clock {} days ahead", days(*seconds)),
        R::ConfirmStaging => "Recording the staging swap".to_owned(),
        R::ConfirmProduction => "Recording the production swap".to_owned(),
        R::VerifyKey { .. } => "Verifying the new key".to_owned(),
        R::DetachPolicies { .. } => format!("Detaching policies from {user}"),
    }
}
