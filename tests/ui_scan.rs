//! The wizard's start and the findings filter: snapshots of the scan's gauge
//! (80x24 and 160x40), state transitions fed key sequences (the filter
//! narrowing, Esc clearing, Enter keeping; `q` during the scan and during
//! the settling), and the event loop running a scripted start: the scan is
//! dropped when the admin quits, the settling is let finish, a failed scan
//! opens the error dialog.

mod ui_support;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEventKind};
use futures::channel::mpsc;
use futures::stream;
use ramkey::cloud::RetryNotice;
use ramkey::cloud::retry::RetryReason;
use ramkey::ui::App;
use ramkey::ui::Backend;
use ramkey::ui::app::{Exit, Msg, Screen};
use ramkey::ui::clipboard::TerminalWriter;
use ramkey::ui::event_loop::{Inputs, run_starting};
use ramkey::ui::keys::{self, Context};
use ramkey::ui::launch::Launch;
use ramkey::ui::scan_feed::{ScanSender, scan_feed};
use ramkey::ui::scan_view::{ScanEvent, ScanNews, ScanPhase, ScanSource, ScanView, Started};
use ramkey::ui::view::{Effect, ErrorView, Performed, Settled, Snapshot};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::oneshot;
use ui_support::{at, draw, event, tap, type_text};

// ---------------------------------------------------------------- fixtures

/// The wizard as it starts: the gauge, nothing found yet.
fn starting() -> App {
    App::scanning(ui_support::header(), empty())
}

fn empty() -> Snapshot {
    Snapshot {
        users: Vec::new(),
        taken_at: at("2025-06-01T12:00:00Z"),
    }
}

/// Half way through a per-user scan of an account whose size is not known
/// yet, two users found.
fn listing() -> ScanNews {
    ScanNews {
        progress: Some(ScanView {
            source: ScanSource::Api,
            phase: ScanPhase::Listing,
            users_listed: 1200,
            users_total: None,
            users_checked: 800,
            keys_checked: 1530,
            flagged: 2,
            calls: 2410,
            throttled: 3,
            rate: 48.26,
            elapsed: Duration::from_secs(65),
            eta: None,
        }),
        found: vec![ui_support::alice(), ui_support::zhangsan()],
        notes: Vec::new(),
        settling: false,
    }
}

/// The credential report was refused: every user is checked one by one,
/// their total known, three found.
fn after_report_refused() -> ScanNews {
    ScanNews {
        progress: Some(ScanView {
            source: ScanSource::Api,
            phase: ScanPhase::Checking,
            users_listed: 2000,
            users_total: Some(2000),
            users_checked: 1500,
            keys_checked: 2890,
            flagged: 3,
            calls: 4420,
            throttled: 0,
            rate: 50.0,
            elapsed: Duration::from_secs(88),
            eta: Some(Duration::from_secs(30)),
        }),
        found: vec![
            ui_support::alice(),
            ui_support::zhangsan(),
            ui_support::bob(),
        ],
        notes: vec![
            "the credential report was not used: GenerateCredentialReport is not allowed for \
             this caller (NoPermission); every user is checked with ListAccessKeys instead"
                .to_owned(),
        ],
        settling: false,
    }
}

fn scan_error() -> ErrorView {
    ErrorView {
        doing: "Scanning the account: not done.".to_owned(),
        code: Some("NoPermission".to_owned()),
        message: "You are not authorized to do this action. Action: ram:ListUsers".to_owned(),
        request_id: Some("REQ-SCAN-1".to_owned()),
        hint: Some("grant ram:ListUsers to the identity ramkey signs with".to_owned()),
        offer: None,
        drift: None,
    }
}

fn started(settled: Vec<Settled>) -> Started {
    Started {
        snapshot: ui_support::snapshot(),
        settled,
    }
}

/// Snapshots `app` at the two sizes of the gauge screen.
fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x40"), draw(app, 160, 40));
}

fn names(app: &App) -> Vec<String> {
    (0..app.visible_len())
        .filter_map(|position| app.visible_index(position))
        .map(|index| app.snapshot.users[index].user_name.clone())
        .collect()
}

// --------------------------------------------------------------- snapshots

#[test]
fn gauge_before_anything_is_known() {
    both("gauge_start", &starting());
}

#[test]
fn gauge_while_listing_with_users_found() {
    let mut app = starting();
    app.update(Msg::Scan(listing()));
    both("gauge_listing", &app);
}

#[test]
fn gauge_with_a_total_an_eta_and_the_note_why_the_report_was_not_used() {
    let mut app = starting();
    app.update(Msg::Scan(after_report_refused()));
    let drawn = draw(&app, 160, 40);
    assert!(drawn.contains("1500 of 2000 users checked"), "{drawn}");
    assert!(
        drawn.contains("█░"),
        "the bar shows without colour: {drawn}"
    );
    both("gauge_report_refused", &app);
}

#[test]
fn gauge_while_settling_after_the_scan() {
    let mut app = starting();
    let mut news = after_report_refused();
    news.settling = true;
    app.update(Msg::Scan(news));
    both("gauge_settling", &app);
}

#[test]
fn a_failed_scan_shows_the_error_dialog_over_the_gauge() {
    let mut app = starting();
    app.update(Msg::Scan(listing()));
    app.update(Msg::Started(Err(scan_error())));
    let drawn = draw(&app, 160, 40);
    for part in ["NoPermission", "REQ-SCAN-1", "grant ram:ListUsers"] {
        assert!(drawn.contains(part), "{part} in {drawn}");
    }
    both("gauge_failed_dialog", &app);

    tap(&mut app, &[KeyCode::Esc]);
    both("gauge_failed", &app);
}

#[test]
fn the_filter_line_under_the_heading() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "bob");
    both("filter_typing", &app);

    tap(&mut app, &[KeyCode::Enter]);
    both("filter_kept", &app);
}

#[test]
fn the_filter_during_the_scan() {
    let mut app = starting();
    app.update(Msg::Scan(listing()));
    tap(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "zhang");
    both("gauge_filter", &app);
}

// ------------------------------------------------------ state transitions

#[test]
fn typing_narrows_the_rows_and_esc_shows_every_row_again_on_the_same_user() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Char('/')]);
    assert_eq!(app.context(), Context::Filter);

    type_text(&mut app, "bob");
    assert_eq!(names(&app), ["bob"]);
    assert_eq!(app.selected_user().unwrap().user_name, "bob");

    tap(&mut app, &[KeyCode::Backspace, KeyCode::Backspace]);
    // "b" is in every user's LTAI…Busy key.
    assert_eq!(
        names(&app),
        ["alice", "ops-zhangsan", "bob"],
        "erasing widens again"
    );
    assert_eq!(app.selected_user().unwrap().user_name, "bob");

    tap(&mut app, &[KeyCode::Esc]);
    assert!(app.filter.is_none());
    assert_eq!(app.context(), Context::Findings);
    assert_eq!(names(&app), ["alice", "ops-zhangsan", "bob"]);
    assert_eq!(
        app.selected_user().unwrap().user_name,
        "bob",
        "the cursor stays on the user it was on"
    );
}

#[test]
fn enter_keeps_the_filter_and_the_list_keys_act_on_the_rows_shown() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "ZHANG");
    tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.context(), Context::Findings);
    assert_eq!(names(&app), ["ops-zhangsan"]);

    // Down has nowhere to go; Enter opens the one row shown.
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    assert_eq!(
        app.screen,
        Screen::Rotation {
            user: "ops-zhangsan".to_owned(),
            cursor: 2
        }
    );

    // Back on the list the filter still narrows it; Esc clears it there too.
    tap(&mut app, &[KeyCode::Esc]);
    assert_eq!(names(&app), ["ops-zhangsan"]);
    tap(&mut app, &[KeyCode::Esc]);
    assert_eq!(names(&app).len(), 3);
    assert_eq!(app.selected_user().unwrap().user_name, "ops-zhangsan");
}

#[test]
fn letters_typed_into_the_filter_are_never_commands() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "qjk?");
    assert_eq!(app.exit, None, "q is typed, not quit");
    assert!(app.help.is_none(), "? is typed, not help");
    assert_eq!(app.filter.as_ref().unwrap().query, "qjk?");
    assert!(names(&app).is_empty());
    // Nothing to open when nothing matches.
    tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Findings);
}

#[test]
fn a_pasted_query_never_submits_and_an_emptied_filter_closes() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Char('/')]);
    app.update(Msg::Paste("alice\r\n".to_owned()));
    assert_eq!(app.context(), Context::Filter, "still typing");
    assert_eq!(names(&app), ["alice"]);

    for _ in 0.."alice".len() {
        tap(&mut app, &[KeyCode::Backspace]);
    }
    tap(&mut app, &[KeyCode::Enter]);
    assert!(app.filter.is_none(), "Enter on an empty line closes it");
}

#[test]
fn the_arrows_move_the_cursor_while_typing() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "in use");
    assert_eq!(names(&app).len(), 3);
    tap(&mut app, &[KeyCode::Down, KeyCode::Down]);
    assert_eq!(app.selected_user().unwrap().user_name, "bob");
    assert_eq!(app.filter.as_ref().unwrap().query, "in use");
}

#[test]
fn found_users_fill_the_list_in_and_the_filter_follows() {
    let mut app = starting();
    tap(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "bob");
    app.update(Msg::Scan(listing()));
    assert_eq!(app.snapshot.users.len(), 2);
    assert!(names(&app).is_empty(), "bob not found yet");

    let mut later = ScanNews::default();
    later.found.push(ui_support::bob());
    // A user reported again replaces its row.
    later.found.push(ui_support::alice());
    app.update(Msg::Scan(later));
    assert_eq!(app.snapshot.users.len(), 3);
    assert_eq!(names(&app), ["bob"]);
}

#[test]
fn q_during_the_scan_quits_at_once() {
    let mut app = starting();
    app.update(Msg::Scan(listing()));
    assert_eq!(app.context(), Context::Scanning);
    tap(&mut app, &[KeyCode::Down, KeyCode::Char('q')]);
    assert_eq!(app.exit, Some(Exit::Quit));
    assert!(
        app.dialog.is_none(),
        "nothing to wait for: the scan only reads"
    );
}

#[test]
fn q_while_the_start_settles_asks_and_the_end_of_the_start_withdraws_the_question() {
    let mut app = starting();
    let mut news = listing();
    news.settling = true;
    app.update(Msg::Scan(news));
    tap(&mut app, &[KeyCode::Char('q')]);
    assert_eq!(app.exit, None);
    assert_eq!(app.context(), Context::Question);

    app.update(Msg::Started(Ok(started(Vec::new()))));
    assert!(app.dialog.is_none(), "nothing is in flight any more");
    tap(&mut app, &[KeyCode::Char('q')]);
    assert_eq!(app.exit, Some(Exit::Quit));
}

#[test]
fn a_retry_of_the_scan_shows_on_the_status_line_until_the_start_is_over() {
    let mut app = starting();
    app.update(Msg::Retrying(RetryNotice {
        action: "ListAccessKeys",
        user: Some("alice".to_owned()),
        reason: RetryReason::Throttled {
            code: "Throttling.User".to_owned(),
        },
        failed_tries: 1,
        max_tries: 5,
        wait: Duration::from_secs(2),
    }));
    let drawn = draw(&app, 160, 40);
    assert!(drawn.contains("Last retry: ListAccessKeys"), "{drawn}");
    app.update(Msg::Started(Ok(started(Vec::new()))));
    assert!(!draw(&app, 160, 40).contains("Last retry"));
}

#[test]
fn the_spinner_moves_with_the_ticks_while_the_scan_runs() {
    let mut app = starting();
    let before = draw(&app, 80, 24);
    app.update(Msg::Tick);
    let after = draw(&app, 80, 24);
    assert!(before.contains("| Scanning"), "{before}");
    assert!(after.contains("/ Scanning"), "{after}");
}

#[test]
fn enter_during_the_scan_opens_nothing_and_says_why() {
    let mut app = starting();
    app.update(Msg::Scan(listing()));
    let effects = tap(&mut app, &[KeyCode::Enter]);
    assert!(effects.is_empty());
    assert_eq!(app.screen, Screen::Findings);
    assert!(
        app.notice
            .as_deref()
            .unwrap_or_default()
            .contains("still running"),
        "{:?}",
        app.notice
    );
}

#[test]
fn enter_during_the_scan_opens_that_user_as_soon_as_the_start_is_over() {
    let mut app = starting();
    app.update(Msg::Scan(listing()));
    let first = names(&app)[0].clone();
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains(&format!("{first} opens as soon as")),
        "{notice}"
    );

    app.update(Msg::Started(Ok(started(Vec::new()))));

    assert_eq!(
        app.screen,
        Screen::Rotation {
            user: first,
            cursor: 0
        }
    );
}

#[test]
fn a_key_pressed_after_enter_during_the_scan_cancels_the_open() {
    let mut app = starting();
    app.update(Msg::Scan(listing()));
    tap(&mut app, &[KeyCode::Enter, KeyCode::Down]);

    app.update(Msg::Started(Ok(started(Vec::new()))));

    assert_eq!(app.screen, Screen::Findings);
}

#[test]
fn the_end_of_the_start_shows_the_engines_views_and_first_what_was_settled() {
    let mut app = starting();
    app.update(Msg::Scan(after_report_refused()));
    tap(&mut app, &[KeyCode::Down, KeyCode::Down]);
    let settled = vec![Settled::Done {
        user: "ops-zhangsan".to_owned(),
        summary: "ramkey was interrupted during CreateUser for ops-zhangsan-v2".to_owned(),
    }];
    app.update(Msg::Started(Ok(started(settled))));

    assert!(app.scan.is_none());
    assert_eq!(app.snapshot, ui_support::snapshot());
    assert_eq!(app.selected_user().unwrap().user_name, "bob", "cursor kept");
    assert_eq!(app.context(), Context::Notice, "the settled notice first");
    let notice = app.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("credential report was not used"),
        "{notice}"
    );
    tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.context(), Context::Findings);
}

#[test]
fn after_a_failed_scan_nothing_opens_and_q_quits() {
    let mut app = starting();
    app.update(Msg::Scan(listing()));
    app.update(Msg::Started(Err(scan_error())));
    assert_eq!(app.context(), Context::Error);
    assert!(!app.is_starting());
    tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Findings);
    assert!(
        app.notice
            .as_deref()
            .unwrap_or_default()
            .contains("scan failed")
    );
    assert_eq!(
        app.start_failure().and_then(|e| e.code.as_deref()),
        Some("NoPermission")
    );
    tap(&mut app, &[KeyCode::Char('q')]);
    assert_eq!(app.exit, Some(Exit::Quit));
}

#[test]
fn the_footer_and_help_during_the_scan_come_from_the_key_table() {
    let hints: Vec<String> = keys::footer_hints(Context::Scanning)
        .into_iter()
        .map(|(keys, hint)| format!("{keys} {hint}"))
        .collect();
    assert_eq!(
        hints,
        [
            "↑/k up",
            "↓/j down",
            "/ filter",
            "s sort",
            "? help",
            "q quit"
        ]
    );
    let helped: Vec<&str> = keys::bindings_for(Context::Scanning)
        .map(|binding| binding.help)
        .collect();
    assert!(helped.contains(&"open a user (once the scan is complete)"));
    assert!(helped.iter().any(|help| help.contains("stops the scan")));

    let mut app = starting();
    tap(&mut app, &[KeyCode::Char('?')]);
    let drawn = draw(&app, 80, 24);
    assert!(
        drawn.contains("Keys in the findings list during the scan:"),
        "{drawn}"
    );
}

// -------------------------------------------------------------- the loop

/// Records each effect and answers with the fixture snapshot.
#[derive(Clone, Default)]
struct Scripted {
    performed: Arc<Mutex<Vec<Effect>>>,
}

impl Backend for Scripted {
    async fn perform(&mut self, effect: Effect) -> Result<Performed, ErrorView> {
        self.performed.lock().unwrap().push(effect);
        Ok(Performed {
            snapshot: ui_support::snapshot(),
            notice: "done".to_owned(),
            new_secret: None,
        })
    }
}

/// Sets its flag when dropped.
struct Dropped(Arc<AtomicBool>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A scan that never ends (a huge, slow account).
struct Endless {
    _dropped: Dropped,
}

impl Launch for Endless {
    type Backend = Scripted;

    async fn scan(self) -> (Self, Result<(), ErrorView>) {
        std::future::pending::<()>().await;
        (self, Ok(()))
    }

    async fn finish(self) -> Result<(Scripted, Started), ErrorView> {
        Err(scan_error())
    }
}

/// A scan that reports, then ends as told; its settling says when it
/// begins and waits for `go`.
struct Told {
    feed: ScanSender,
    outcome: Result<(), ErrorView>,
    finishing: Option<oneshot::Sender<()>>,
    go: Option<oneshot::Receiver<()>>,
    settled: Arc<AtomicBool>,
}

impl Told {
    fn new(feed: ScanSender, outcome: Result<(), ErrorView>) -> Self {
        Self {
            feed,
            outcome,
            finishing: None,
            go: None,
            settled: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Launch for Told {
    type Backend = Scripted;

    async fn scan(mut self) -> (Self, Result<(), ErrorView>) {
        self.feed
            .send(ScanEvent::Found(Box::new(ui_support::alice())));
        self.feed.send(ScanEvent::Note("a note".to_owned()));
        if self.outcome.is_ok() {
            self.feed.send(ScanEvent::Settling);
        }
        let outcome = std::mem::replace(&mut self.outcome, Ok(()));
        (self, outcome)
    }

    async fn finish(mut self) -> Result<(Scripted, Started), ErrorView> {
        if let Some(finishing) = self.finishing.take() {
            let _ = finishing.send(());
        }
        if let Some(go) = self.go.take() {
            let _ = go.await;
        }
        self.settled.store(true, Ordering::SeqCst);
        Ok((Scripted::default(), started(Vec::new())))
    }
}

fn key_events(codes: &[KeyCode]) -> Vec<io::Result<Event>> {
    codes
        .iter()
        .flat_map(|&code| {
            [
                Ok(Event::Key(event(code, KeyEventKind::Press))),
                Ok(Event::Key(event(code, KeyEventKind::Release))),
            ]
        })
        .collect()
}

#[tokio::test]
async fn q_during_the_scan_ends_the_loop_and_drops_the_scan() {
    let dropped = Arc::new(AtomicBool::new(false));
    let launch = Endless {
        _dropped: Dropped(Arc::clone(&dropped)),
    };
    let (_sender, feed) = scan_feed();
    let (keys, events) = mpsc::unbounded();
    for event in key_events(&[KeyCode::Char('q')]) {
        keys.unbounded_send(event).unwrap();
    }
    let inputs = Inputs {
        events,
        stops: stream::pending(),
        retries: stream::pending(),
    };
    let mut app = starting();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();

    let exit = run_starting(&mut terminal, inputs, &mut app, launch, feed)
        .await
        .unwrap();

    assert_eq!(exit, Exit::Quit);
    assert!(dropped.load(Ordering::SeqCst), "the scan was dropped");
    assert!(app.scan.is_some(), "it never finished");
}

#[tokio::test]
async fn leaving_after_the_scan_waits_for_the_settling() {
    let (sender, feed) = scan_feed();
    let (finishing, begun) = oneshot::channel();
    let (go, gone) = oneshot::channel();
    let mut launch = Told::new(sender, Ok(()));
    launch.finishing = Some(finishing);
    launch.go = Some(gone);
    let settled = Arc::clone(&launch.settled);
    // SIGTERM while the settling runs: the loop stops, but only after the
    // settling, whose records must not be cut short.
    let (stop, stops) = mpsc::unbounded();
    let inputs = Inputs {
        events: stream::pending(),
        stops,
        retries: stream::pending(),
    };
    let looping = tokio::spawn(async move {
        let mut app = starting();
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let exit = run_starting(&mut terminal, inputs, &mut app, launch, feed).await;
        (exit.unwrap(), app)
    });
    begun.await.unwrap();
    stop.unbounded_send(Exit::Terminated).unwrap();
    assert!(!settled.load(Ordering::SeqCst));
    go.send(()).unwrap();

    let (exit, _app) = looping.await.unwrap();
    assert_eq!(exit, Exit::Terminated);
    assert!(
        settled.load(Ordering::SeqCst),
        "the settling finished first"
    );
}

#[tokio::test]
async fn the_findings_screen_follows_the_scan_and_a_failed_scan_opens_the_error_dialog() {
    for outcome in [Ok(()), Err(scan_error())] {
        let failed = outcome.is_err();
        let (sender, feed) = scan_feed();
        let launch = Told::new(sender, outcome);
        // The keys come from the terminal once it shows the outcome.
        let (keys, events) = mpsc::unbounded::<io::Result<Event>>();
        let inputs = Inputs {
            events: ui_support::one_by_one(events),
            stops: stream::pending(),
            retries: stream::pending(),
        };
        let mut app = starting();
        let mut terminal = Terminal::new(ScreenWatch::new(80, 24, keys, failed)).unwrap();

        let exit = run_starting(&mut terminal, inputs, &mut app, launch, feed)
            .await
            .unwrap();

        assert_eq!(exit, Exit::Quit);
        if failed {
            assert_eq!(app.start_failure(), Some(&scan_error()));
            assert!(
                app.scan
                    .as_ref()
                    .unwrap()
                    .notes
                    .contains(&"a note".to_owned())
            );
        } else {
            assert!(app.scan.is_none());
            assert_eq!(app.snapshot, ui_support::snapshot());
            assert_eq!(app.notice.as_deref(), Some("a note"));
        }
    }
}

/// A test terminal that presses keys when the screen shows the start's
/// outcome: the findings heading (then `q`), or the error dialog (then Esc
/// and `q`). No timing: it reacts to what was drawn.
struct ScreenWatch {
    screen: TestBackend,
    keys: Option<mpsc::UnboundedSender<io::Result<Event>>>,
    failed: bool,
}

/// Raw output (the secret dialog's copy) goes where the test screen's would.
impl TerminalWriter for ScreenWatch {
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.screen.write_raw(bytes)
    }
}

impl ScreenWatch {
    fn new(
        width: u16,
        height: u16,
        keys: mpsc::UnboundedSender<io::Result<Event>>,
        failed: bool,
    ) -> Self {
        Self {
            screen: TestBackend::new(width, height),
            keys: Some(keys),
            failed,
        }
    }

    fn react(&mut self) {
        let shown = self.screen.to_string();
        let (sign, codes): (&str, &[KeyCode]) = if self.failed {
            ("REQ-SCAN-1", &[KeyCode::Esc, KeyCode::Char('q')])
        } else {
            (
                "\"3 users hold two Active AccessKeys",
                &[KeyCode::Char('q')],
            )
        };
        if !shown.contains(sign) {
            return;
        }
        if let Some(keys) = self.keys.take() {
            for event in key_events(codes) {
                let _ = keys.unbounded_send(event);
            }
        }
    }
}

impl ratatui::backend::Backend for ScreenWatch {
    type Error = <TestBackend as ratatui::backend::Backend>::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        self.screen.draw(content)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.screen.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.screen.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<ratatui::layout::Position, Self::Error> {
        self.screen.get_cursor_position()
    }

    fn set_cursor_position<P: Into<ratatui::layout::Position>>(
        &mut self,
        position: P,
    ) -> Result<(), Self::Error> {
        self.screen.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.screen.clear()
    }

    fn clear_region(&mut self, clear_type: ratatui::backend::ClearType) -> Result<(), Self::Error> {
        self.screen.clear_region(clear_type)
    }

    fn size(&self) -> Result<ratatui::layout::Size, Self::Error> {
        self.screen.size()
    }

    fn window_size(&mut self) -> Result<ratatui::backend::WindowSize, Self::Error> {
        self.screen.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.screen.flush()?;
        self.react();
        Ok(())
    }
}
