//! The swap confirmations with their evidence (BC-12) and the demo's clock
//! jump, as the wizard shows and handles them: Enter on a swap reads the
//! evidence first, the confirmation opens with it, Enter gives the default
//! answer (yes only when the evidence supports confirming), `y` confirms
//! anyway; a check still refused when its cap passed says so in a notice;
//! `>` exists only in `ramkey demo`, and only skips a wait there is.

mod ui_support;

use crossterm::event::KeyCode;
use ramkey::ui::App;
use ramkey::ui::app::Msg;
use ramkey::ui::flow::Dialog;
use ramkey::ui::keys::{self, Context};
use ramkey::ui::view::{
    EvidenceFact, NewKeyCheck, NewKeyView, Performed, Request, Snapshot, StepKind, StepStatus,
    SwapEvidenceView, UserView,
};
use ui_support::{at, draw, tap};

const NEW_KEY: &str = "LTAI5tZhangNew000000003";
const OLD_KEY: &str = "LTAI5tZhangBusy00000001";

/// ops-zhangsan with every step before `until` done, its new key verified.
fn waiting_at(until: fn(&StepKind) -> bool) -> UserView {
    let mut user = ui_support::zhangsan();
    let rotation = user.rotation.as_mut().unwrap();
    for step in &mut rotation.steps {
        if let StepKind::ConfirmStaging { new_key_id }
        | StepKind::ConfirmProduction { new_key_id } = &mut step.kind
        {
            NEW_KEY.clone_into(new_key_id);
        }
    }
    for step in &mut rotation.steps {
        if until(&step.kind) {
            break;
        }
        step.status = StepStatus::Done {
            at: at("2025-06-01T09:05:00Z"),
            request_id: None,
        };
    }
    rotation.new_key = Some(NewKeyView {
        key_id: NEW_KEY.to_owned(),
        check: NewKeyCheck::Verified {
            at: at("2025-06-01T09:04:00Z"),
            attempts: 3,
        },
        secret_held: false,
    });
    user
}

fn at_staging() -> UserView {
    waiting_at(|kind| matches!(kind, StepKind::ConfirmStaging { .. }))
}

fn at_production() -> UserView {
    waiting_at(|kind| matches!(kind, StepKind::ConfirmProduction { .. }))
}

/// What the engine's judgement reads like when staging uses the new key.
fn staging_in_use() -> SwapEvidenceView {
    SwapEvidenceView {
        heading: "Evidence read 11:59:40 UTC (the staging swap began 09:05:00 UTC):".to_owned(),
        facts: vec![
            EvidenceFact {
                text: format!(
                    "New key {NEW_KEY}: in use since the swap began (first seen in use \
                     09:05:00 UTC, last use 11:59:35 UTC)."
                ),
                warning: false,
            },
            EvidenceFact {
                text: format!(
                    "Old key {OLD_KEY}: used since the swap began (last use 11:59:38 UTC), as \
                     expected while production still runs on it."
                ),
                warning: false,
            },
            EvidenceFact {
                text: "RAM's last-use dates lag real use by up to a few hours.".to_owned(),
                warning: false,
            },
        ],
        advice: "The evidence supports confirming: something signs with the new key since the \
                 staging swap began."
            .to_owned(),
        supports_confirming: true,
    }
}

/// What it reads like when the old key is still busy at production.
fn production_busy() -> SwapEvidenceView {
    SwapEvidenceView {
        heading: "Evidence read 11:59:40 UTC (the production swap began 11:50:00 UTC):".to_owned(),
        facts: vec![
            EvidenceFact {
                text: format!(
                    "New key {NEW_KEY}: in use since the swap began (first seen in use \
                     11:50:05 UTC, last use 11:59:35 UTC)."
                ),
                warning: false,
            },
            EvidenceFact {
                text: format!(
                    "Old key {OLD_KEY}: still in use: last use 11:59:38 UTC, after the \
                     production swap began."
                ),
                warning: true,
            },
            EvidenceFact {
                text: "RAM's last-use dates lag real use by up to a few hours and the swap \
                       began 9 min ago: a use since may not show yet; read again later to be \
                       sure."
                    .to_owned(),
                warning: false,
            },
        ],
        advice: "Advice: wait before confirming: something still signs with the old key \
                 (production not switched yet, or another application); find it, then open \
                 this step again to read afresh."
            .to_owned(),
        supports_confirming: false,
    }
}

fn open(user: UserView, demo: bool) -> App {
    let snapshot = Snapshot {
        users: vec![user],
        taken_at: at("2025-06-01T12:00:00Z"),
    };
    let mut header = ui_support::header();
    header.demo = demo;
    let mut app = App::new(header, snapshot);
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    app
}

/// Enter on the swap step: the evidence is read first, then the answer
/// (the user's view with `evidence`) opens the confirmation.
fn read_with(app: &mut App, evidence: SwapEvidenceView) {
    let effects = tap(app, &[KeyCode::Enter]);
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert_eq!(effects[0].request, Request::ReadSwapEvidence);
    assert!(
        app.dialog.is_none(),
        "nothing opens before the evidence is in"
    );
    assert!(draw(app, 120, 32).contains("Reading the last use of both keys"));

    let mut snapshot = app.snapshot.clone();
    snapshot.users[0].rotation.as_mut().unwrap().swap_evidence = Some(evidence);
    app.update(Msg::Performed(Ok(Performed {
        snapshot,
        notice: "Swap evidence read.".to_owned(),
        new_secret: None,
    })));
    assert!(
        matches!(
            app.dialog.as_ref().map(|open| &open.dialog),
            Some(Dialog::Swap(..))
        ),
        "{:?}",
        app.dialog
    );
}

fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x40"), draw(app, 160, 40));
}

#[test]
fn staging_in_use_supports_confirming_but_only_y_confirms() {
    let mut app = open(at_staging(), false);
    read_with(&mut app, staging_in_use());
    let screen = draw(&app, 120, 32);
    assert!(
        screen.contains("Is staging running on the new key? [y/N]"),
        "{screen}"
    );
    assert!(
        screen.contains("The evidence supports confirming"),
        "{screen}"
    );
    both("swap_staging_in_use", &app);

    // A line break a paste brought arrives as Enter: it never confirms.
    assert_eq!(tap(&mut app, &[KeyCode::Enter]), vec![]);
    assert!(app.dialog.is_none(), "Enter closed it: {:?}", app.dialog);
}

#[test]
fn a_busy_old_key_advises_waiting_enter_waits_and_only_y_confirms() {
    let mut app = open(at_production(), false);
    read_with(&mut app, production_busy());
    let screen = draw(&app, 120, 32);
    assert!(screen.contains("[y/N]"), "{screen}");
    assert!(screen.contains("Advice: wait"), "{screen}");
    both("swap_production_busy", &app);

    // Enter is "no, wait": the dialog closes, nothing is recorded.
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    assert!(app.dialog.is_none());

    // Opening the step again reads afresh; y confirms against the advice.
    read_with(&mut app, production_busy());
    let effects = tap(&mut app, &[KeyCode::Char('y')]);
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert_eq!(effects[0].request, Request::ConfirmProduction);
}

#[test]
fn evidence_that_could_not_be_read_says_why_and_waits() {
    let mut app = open(at_production(), false);
    let unreadable = SwapEvidenceView {
        heading: format!(
            "The keys' last use could not be read: reading the last use of {NEW_KEY} and \
             {OLD_KEY}: the request was throttled (Throttling.User)."
        ),
        facts: Vec::new(),
        advice: "Advice: wait before confirming: without the last-use dates, check in the \
                 application's logs that it signs with the new key, or close this and try again."
            .to_owned(),
        supports_confirming: false,
    };
    read_with(&mut app, unreadable);
    both("swap_unreadable", &app);
    assert!(tap(&mut app, &[KeyCode::Char('n')]).is_empty());
    assert!(app.dialog.is_none());
}

#[test]
fn a_blocked_swap_reads_nothing_and_says_why() {
    let mut user = at_staging();
    user.rotation.as_mut().unwrap().blocked = Some("an earlier write is not settled".to_owned());
    let mut app = open(user, false);
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    assert!(app.dialog.is_none());
}

#[test]
fn a_check_still_refused_when_its_cap_passed_is_said_in_a_notice() {
    let mut user = at_production();
    user.rotation.as_mut().unwrap().new_key = Some(NewKeyView {
        key_id: NEW_KEY.to_owned(),
        check: NewKeyCheck::NotYetVerified {
            attempts: 41,
            last_tried: at("2025-06-01T12:02:00Z"),
        },
        secret_held: true,
    });
    let mut app = open(user, false);
    let effects = tap(&mut app, &[KeyCode::Char('v')]);
    assert_eq!(effects[0].request, Request::VerifyKey { secret: None });
    let snapshot = app.snapshot.clone();
    app.update(Msg::Performed(Ok(Performed {
        snapshot,
        notice: format!(
            "{NEW_KEY} was created but is not verified yet: it was still refused after 120 s \
             (new keys take a while). {OLD_KEY} stays Active; verify the new key again later"
        ),
        new_secret: None,
    })));
    let Some(Dialog::Notice(_)) = app.dialog.as_ref().map(|open| &open.dialog) else {
        panic!("{:?}", app.dialog);
    };
    let screen = draw(&app, 120, 32);
    assert!(
        screen.contains("The new key is not verified yet"),
        "{screen}"
    );
    assert!(screen.contains("still refused after 120 s"), "{screen}");
    both("verify_cap_passed", &app);
}

/// bob waits for deletion until 2025-08-18 10:02; the snapshot is of June.
fn bob_waiting(demo: bool) -> App {
    let snapshot = Snapshot {
        users: vec![ui_support::bob()],
        taken_at: at("2025-06-01T12:00:00Z"),
    };
    let mut header = ui_support::header();
    header.demo = demo;
    App::new(header, snapshot)
}

#[test]
fn in_the_demo_the_jump_key_moves_the_clock_just_past_the_wait() {
    let mut app = bob_waiting(true);
    assert!(draw(&app, 80, 24).contains("> skip"));
    let effects = tap(&mut app, &[KeyCode::Char('>')]);
    assert_eq!(effects.len(), 1, "{effects:?}");
    let due = at("2025-08-18T10:02:00Z");
    let expected = (due - at("2025-06-01T12:00:00Z")).num_seconds() + 60;
    assert_eq!(effects[0].request, Request::JumpClock { seconds: expected });
    both("demo_jump_offered", &bob_waiting(true));

    // From the rotation screen too, for the user shown.
    let mut app = bob_waiting(true);
    tap(&mut app, &[KeyCode::Enter]);
    let effects = tap(&mut app, &[KeyCode::Char('>')]);
    assert_eq!(effects[0].user, "bob");

    // The help lists it in the demo.
    let mut app = bob_waiting(true);
    tap(&mut app, &[KeyCode::Char('?')]);
    assert!(draw(&app, 120, 40).contains("skip the waiting period"));
}

#[test]
fn without_a_wait_to_skip_the_demo_jump_says_so_and_is_not_offered() {
    let mut app = open(at_staging(), true);
    assert!(!draw(&app, 120, 32).contains("> skip"));
    assert!(tap(&mut app, &[KeyCode::Char('>')]).is_empty());
    assert!(draw(&app, 120, 32).contains("Nothing waits for deletion"));
}

#[test]
fn a_real_account_has_no_clock_jump_at_all() {
    let mut app = bob_waiting(false);
    assert!(!draw(&app, 120, 32).contains("> skip"));
    assert!(tap(&mut app, &[KeyCode::Char('>')]).is_empty());
    tap(&mut app, &[KeyCode::Enter]);
    assert!(tap(&mut app, &[KeyCode::Char('>')]).is_empty());
    tap(&mut app, &[KeyCode::Char('?')]);
    assert!(!draw(&app, 120, 40).contains("skip the waiting period"));

    // The key is in no context a real account's wizard consults.
    for context in Context::ALL.into_iter().filter(|c| *c != Context::Demo) {
        assert!(
            keys::binding(context, keys::Command::JumpClock).is_none(),
            "{context:?}"
        );
    }
}
