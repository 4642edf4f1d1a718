//! The start screen, the sortable findings table with its marks, and the
//! user's screen with its evidence: state-transition tests fed key
//! sequences, and snapshots at 80x24 and 120x32 (reviewed by eye when
//! accepted). Also the `?` help of every context and every step's dialog,
//! so no screen or dialog is left without a snapshot.

mod ui_support;

use crossterm::event::KeyCode;
use ramkey::ui::App;
use ramkey::ui::app::{Msg, OpenDialog, Screen};
use ramkey::ui::findings::sort::Column;
use ramkey::ui::flow;
use ramkey::ui::help::Help;
use ramkey::ui::keys::{self, Command, Context};
use ramkey::ui::scan_view::Started;
use ramkey::ui::start_screen::{ResumeView, StartView};
use ramkey::ui::view::{PathKind, Request, RowMark, Snapshot};
use ui_support::{at, draw, tap, type_text};

/// Snapshots `app` at both sizes.
fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x32"), draw(app, 120, 32));
}

/// What the state file of the fixtures records: bob waiting for a
/// deletion (due on `due`), ops-zhangsan at its copy step.
fn recorded(due: &str) -> StartView {
    StartView {
        resume: vec![
            ResumeView {
                user: "ops-zhangsan".to_owned(),
                path: PathKind::MoveToNewUser,
                progress: "2/11 steps".to_owned(),
                deletion_due: None,
            },
            ResumeView {
                user: "bob".to_owned(),
                path: PathKind::DisableIdle,
                progress: format!("waiting for deletion (due {})", &due[..10]),
                deletion_due: Some(at(due)),
            },
        ],
        notices: Vec::new(),
    }
}

/// The wizard on its start screen while the scan runs, nothing found yet.
fn starting(start: StartView) -> App {
    let empty = Snapshot {
        users: Vec::new(),
        taken_at: at("2025-06-01T12:00:00Z"),
    };
    App::scanning(ui_support::header(), empty).at_start(start)
}

/// The start over: every fixture user listed, nothing settled.
fn started(app: &mut App) -> Option<ramkey::ui::view::Effect> {
    app.update(Msg::Started(Ok(Started {
        snapshot: ui_support::snapshot(),
        settled: Vec::new(),
    })))
}

/// The user names of the findings table's rows, top to bottom.
fn rows(app: &App) -> Vec<String> {
    (0..app.visible_len())
        .filter_map(|position| app.visible_index(position))
        .map(|index| app.snapshot.users[index].user_name.clone())
        .collect()
}

fn selected(app: &App) -> String {
    app.selected_user().expect("a row").user_name.clone()
}

// ------------------------------------------------------------ start screen

#[test]
fn the_start_screen_offers_the_due_deletion_first_then_the_rotations_then_the_list() {
    let app = starting(recorded("2025-05-30T10:02:00Z"));
    assert_eq!(app.context(), Context::Start);
    let drawn = draw(&app, 120, 32);
    let menu: Vec<&str> = drawn
        .lines()
        .filter(|line| line.contains("Resume") || line.contains("Findings list"))
        .collect();
    assert_eq!(menu.len(), 3, "{drawn}");
    assert!(menu[0].contains("› Resume bob (deletion due now) — disable idle key"));
    assert!(menu[1].contains("Resume ops-zhangsan — move to new user: 2/11 steps"));
    assert!(menu[2].contains("Findings list"));
    assert!(
        drawn.contains("2 rotations in progress, 1 deletion due now"),
        "{drawn}"
    );
    both("start_resume_scanning", &app);
}

#[test]
fn the_start_screen_says_who_ramkey_is_and_the_state_files_notes() {
    let mut start = recorded("2025-09-01T00:00:00Z");
    start.notices = vec!["the state file's mode was 0644; ramkey set it to 0600".to_owned()];
    let mut app = starting(start);
    assert_eq!(started(&mut app), None);
    let drawn = draw(&app, 80, 24);
    for part in [
        "Who ramkey is",
        "Account 1234567890123456",
        "Signed in as acs:ram::1234567890123456:assumed-role/ramkey-rotator",
        "Credentials: RamRoleArn profile `rotator`",
        "State file: /home/admin/.local/state/ramkey/1234567890123456.json",
        "Note: the state file's mode was 0644",
        "Findings list: 3 users hold two Active AccessKeys",
    ] {
        assert!(drawn.contains(part), "{part:?} in\n{drawn}");
    }
    assert!(
        !drawn.contains("due now"),
        "not due before 2025-09-01: {drawn}"
    );
    both("start_resume_started", &app);
}

#[test]
fn a_small_start_screen_keeps_the_state_file_and_its_notes_under_a_one_line_identity() {
    let empty = Snapshot {
        users: Vec::new(),
        taken_at: at("2025-06-01T12:00:00Z"),
    };
    let mut header = ui_support::header();
    header.identity = ui_support::permanent_key_identity(false);
    let mut start = recorded("2025-05-30T10:02:00Z");
    start.notices = vec!["the state file's mode was 0644; ramkey set it to 0600".to_owned()];
    let app = App::scanning(header, empty).at_start(start);
    let drawn = draw(&app, 80, 24);
    for part in [
        "Signed in as user/ramkey-admin · permanent AccessKey",
        "Warning: ramkey is signing with a permanent AccessKey.",
        "State file: /home/admin/.local/state/ramkey/1234567890123456.json",
        "Note: the state file's mode was 0644",
        "Resume ops-zhangsan",
        "Findings list",
    ] {
        assert!(drawn.contains(part), "{part:?} in\n{drawn}");
    }
    // A taller terminal keeps the whole block, the advice too.
    assert!(draw(&app, 120, 32).contains("STS credentials are"));
    both("start_permanent_key", &app);
}

#[test]
fn a_first_start_offers_only_the_findings_list() {
    let mut app = starting(StartView::default());
    both("start_nothing_to_resume", &app);
    assert_eq!(started(&mut app), None);
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Findings);
    assert_eq!(app.context(), Context::Findings);
}

#[test]
fn resuming_after_the_start_opens_the_rotation_at_its_step_and_looks_first() {
    let mut app = starting(recorded("2025-09-01T00:00:00Z"));
    started(&mut app);
    // ops-zhangsan is first: nothing is due.
    let effect = app
        .update(ui_support::press(KeyCode::Enter))
        .expect("a look");
    assert_eq!(effect.user, "ops-zhangsan");
    assert_eq!(effect.request, Request::CheckDrift);
    assert!(matches!(
        &app.screen,
        Screen::Rotation { user, cursor: 2 } if user == "ops-zhangsan"
    ));
    // Back goes to the list, the cursor on that user.
    tap(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.screen, Screen::Findings);
}

#[test]
fn resuming_during_the_scan_opens_the_rotation_once_the_start_is_over() {
    let mut app = starting(recorded("2025-05-30T10:02:00Z"));
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert_eq!(app.screen, Screen::Findings, "the list fills in meanwhile");
    assert_eq!(app.open_on_start.as_deref(), Some("bob"));
    assert!(
        app.notice
            .as_deref()
            .unwrap_or("")
            .contains("bob opens as soon as")
    );

    let effect = started(&mut app).expect("the look of bob's rotation");
    assert_eq!(effect.user, "bob");
    assert!(matches!(&app.screen, Screen::Rotation { user, .. } if user == "bob"));
}

#[test]
fn another_key_after_resuming_during_the_scan_forgets_it() {
    let mut app = starting(recorded("2025-05-30T10:02:00Z"));
    tap(&mut app, &[KeyCode::Enter, KeyCode::Down]);
    assert_eq!(started(&mut app), None);
    assert_eq!(app.screen, Screen::Findings);
}

#[test]
fn the_start_screen_goes_to_the_list_its_filter_or_quits() {
    let mut app = starting(StartView::default());
    tap(&mut app, &[KeyCode::Esc]);
    assert_eq!(app.context(), Context::Scanning);

    let mut app = starting(StartView::default());
    tap(&mut app, &[KeyCode::Char('/')]);
    assert_eq!(app.context(), Context::Filter);

    let mut app = starting(StartView::default());
    tap(&mut app, &[KeyCode::Char('q')]);
    assert_eq!(app.exit, Some(ramkey::ui::Exit::Quit), "a scan only reads");
}

#[test]
fn a_failed_start_shows_its_error_over_the_start_screen_and_nothing_resumes() {
    let mut app = starting(recorded("2025-05-30T10:02:00Z"));
    app.update(Msg::Started(Err(ramkey::ui::view::ErrorView {
        doing: "Scanning the account: not done.".to_owned(),
        code: Some("NoPermission".to_owned()),
        message: "You are not authorized to do this action.".to_owned(),
        request_id: Some("6C4D3E2F-1A0B-4C9D-8E7F-60718293A4B5".to_owned()),
        hint: Some("grant ram:ListUsers to the identity ramkey runs as".to_owned()),
        offer: None,
        drift: None,
    })));
    assert_eq!(app.context(), Context::Error);
    both("start_failed", &app);

    tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.context(), Context::Start, "the error closed");
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(
        app.notice.as_deref().unwrap_or("").contains("scan failed"),
        "{:?}",
        app.notice
    );
    assert_eq!(app.open_on_start, None);
}

#[test]
fn the_menu_cursor_stays_on_the_menu() {
    let mut app = starting(recorded("2025-09-01T00:00:00Z"));
    tap(
        &mut app,
        &[KeyCode::Up, KeyCode::Down, KeyCode::Down, KeyCode::Down],
    );
    assert_eq!(app.screen, Screen::Start { cursor: 2 });
    tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.screen, Screen::Findings, "the last line is the list");
}

// ---------------------------------------------------------- findings table

#[test]
fn s_cycles_the_sort_column_and_s_capital_reverses_it() {
    let mut app = ui_support::app();
    assert_eq!(rows(&app), ["alice", "ops-zhangsan", "bob"]);

    tap(&mut app, &[KeyCode::Char('s')]);
    assert_eq!(app.sort.column, Column::User);
    assert_eq!(rows(&app), ["alice", "bob", "ops-zhangsan"]);
    assert_eq!(app.notice.as_deref(), Some("Sorted by user, A to Z."));

    tap(&mut app, &[KeyCode::Char('S')]);
    assert_eq!(rows(&app), ["ops-zhangsan", "bob", "alice"]);

    // Verdict: idle keys first (alice and bob hold one), stable otherwise.
    tap(&mut app, &[KeyCode::Char('s')]);
    assert_eq!(app.sort.column, Column::Verdict);
    assert_eq!(rows(&app), ["alice", "bob", "ops-zhangsan"]);

    // Last use: bob's idle key is the oldest (2024-01-15).
    tap(&mut app, &[KeyCode::Char('s')]);
    assert_eq!(app.sort.column, Column::LastUse);
    assert_eq!(rows(&app), ["bob", "alice", "ops-zhangsan"]);
    both("findings_sorted_last_use", &app);

    // Rotation: in progress first, then not started.
    tap(&mut app, &[KeyCode::Char('s'), KeyCode::Char('s')]);
    assert_eq!(app.sort.column, Column::Rotation);
    assert_eq!(rows(&app), ["ops-zhangsan", "bob", "alice"]);

    tap(&mut app, &[KeyCode::Char('s')]);
    assert_eq!(app.sort.column, Column::ScanOrder);
    assert_eq!(app.order, None);
    assert_eq!(rows(&app), ["alice", "ops-zhangsan", "bob"]);
}

#[test]
fn sorting_keeps_the_cursor_on_its_user_and_enter_opens_that_user() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Down]);
    assert_eq!(selected(&app), "bob");
    tap(&mut app, &[KeyCode::Char('s')]);
    assert_eq!(selected(&app), "bob");
    assert_eq!(app.list_cursor, 1);
    tap(&mut app, &[KeyCode::Enter]);
    assert!(matches!(&app.screen, Screen::Rotation { user, .. } if user == "bob"));
}

#[test]
fn the_filter_narrows_the_sorted_rows_and_keeps_their_order() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Char('s'), KeyCode::Char('S')]); // user, Z to A
    tap(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "in use");
    assert_eq!(rows(&app), ["ops-zhangsan", "bob", "alice"]);
    type_text(&mut app, " ltai5tbob");
    assert_eq!(rows(&app), ["bob"]);
    tap(
        &mut app,
        &[KeyCode::Backspace, KeyCode::Backspace, KeyCode::Backspace],
    );
    assert_eq!(
        rows(&app),
        ["ops-zhangsan", "bob", "alice"],
        "every key id has ltai5t"
    );
    type_text(&mut app, "z");
    assert_eq!(rows(&app), ["ops-zhangsan"]);
    tap(&mut app, &[KeyCode::Backspace]);
    type_text(&mut app, "bob");
    tap(&mut app, &[KeyCode::Enter]);
    both("findings_sorted_filtered", &app);

    // Sorting again while filtered keeps the filter.
    tap(&mut app, &[KeyCode::Char('s')]);
    assert_eq!(app.sort.column, Column::Verdict);
    assert!(app.filter.is_some());

    // Esc clears the filter: every row, still sorted, the cursor kept.
    tap(&mut app, &[KeyCode::Esc]);
    assert_eq!(rows(&app), ["alice", "bob", "ops-zhangsan"]);
    assert_eq!(selected(&app), "bob");
}

#[test]
fn rows_found_during_the_scan_join_in_the_sorted_order() {
    let mut app = App::scanning(
        ui_support::header(),
        Snapshot {
            users: Vec::new(),
            taken_at: at("2025-06-01T12:00:00Z"),
        },
    );
    tap(&mut app, &[KeyCode::Char('s')]);
    for user in [
        ui_support::zhangsan(),
        ui_support::bob(),
        ui_support::alice(),
    ] {
        app.update(Msg::Scan(ramkey::ui::scan_view::ScanNews {
            found: vec![user],
            ..Default::default()
        }));
    }
    assert_eq!(rows(&app), ["alice", "bob", "ops-zhangsan"]);
}

/// The fixtures with alice exempt, ramkey signing with bob's busy key and
/// ops-zhangsan's keys rotated by KMS.
fn marked() -> App {
    let mut snapshot = ui_support::snapshot();
    snapshot.users[0].marks.push(RowMark::Exempt {
        reason: "rotated by the CI vault".to_owned(),
    });
    snapshot.users[1].marks.push(RowMark::KmsManaged {
        secret: "acs/ram/user/ops-zhangsan".to_owned(),
    });
    snapshot.users[2].keys[1].used_by_ramkey = true;
    snapshot.users[2].marks.push(RowMark::OwnKey {
        access_key_id: "LTAI5tBobBusy00000000002".to_owned(),
    });
    App::new(ui_support::header(), snapshot)
}

#[test]
fn exempt_kms_managed_and_own_key_rows_are_marked_and_can_be_filtered() {
    let mut app = marked();
    let drawn = draw(&app, 120, 32);
    for mark in [
        "! exempt: rotated by the CI vault",
        "! KMS-managed (secret acs/ram/user/ops-zhangsan)",
        "! ramkey's own key LTAI5tBobBusy00000000002",
    ] {
        assert!(drawn.contains(mark), "{mark:?} in\n{drawn}");
    }
    both("findings_marks", &app);

    tap(&mut app, &[KeyCode::Char('/')]);
    type_text(&mut app, "exempt");
    assert_eq!(rows(&app), ["alice"]);
    tap(&mut app, &[KeyCode::Esc, KeyCode::Char('/')]);
    type_text(&mut app, "own key");
    assert_eq!(rows(&app), ["bob"]);
}

#[test]
fn the_table_names_its_columns_the_sort_and_each_rows_data_age() {
    let app = ui_support::app();
    let drawn = draw(&app, 80, 24);
    assert!(
        drawn.contains("Verdict  Key                       Last use    Data age"),
        "{drawn}"
    );
    assert!(drawn.contains("sort: scan order"), "{drawn}");
    let row = drawn
        .lines()
        .find(|line| line.contains("LTAI5tAliceIdle000000001"))
        .expect("the key's row");
    assert!(
        row.contains("idle") && row.contains("2024-11-02") && row.contains("1 h"),
        "{row}"
    );
}

// ------------------------------------------------------------- user detail

#[test]
fn the_user_screen_shows_both_keys_with_their_evidence_and_the_grants() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Down, KeyCode::Enter]);
    let drawn = draw(&app, 120, 32);
    for part in [
        "Evidence (data as of 2025-06-01 11:00 UTC; idle after 90 days without use):",
        "in use   LTAI5tZhangBusy00000001  last used 2025-05-31, 0 d ago",
        "in use   LTAI5tZhangBusy00000002  last used 2025-05-30, 2 d ago",
        "Policies: AliyunOSSReadOnlyAccess (System), deploy-bucket-write (Custom) · Groups: ops",
        "Steps",
    ] {
        assert!(drawn.contains(part), "{part:?} in\n{drawn}");
    }
}

#[test]
fn a_user_not_started_shows_why_each_key_has_its_verdict() {
    let mut app = marked();
    tap(&mut app, &[KeyCode::Enter]);
    let drawn = draw(&app, 80, 24);
    for part in [
        "idle     LTAI5tAliceIdle000000001  last used 2024-11-02, 211 d ago",
        "Policies: AliyunOSSReadOnlyAccess (System) · Groups: none",
        "! exempt: rotated by the CI vault",
        "No rotation started for this user yet.",
    ] {
        assert!(drawn.contains(part), "{part:?} in\n{drawn}");
    }
    both("user_not_started_marked", &app);
}

/// A user no rotation has started for shows its policies and groups
/// before anything is chosen: opening its screen reads them, and Enter
/// pressed during that read opens the start choice once it is back.
#[test]
fn opening_a_user_not_started_reads_its_grants_and_a_key_pressed_meanwhile_waits() {
    let mut app = ui_support::app();
    app.snapshot.users[0].grants = None;
    let effect = app.update(ui_support::press(KeyCode::Enter));
    assert_eq!(
        effect.map(|e| (e.user, e.request)),
        Some(("alice".to_owned(), Request::ReadPermissions))
    );
    assert!(draw(&app, 80, 24).contains("Policies and groups: not read yet."));
    assert!(
        !Request::ReadPermissions.writes(),
        "a read-only wizard may make it"
    );

    assert_eq!(
        tap(&mut app, &[KeyCode::Enter]),
        vec![],
        "waits for the read"
    );
    assert!(app.dialog.is_none());
    let mut read = app.snapshot.clone();
    read.users[0].grants = Some(ramkey::ui::view::GrantSet {
        policies: ui_support::policies(),
        groups: vec!["ops".to_owned()],
    });
    let performed = ramkey::ui::view::Performed {
        snapshot: read,
        notice: String::new(),
        new_secret: None,
    };
    assert_eq!(app.update(Msg::Performed(Ok(performed))), None);
    assert!(
        matches!(
            app.dialog.as_ref().map(|o| &o.dialog),
            Some(flow::Dialog::Start(..))
        ),
        "the Enter pressed during the read opened the start choice: {:?}",
        app.dialog
    );
    let drawn = draw(&app, 120, 32);
    assert!(
        drawn.contains(
            "Policies: AliyunOSSReadOnlyAccess (System), deploy-bucket-write (Custom) · Groups: ops"
        ),
        "{drawn}"
    );

    // Once read, opening the screen again reads nothing.
    tap(&mut app, &[KeyCode::Esc, KeyCode::Esc]);
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
}

/// Before anything starts, the user's screen shows the recommended path's
/// steps with the calls each will make.
#[test]
fn a_user_not_started_shows_the_plan_with_each_steps_call() {
    let mut app = ui_support::app();
    tap(&mut app, &[KeyCode::Enter]);
    let drawn = draw(&app, 160, 40);
    for part in [
        "If you start \"disable idle key\", these are the steps; each asks before it writes:",
        "  1. Review the evidence — no call",
        "  2. Disable the old key — UpdateAccessKey UserName=alice \
         UserAccessKeyId=LTAI5tAliceIdle000000001 Status=Inactive",
        "  4. Delete the old key — after the waiting period: GetAccessKeyLastUsed, then \
         DeleteAccessKey UserName=alice UserAccessKeyId=LTAI5tAliceIdle000000001",
    ] {
        assert!(drawn.contains(part), "{part:?} in\n{drawn}");
    }
}

/// An exempt user is shown with its reason, but no rotation starts for
/// it: Enter on its screen says why instead of offering the start.
#[test]
fn an_exempt_user_is_never_offered_a_start() {
    let mut app = marked();
    tap(&mut app, &[KeyCode::Enter]);
    let drawn = draw(&app, 120, 32);
    assert!(
        drawn.contains("alice is exempt (rotated by the CI vault): ramkey starts no rotation"),
        "{drawn}"
    );
    assert!(
        !drawn.contains("Enter: choose how to retire one key"),
        "{drawn}"
    );
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(app.dialog.is_none(), "no start choice: {:?}", app.dialog);
    let notice = app.notice.as_deref().unwrap_or_default();
    assert!(notice.starts_with("alice is exempt"), "{notice}");
}

#[test]
fn the_user_screen_of_ramkeys_own_key_says_so_on_the_key() {
    let mut app = marked();
    tap(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    let drawn = draw(&app, 120, 32);
    assert!(
        drawn.contains("LTAI5tBobBusy00000000002  last used 2025-05-31, 1 d ago"),
        "{drawn}"
    );
    assert!(
        drawn.contains("           the key ramkey is using: it never disables or deletes it"),
        "{drawn}"
    );
    both("user_waiting_own_key", &app);
}

#[test]
fn an_unknown_last_use_is_said_to_be_no_proof() {
    let mut app = ui_support::app();
    app.snapshot.users[0].keys[0].verdict = ramkey::ui::view::Verdict::Unknown;
    app.snapshot.users[0].keys[0].last_used = None;
    tap(&mut app, &[KeyCode::Enter]);
    let drawn = draw(&app, 120, 32);
    assert!(
        drawn
            .contains("unknown  LTAI5tAliceIdle000000001  no last use known (not proof of no use)"),
        "{drawn}"
    );
}

// ----------------------------------------------------- keys, help, dialogs

#[test]
fn every_context_has_help_and_the_footer_comes_from_the_table() {
    // The demo's keys are a layer over two screens' own, never the focus.
    for context in Context::ALL.into_iter().filter(|c| *c != Context::Demo) {
        let bindings: Vec<_> = keys::bindings_for(context).collect();
        assert!(
            bindings
                .iter()
                .any(|b| b.command == Command::Help || context == Context::Help)
                || context.takes_text()
                || context == Context::Secret,
            "{context:?} has no ? help"
        );
        assert!(
            bindings.iter().any(|b| b.command == Command::Interrupt),
            "{context:?} has no Ctrl-C"
        );
    }
    let findings = keys::footer_hints(Context::Findings);
    assert!(findings.iter().any(|(k, h)| k == "s" && *h == "sort"));
    let start = keys::footer_hints(Context::Start);
    assert!(start.iter().any(|(k, h)| k == "Enter" && *h == "choose"));
    assert!(
        start
            .iter()
            .any(|(k, h)| k == "Esc" && *h == "findings list")
    );
    let help = Help::new(Context::Findings);
    let helped: Vec<&str> = help.sections()[0].1.iter().map(|(_, h)| *h).collect();
    assert!(
        helped
            .iter()
            .any(|h| h.starts_with("sort by the next column"))
    );
    assert!(helped.contains(&"reverse the sort"), "S is in ? help");
}

#[test]
fn the_footer_of_the_start_screen_and_the_table_is_drawn_from_the_table() {
    let app = starting(StartView::default());
    let drawn = draw(&app, 80, 24);
    let footer = drawn.lines().next_back().unwrap_or_default();
    assert!(
        footer.contains("Enter choose") && footer.contains("Esc findings list"),
        "{footer}"
    );
    let footer = draw(&ui_support::app(), 80, 24);
    let footer = footer.lines().next_back().unwrap_or_default();
    assert!(footer.contains("s sort"), "{footer}");
}

#[test]
fn help_of_every_context() {
    for context in Context::ALL {
        let mut app = ui_support::app();
        app.help = Some(Help::new(context));
        both(&format!("help_every_{context:?}").to_lowercase(), &app);
    }
}

#[test]
fn every_step_opens_a_dialog_with_a_snapshot() {
    let snapshot = ui_support::snapshot();
    let mut taken = 0;
    for user in &snapshot.users {
        let Some(rotation) = &user.rotation else {
            continue;
        };
        for (i, step) in rotation.steps.iter().enumerate() {
            let Ok(dialog) = flow::open_step(user, &step.kind, &snapshot) else {
                continue;
            };
            let mut app = ui_support::app();
            app.dialog = Some(OpenDialog {
                user: user.user_name.clone(),
                dialog,
            });
            both(&format!("step_dialog_{}_{i}", user.user_name), &app);
            taken += 1;
        }
    }
    assert!(taken >= 10, "{taken} step dialogs");
}

#[test]
fn detaching_nothing_asks_before_finishing() {
    let snapshot = ui_support::snapshot();
    let user = snapshot.user("ops-zhangsan").expect("fixture");
    let kind = ramkey::ui::view::StepKind::DetachPolicies {
        policies: ui_support::policies(),
    };
    let mut app = ui_support::app();
    let dialog = flow::open_step(user, &kind, &snapshot).expect("the checklist");
    app.dialog = Some(OpenDialog {
        user: "ops-zhangsan".to_owned(),
        dialog,
    });
    // Unticked at first (detaching is destructive): continue as they are.
    tap(&mut app, &[KeyCode::Enter]);
    assert_eq!(app.context(), Context::Question, "{}", draw(&app, 80, 24));
    both("dialog_detach_nothing", &app);
}

#[test]
fn disable_again_has_a_snapshot() {
    let mut app = ui_support::app();
    if let Some(rotation) = app.snapshot.users[2].rotation.as_mut() {
        rotation.retired_key_active_again = true;
    }
    tap(&mut app, &[KeyCode::Down, KeyCode::Down, KeyCode::Enter]);
    both("rotation_disable_again_offered", &app);
    tap(&mut app, &[KeyCode::Char('a')]);
    assert_eq!(
        app.context(),
        Context::TypedConfirm,
        "{}",
        draw(&app, 80, 24)
    );
    both("dialog_disable_again", &app);
}
