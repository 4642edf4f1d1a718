//! A key not judged idle is disabled only on the admin's typed statement
//! (the whole key id and a reason), which the engine checks itself, keeps
//! with the rotation and writes to the audit log; never for ramkey's own key.

mod rotation_support;

use ramkey::cloud::model::KeyStatus;
use ramkey::rotation::{Action, Confirmation, EngineError, Start};
use ramkey::sandbox::Account;
use rotation_support::{MOVE_USER, MOVED_KEY, World, ok, refused};

fn override_with(statement: &str) -> Action {
    Action::Start(Start::DisableOverride {
        key_id: MOVED_KEY.to_owned(),
        statement: statement.to_owned(),
    })
}

#[tokio::test]
async fn a_key_in_use_is_disabled_only_on_a_stated_reason_which_is_audited() {
    let world = World::demo().await;
    let mut engine = world.engine();

    let plain = Action::Start(Start::DisableIdle {
        key_id: MOVED_KEY.to_owned(),
    });
    let error = refused(&world, &mut engine, MOVE_USER, plain).await;
    assert!(matches!(error, EngineError::KeyNotIdle { .. }), "{error}");

    let reads_before = world.requests_for("GetUser");
    let short = format!("{MOVED_KEY} unused");
    for typed in [
        "",
        "y",
        MOVED_KEY,
        short.as_str(),
        "I know this key is unused now",
    ] {
        let error = refused(&world, &mut engine, MOVE_USER, override_with(typed)).await;
        assert!(
            matches!(error, EngineError::Override(_)),
            "{typed:?}: {error}"
        );
    }
    assert_eq!(
        world.requests_for("GetUser"),
        reads_before,
        "refused before any call"
    );

    let statement = format!("I know {MOVED_KEY} is unused: the Jenkins job moved to STS");
    let started = ok(&mut engine, MOVE_USER, override_with(&statement)).await;
    assert!(started.summary.contains(&statement), "{}", started.summary);
    assert!(started.summary.contains("in_use"), "{}", started.summary);
    let on_disk = world.rotation_on_disk(MOVE_USER);
    let word = on_disk.not_idle_override.expect("the override is kept");
    assert_eq!(word.statement, statement);
    assert_eq!(word.verdict, "in_use");

    ok(&mut engine, MOVE_USER, Action::ConfirmReview).await;
    ok(
        &mut engine,
        MOVE_USER,
        Action::DisableKey(Confirmation::typed(MOVE_USER)),
    )
    .await;
    assert_eq!(
        world.key_status(MOVE_USER, MOVED_KEY),
        Some(KeyStatus::Inactive)
    );

    let audit = world.audit_lines();
    let said = |action: &str| {
        audit
            .iter()
            .find(|line| line.action == action)
            .and_then(|line| line.detail.clone())
            .unwrap_or_default()
    };
    assert!(said("start_override").contains(&statement), "{audit:?}");
    assert!(said("disable_key").contains(&statement), "{audit:?}");
}

#[tokio::test]
async fn ramkeys_own_key_cannot_be_overridden() {
    let mut account = Account::demo();
    MOVED_KEY.clone_into(&mut account.caller_access_key_id);
    let admin = account.user("ramkey-admin").unwrap().policies.clone();
    account.user_mut(MOVE_USER).unwrap().policies.extend(admin);
    let world = World::with_account(account).await;
    let mut engine = world.engine();

    let statement = format!("I know {MOVED_KEY} is unused: the Jenkins job moved to STS");
    let error = refused(&world, &mut engine, MOVE_USER, override_with(&statement)).await;
    assert!(matches!(error, EngineError::OwnKey { .. }), "{error}");
    assert!(world.audit_lines().is_empty());
}
