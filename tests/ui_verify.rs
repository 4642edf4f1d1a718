//! The wizard around the new key's check (BC-12): the polling on the status
//! line, the "not yet verified" state with `v` to try again (the secret
//! pasted into a masked field when ramkey no longer holds it), and the old
//! key's last use shown before the disable, unknown said as such.

mod ui_support;

use std::time::Duration;

use crossterm::event::KeyCode;
use ramkey::cloud::RetryNotice;
use ramkey::cloud::retry::RetryReason;
use ramkey::ui::App;
use ramkey::ui::app::Msg;
use ramkey::ui::flow::{self, Dialog};
use ramkey::ui::view::{
    ErrorView, NewKeyCheck, NewKeyView, Offer, Performed, Request, Snapshot, StepKind, StepStatus,
    UserView,
};
use ui_support::{at, draw, tap, type_text};

const NEW_KEY: &str = "LTAI5tZhangNew000000003";

/// ops-zhangsan with every step before the disable done and the new key
/// checked as `check`.
fn at_disable(check: NewKeyCheck, secret_held: bool) -> UserView {
    let mut user = ui_support::zhangsan();
    let rotation = user.rotation.as_mut().unwrap();
    for step in &mut rotation.steps {
        if matches!(step.kind, StepKind::DisableKey { .. }) {
            break;
        }
        step.status = StepStatus::Done {
            at: at("2025-06-01T09:05:00Z"),
            request_id: None,
        };
    }
    if !matches!(check, NewKeyCheck::Verified { .. }) {
        rotation.blocked = Some(format!(
            "the new key {NEW_KEY} is not verified yet (it was still refused after 41 \
             attempts); verify it before the old key can be disabled"
        ));
    }
    rotation.new_key = Some(NewKeyView {
        key_id: NEW_KEY.to_owned(),
        check,
        secret_held,
    });
    user
}

fn not_yet() -> NewKeyCheck {
    NewKeyCheck::NotYetVerified {
        attempts: 41,
        last_tried: at("2025-06-01T09:03:00Z"),
    }
}

/// The rotation screen of `user`, opened from the list.
fn open(user: UserView) -> App {
    let snapshot = Snapshot {
        users: vec![user],
        taken_at: at("2025-06-01T12:00:00Z"),
    };
    let mut app = App::new(ui_support::header(), snapshot);
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    app
}

fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x32"), draw(app, 120, 32));
}

#[test]
fn a_key_not_yet_verified_blocks_the_disable_and_says_how_to_try_again() {
    let mut app = open(at_disable(not_yet(), false));
    both("verify_not_yet", &app);

    // Enter on the disable is refused with the reason, nothing starts.
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    assert!(app.dialog.is_none());
}

#[test]
fn v_asks_for_the_secret_in_a_masked_field_when_ramkey_no_longer_holds_it() {
    let mut app = open(at_disable(not_yet(), false));
    assert!(tap(&mut app, &[KeyCode::Char('v')]).is_empty());
    assert!(matches!(
        app.dialog.as_ref().map(|open| &open.dialog),
        Some(Dialog::PasteSecret(_))
    ));
    both("verify_paste_empty", &app);

    // Enter on an empty field stays, with the reason.
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    assert!(app.dialog.is_some());

    // A paste (its line break dropped) never submits; the field shows dots.
    app.update(Msg::Paste("wJalrXUtnFEMI0K7MDENG\n".to_owned()));
    let screen = draw(&app, 120, 32);
    assert!(!screen.contains("wJalrXUtn"), "{screen}");
    assert!(
        !format!("{:?}", app.dialog).contains("wJalrXUtn"),
        "the secret reached Debug"
    );
    both("verify_paste_masked", &app);

    // Enter asks first (BC-16): a line break a paste brought must not check
    // the key, so Enter does not answer the question; only `y` does.
    assert!(tap(&mut app, &[KeyCode::Enter]).is_empty());
    assert!(matches!(
        app.dialog.as_ref().map(|open| &open.dialog),
        Some(Dialog::Ask(..))
    ));
    let screen = draw(&app, 120, 32);
    assert!(
        screen.contains("Check the new key with this secret (21 characters)? [y/n]"),
        "{screen}"
    );
    assert!(!screen.contains("wJalrXUtn"), "{screen}");
    assert!(!format!("{:?}", app.dialog).contains("wJalrXUtn"));
    both("verify_paste_confirm", &app);
    assert!(tap(&mut app, &[KeyCode::Enter, KeyCode::Enter]).is_empty());
    assert!(app.dialog.is_some(), "Enter does not answer");

    let effects = tap(&mut app, &[KeyCode::Char('y')]);
    let [effect] = &effects[..] else {
        panic!("{effects:?}");
    };
    let Request::VerifyKey {
        secret: Some(secret),
    } = &effect.request
    else {
        panic!("{effect:?}");
    };
    assert_eq!(secret.expose(), "wJalrXUtnFEMI0K7MDENG");
    assert_eq!(effect.user, "ops-zhangsan");
}

#[test]
fn v_checks_at_once_when_ramkey_still_holds_the_secret_and_shows_the_polling() {
    let mut app = open(at_disable(not_yet(), true));
    let effects = tap(&mut app, &[KeyCode::Char('v')]);
    assert_eq!(effects.len(), 1, "{effects:?}");
    assert_eq!(effects[0].request, Request::VerifyKey { secret: None });

    app.update(Msg::Retrying(RetryNotice {
        action: "GetCallerIdentity",
        user: Some("ops-zhangsan-v2".to_owned()),
        reason: RetryReason::NewKeyNotYetAccepted {
            code: "InvalidAccessKeyId.NotFound".to_owned(),
            elapsed: Duration::from_secs(9),
            cap: Duration::from_secs(120),
        },
        failed_tries: 4,
        max_tries: 41,
        wait: Duration::from_secs(3),
    }));
    let screen = draw(&app, 120, 32);
    assert!(
        screen.contains("new key try 5 of 41 (9 of 120 s)"),
        "{screen}"
    );
    both("verify_polling", &app);

    // The outcome replaces the progress.
    let verified = at_disable(
        NewKeyCheck::Verified {
            at: at("2025-06-01T12:00:12Z"),
            attempts: 46,
        },
        false,
    );
    app.update(Msg::Performed(Ok(Performed {
        snapshot: Snapshot {
            users: vec![verified],
            taken_at: at("2025-06-01T12:00:12Z"),
        },
        notice: format!("{NEW_KEY} works: it signed a read as ops-zhangsan-v2 (attempt 5)"),
        new_secret: None,
    })));
    both("verify_done", &app);
}

#[test]
fn v_says_why_when_there_is_nothing_to_verify() {
    let verified = NewKeyCheck::Verified {
        at: at("2025-06-01T09:04:00Z"),
        attempts: 1,
    };
    let mut app = open(at_disable(verified, false));
    assert!(tap(&mut app, &[KeyCode::Char('v')]).is_empty());
    assert!(app.dialog.is_none());
    let screen = draw(&app, 120, 32);
    assert!(screen.contains("verified already"), "{screen}");

    let mut app = open(ui_support::bob());
    assert!(tap(&mut app, &[KeyCode::Char('v')]).is_empty());
    assert!(draw(&app, 120, 32).contains("Nothing to verify"));
}

#[test]
fn the_disable_shows_the_old_key_last_use_and_unknown_is_never_safe() {
    let verified = NewKeyCheck::Verified {
        at: at("2025-06-01T09:04:00Z"),
        attempts: 5,
    };
    let mut user = at_disable(verified, false);
    let snapshot = Snapshot {
        users: vec![user.clone()],
        taken_at: at("2025-06-01T12:00:00Z"),
    };
    let old_key = StepKind::DisableKey {
        key_id: "LTAI5tZhangBusy00000001".to_owned(),
    };
    let Ok(Dialog::Confirm(confirm, _)) = flow::open_step(&user, &old_key, &snapshot) else {
        panic!("the disable opens a typed confirmation");
    };
    let body = confirm.body.join(" ");
    assert!(body.contains("2025-05-31 23:59 UTC"), "{body}");
    assert!(
        body.contains(&format!("The new key {NEW_KEY} works")),
        "{body}"
    );

    user.keys[0].last_used = None;
    let mut app = open(user);
    tap(&mut app, &[KeyCode::Enter]);
    let screen = draw(&app, 120, 32);
    assert!(screen.contains("unknown"), "{screen}");
    both("verify_disable_last_use_unknown", &app);
    type_text(&mut app, "ops");
}

/// A check that finds the secret wrong (or none held) opens the masked
/// field again, with the reason first, instead of an error `v` would only
/// repeat.
#[test]
fn a_secret_found_wrong_opens_the_field_again_with_the_reason() {
    let mut app = open(at_disable(not_yet(), true));
    let effects = tap(&mut app, &[KeyCode::Char('v')]);
    assert_eq!(effects[0].request, Request::VerifyKey { secret: None });
    let why = format!(
        "the secret does not belong to this key; nothing was recorded. Paste the secret of \
         {NEW_KEY} exactly as stored"
    );
    app.update(Msg::Performed(Err(ErrorView {
        doing: "Verifying the new key: not done.".to_owned(),
        code: None,
        message: why,
        request_id: None,
        hint: None,
        offer: Some(Box::new(Offer::PasteSecret {
            key_id: NEW_KEY.to_owned(),
        })),
        drift: None,
    })));
    assert!(
        matches!(
            app.dialog.as_ref().map(|open| &open.dialog),
            Some(Dialog::PasteSecret(_))
        ),
        "{:?}",
        app.dialog
    );
    let screen = draw(&app, 120, 32);
    assert!(
        screen.contains("the secret does not belong to this key"),
        "{screen}"
    );
    assert!(screen.contains("again, exactly as stored"), "{screen}");
    both("verify_paste_again", &app);
}
