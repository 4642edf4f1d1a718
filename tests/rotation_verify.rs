//! BC-12: a new key is not usable at once. The engine checks it with STS
//! GetCallerIdentity signed with the new key, polling up to a cap, and the
//! old key may be disabled only once the new one works. The sandbox refuses
//! a key younger than its `new_key_unaccepted_for`; the waits advance the
//! one fixed clock of the test, so nothing waits for real.

mod rotation_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ramkey::clock::{Clock as _, FixedClock};
use ramkey::cloud::model::KeyStatus;
use ramkey::cloud::retry::{RetryReason, Sleeper};
use ramkey::cloud::{Retry, RetryNotice, Timeouts};
use ramkey::rotation::{
    Action, Confirmation, Engine, EngineError, KeyCheckOptions, Outcome, StepKind,
};
use ramkey::sandbox::Faults;
use ramkey::secret::Secret;
use ramkey::state::Progress;
use ramkey::state::steps::{KeyCheck, MoveStep};
use rotation_support::{MOVE_USER, MOVED_KEY, NEW_USER, World, move_script, ok, refused};

/// Far longer than any cap: "never", as far as a test's clock goes (the
/// demo caller's own key is older than this, so it still signs).
const NEVER: Duration = Duration::from_secs(3600);

/// Waits by moving the test's clock (the sandbox's too) forward.
struct ClockSleeper {
    clock: FixedClock,
    asked: Arc<Mutex<Vec<Duration>>>,
}

impl Sleeper for ClockSleeper {
    fn sleep(&self, wait: Duration) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
        self.asked.lock().unwrap().push(wait);
        let later = self.clock.now() + chrono::Duration::from_std(wait).unwrap();
        self.clock.set(later);
        Box::pin(std::future::ready(()))
    }
}

/// An engine whose waits move the clock and whose notices are collected.
struct Watched {
    engine: Engine,
    asked: Arc<Mutex<Vec<Duration>>>,
    notices: Arc<Mutex<Vec<RetryNotice>>>,
}

fn watch(world: &World) -> Watched {
    let asked: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let notices: Arc<Mutex<Vec<RetryNotice>>> = Arc::default();
    let seen = Arc::clone(&notices);
    let observer = move |notice: &RetryNotice| seen.lock().unwrap().push(notice.clone());
    let sleeper = ClockSleeper {
        clock: world.clock.clone(),
        asked: Arc::clone(&asked),
    };
    let retry = Retry::with_sleeper(Arc::new(sleeper)).observed_by(Arc::new(observer));
    let client = world.caller_client(Timeouts::default(), retry);
    Watched {
        engine: world.engine_with(client),
        asked,
        notices,
    }
}

fn new_key_delay(world: &World, delay: Duration) {
    world.sandbox.set_faults(Faults {
        new_key_unaccepted_for: delay,
        ..Faults::none()
    });
}

/// Runs the move path up to (not including) CreateKey.
async fn up_to_create_key(engine: &mut Engine) {
    for (step, action) in move_script() {
        if step == Some(StepKind::CreateKey) {
            return;
        }
        ok(engine, MOVE_USER, action).await;
    }
}

/// Creates the new key, which is tried once so its secret comes back at
/// once, then checks it up to the cap, as the wizard does once the secret
/// is stored; returns both outcomes.
async fn create_then_verify(engine: &mut Engine) -> (Outcome, Outcome) {
    let created = ok(engine, MOVE_USER, Action::CreateKey).await;
    let verified = ok(engine, MOVE_USER, Action::VerifyKey(None)).await;
    (created, verified)
}

/// The new key's check as the state file on disk has it.
fn check_on_disk(world: &World) -> KeyCheck {
    let rotation = world.rotation_on_disk(MOVE_USER);
    let Progress::MoveToNewUser(step) = &rotation.progress else {
        panic!("not a move");
    };
    step.prepared().expect("key created").new_key.check.clone()
}

async fn confirm_swap(engine: &mut Engine) {
    for action in [
        Action::ConfirmSecretStored,
        Action::ConfirmStaging,
        Action::ConfirmProduction,
    ] {
        ok(engine, MOVE_USER, action).await;
    }
}

fn disable() -> Action {
    Action::DisableKey(Confirmation::typed(MOVE_USER))
}

#[tokio::test]
async fn a_key_refused_for_12_s_is_verified_after_several_attempts() {
    let world = World::demo().await;
    new_key_delay(&world, Duration::from_secs(12));
    let mut watched = watch(&world);
    up_to_create_key(&mut watched.engine).await;
    let created_at = world.now();

    let outcome = ok(&mut watched.engine, MOVE_USER, Action::CreateKey).await;
    assert!(
        outcome.new_key.is_some(),
        "the secret is handed back at once"
    );
    assert!(
        outcome
            .summary
            .contains("is not accepted yet (new keys take a while)"),
        "{}",
        outcome.summary
    );
    assert!(
        watched.asked.lock().unwrap().is_empty(),
        "no wait before the secret"
    );
    assert_eq!(check_on_disk(&world).attempts(), 1);
    let verified = ok(&mut watched.engine, MOVE_USER, Action::VerifyKey(None)).await;
    assert!(verified.summary.contains("works"), "{}", verified.summary);

    // Tried once at the creation, then at 0, 3, 6, 9 s (refused) and 12 s
    // (accepted): six attempts.
    let KeyCheck::Verified { at, attempts, arn } = check_on_disk(&world) else {
        panic!("{:?}", check_on_disk(&world));
    };
    assert_eq!(attempts, 6);
    assert_eq!(at, created_at + chrono::Duration::seconds(12));
    assert_eq!(arn, format!("acs:ram::5123874409316254:user/{NEW_USER}"));
    assert_eq!(
        *watched.asked.lock().unwrap(),
        [Duration::from_secs(3); 4],
        "waits between attempts"
    );
    let calls = world
        .sandbox
        .requests()
        .into_iter()
        .filter(|r| r.action == "GetCallerIdentity")
        .filter(|r| Some(r.access_key_id.as_str()) == outcome.rotation.new_key_id.as_deref())
        .count();
    assert_eq!(calls, 6, "each attempt is one call signed with the new key");

    // Each refused attempt was told the way retries are, with its progress.
    let notices = watched.notices.lock().unwrap().clone();
    assert_eq!(notices.len(), 4);
    let last = &notices[3];
    assert_eq!(last.action, "GetCallerIdentity");
    assert_eq!(last.failed_tries, 4);
    assert_eq!(last.max_tries, 41);
    let RetryReason::NewKeyNotYetAccepted { code, elapsed, cap } = &last.reason else {
        panic!("{last:?}");
    };
    assert_eq!(code, "InvalidAccessKeyId.NotFound");
    assert_eq!(*elapsed, Duration::from_secs(9));
    assert_eq!(*cap, Duration::from_secs(120));
    let text = last.to_string();
    assert_eq!(
        text,
        "new key try 5 of 41 (9 of 120 s): GetCallerIdentity refuses it with \
         InvalidAccessKeyId.NotFound, as expected at first; next try in 3 s"
    );

    // With the swap confirmed, the old key may be disabled.
    confirm_swap(&mut watched.engine).await;
    ok(&mut watched.engine, MOVE_USER, disable()).await;
    assert_eq!(
        world.key_status(MOVE_USER, MOVED_KEY),
        Some(KeyStatus::Inactive)
    );
}

#[tokio::test]
async fn a_key_refused_for_90_s_is_verified_within_the_2_minute_cap() {
    let world = World::demo().await;
    new_key_delay(&world, Duration::from_secs(90));
    let mut watched = watch(&world);
    up_to_create_key(&mut watched.engine).await;

    create_then_verify(&mut watched.engine).await;

    let check = check_on_disk(&world);
    assert!(check.is_verified(), "{check:?}");
    assert_eq!(
        check.attempts(),
        32,
        "once at the creation, then 0, 3, …, 90 s"
    );
}

#[tokio::test]
async fn past_the_cap_the_old_key_stays_active_and_a_later_check_succeeds() {
    let world = World::demo().await;
    new_key_delay(&world, NEVER);
    let mut watched = watch(&world);
    up_to_create_key(&mut watched.engine).await;

    let (created, outcome) = create_then_verify(&mut watched.engine).await;
    let new_key = created.new_key.expect("the secret is shown anyway");
    assert!(
        outcome.summary.contains("not verified yet"),
        "{}",
        outcome.summary
    );
    let KeyCheck::NotYetVerified {
        attempts,
        last_code,
        ..
    } = check_on_disk(&world)
    else {
        panic!("{:?}", check_on_disk(&world));
    };
    assert_eq!(attempts, 42, "once at the creation, then 41 up to the cap");
    assert_eq!(last_code.as_deref(), Some("InvalidAccessKeyId.NotFound"));
    let waited: Duration = watched.asked.lock().unwrap().iter().sum();
    assert_eq!(waited, Duration::from_secs(120), "the cap, not more");

    // The swap may be confirmed, but the disable is refused, plainly.
    confirm_swap(&mut watched.engine).await;
    let plan = watched.engine.plan(MOVE_USER).unwrap();
    let blocked = plan.blocked.expect("the disable is blocked");
    assert!(blocked.contains("not verified yet"), "{blocked}");
    let error = refused(&world, &mut watched.engine, MOVE_USER, disable()).await;
    assert!(
        matches!(error, EngineError::NewKeyNotVerified { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("stays Active"), "{error}");
    assert_eq!(
        world.key_status(MOVE_USER, MOVED_KEY),
        Some(KeyStatus::Active)
    );

    // Later, after a restart: the secret is gone from memory and must be pasted.
    new_key_delay(&world, Duration::ZERO);
    drop(watched);
    let mut restarted = watch(&world).engine;
    assert!(!restarted.holds_new_key_secret(MOVE_USER));
    let error = refused(&world, &mut restarted, MOVE_USER, Action::VerifyKey(None)).await;
    assert!(matches!(error, EngineError::SecretNeeded { .. }), "{error}");

    let pasted = Secret::new(format!("{}\n", new_key.secret.expose()));
    let outcome = ok(&mut restarted, MOVE_USER, Action::VerifyKey(Some(pasted))).await;
    assert!(outcome.summary.contains("works"), "{}", outcome.summary);
    let check = check_on_disk(&world);
    assert!(check.is_verified(), "{check:?}");
    assert_eq!(check.attempts(), 43, "attempts add up over checks");
    assert_eq!(restarted.next_step(MOVE_USER), Some(StepKind::DisableKey));

    ok(&mut restarted, MOVE_USER, disable()).await;
    assert_eq!(
        world.key_status(MOVE_USER, MOVED_KEY),
        Some(KeyStatus::Inactive)
    );
}

#[tokio::test]
async fn in_the_same_process_a_check_is_retried_with_the_secret_held_in_memory() {
    let world = World::demo().await;
    new_key_delay(&world, NEVER);
    let mut watched = watch(&world);
    up_to_create_key(&mut watched.engine).await;
    ok(&mut watched.engine, MOVE_USER, Action::CreateKey).await;
    assert!(watched.engine.holds_new_key_secret(MOVE_USER));

    new_key_delay(&world, Duration::ZERO);
    ok(&mut watched.engine, MOVE_USER, Action::VerifyKey(None)).await;
    assert!(check_on_disk(&world).is_verified());
    assert!(
        !watched.engine.holds_new_key_secret(MOVE_USER),
        "the secret is dropped once the key works"
    );
}

/// A wrong secret pasted while the key was not accepted yet (so the
/// service could not tell it was wrong) is held for the next check; once
/// the key is accepted that check finds it wrong, and it is forgotten, so
/// the next check asks for the secret again instead of failing the same way.
#[tokio::test]
async fn a_wrong_secret_held_from_a_paste_is_forgotten_once_found_wrong() {
    let world = World::demo().await;
    new_key_delay(&world, NEVER);
    let mut watched = watch(&world);
    up_to_create_key(&mut watched.engine).await;
    ok(&mut watched.engine, MOVE_USER, Action::CreateKey).await;
    drop(watched);

    let mut restarted = watch(&world).engine;
    let wrong = Secret::new("testsecret");
    ok(&mut restarted, MOVE_USER, Action::VerifyKey(Some(wrong))).await;
    assert!(
        restarted.holds_new_key_secret(MOVE_USER),
        "held: not judged yet"
    );

    new_key_delay(&world, Duration::ZERO);
    let error = refused(&world, &mut restarted, MOVE_USER, Action::VerifyKey(None)).await;
    assert!(matches!(error, EngineError::WrongSecret { .. }), "{error}");
    assert!(
        !restarted.holds_new_key_secret(MOVE_USER),
        "forgotten once wrong"
    );
    let error = refused(&world, &mut restarted, MOVE_USER, Action::VerifyKey(None)).await;
    assert!(matches!(error, EngineError::SecretNeeded { .. }), "{error}");
}

#[tokio::test]
async fn a_wrong_pasted_secret_is_refused_plainly_and_nothing_is_recorded() {
    let world = World::demo().await;
    new_key_delay(&world, NEVER);
    let mut watched = watch(&world);
    up_to_create_key(&mut watched.engine).await;
    ok(&mut watched.engine, MOVE_USER, Action::CreateKey).await;
    new_key_delay(&world, Duration::ZERO);
    drop(watched);

    let mut restarted = watch(&world).engine;
    for (pasted, says) in [
        ("not-the-secret", "does not belong to this key"),
        ("  \n", "nothing was pasted"),
    ] {
        let action = Action::VerifyKey(Some(Secret::new(pasted)));
        let error = refused(&world, &mut restarted, MOVE_USER, action).await;
        assert!(matches!(error, EngineError::WrongSecret { .. }), "{error}");
        let text = error.to_string();
        assert!(text.contains(says), "{text}");
        assert!(!text.contains("not-the-secret"), "{text}");
    }
    assert!(!check_on_disk(&world).is_verified());
}

#[tokio::test]
async fn a_rotation_recorded_before_keys_were_checked_must_verify_before_the_disable() {
    let world = World::demo().await;
    let mut engine = world.engine();
    up_to_create_key(&mut engine).await;
    let outcome = ok(&mut engine, MOVE_USER, Action::CreateKey).await;
    let secret = outcome.new_key.unwrap().secret;
    confirm_swap(&mut engine).await;
    drop(engine);

    // As a file written before this check existed: no check on the key.
    let mut store =
        ramkey::state::StateStore::open(&world.state, rotation_support::ACCOUNT).unwrap();
    let rotation = store.document_mut().open_rotation_mut(MOVE_USER).unwrap();
    let Progress::MoveToNewUser(step) = &mut rotation.progress else {
        panic!("not a move");
    };
    let MoveStep::DisableKey { prepared, .. } = &mut **step else {
        panic!("{step:?}");
    };
    prepared.new_key.check = KeyCheck::NotChecked;
    store.save().unwrap();
    drop(store);

    let mut engine = world.engine();
    let blocked = engine.plan(MOVE_USER).unwrap().blocked.unwrap();
    assert!(blocked.contains("never checked"), "{blocked}");
    refused(&world, &mut engine, MOVE_USER, disable()).await;
    ok(&mut engine, MOVE_USER, Action::VerifyKey(Some(secret))).await;
    ok(&mut engine, MOVE_USER, disable()).await;
}

#[tokio::test]
async fn a_check_fits_only_between_the_key_creation_and_the_disable() {
    let world = World::demo().await;
    let mut engine = world.engine();
    up_to_create_key(&mut engine).await;
    let error = refused(&world, &mut engine, MOVE_USER, Action::VerifyKey(None)).await;
    assert!(matches!(error, EngineError::WrongStep { .. }), "{error}");
}

#[tokio::test]
async fn a_custom_interval_and_cap_are_kept() {
    let world = World::demo().await;
    new_key_delay(&world, NEVER);
    let watched = watch(&world);
    let mut engine = watched.engine.with_key_check(KeyCheckOptions {
        interval: Duration::from_secs(5),
        cap: Duration::from_secs(12),
    });
    up_to_create_key(&mut engine).await;
    create_then_verify(&mut engine).await;
    assert_eq!(
        *watched.asked.lock().unwrap(),
        [
            Duration::from_secs(5),
            Duration::from_secs(5),
            Duration::from_secs(2)
        ]
    );
    assert_eq!(check_on_disk(&world).attempts(), 5);
}
