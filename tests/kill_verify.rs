//! BC-12 across processes: the headless driver (`examples/kill_matrix_driver.rs`)
//! against `ramkey sandbox --new-key-delay 3600`, a new key the sandbox
//! refuses for longer than any check. With the check capped at 0 s (one
//! attempt, no waiting), the rotation goes up to the disable, which is
//! refused: the old key stays Active and the state file says "not yet
//! verified". A later process that never saw the secret checks again with
//! the secret pasted (`--new-key-secret`), and is refused the same way.

#[path = "support/kill_world.rs"]
mod kill_world;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;

use kill_world::{CaseUser, Cloud, Driver, PathKind, account, start_sandbox};
use ramkey::cloud::model::KeyStatus;
use ramkey::state::Progress;
use ramkey::state::steps::KeyCheck;

/// The new key's check as the driver's state file has it.
fn check_on_disk(driver: &Driver) -> KeyCheck {
    let document = ramkey::state::read_document(&driver.state).expect("state file reads");
    let rotation = document
        .latest_rotation(&driver.user.name)
        .expect("a rotation");
    let Progress::MoveToNewUser(step) = &rotation.progress else {
        panic!("not a move");
    };
    step.prepared().expect("key created").new_key.check.clone()
}

#[test]
fn a_key_never_accepted_keeps_the_old_key_active_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(
        dir.path(),
        &account(PathKind::Move, 1),
        &["--new-key-delay", "3600"],
    );
    let user = CaseUser::new(PathKind::Move, 0);
    let retired = user.retired_key.clone();
    let driver = Driver::new(&sandbox, user).with_args(&["--key-check-cap".into(), "0".into()]);

    let first = driver.run(0, None);
    assert!(!first.status.success(), "{}", first.describe());
    assert!(
        first.stdout.contains("not verified: "),
        "{}",
        first.describe()
    );
    assert!(
        first.stderr.contains("not verified yet"),
        "{}",
        first.describe()
    );
    let (_, secret) = first.new_key().expect("the secret was shown anyway");
    let KeyCheck::NotYetVerified { attempts, .. } = check_on_disk(&driver) else {
        panic!("{:?}", check_on_disk(&driver));
    };
    assert_eq!(
        attempts, 2,
        "one at the creation, one when the disable asked"
    );

    let cloud = Cloud::new(&sandbox);
    let keys = cloud.user(&driver.user.name).unwrap().keys;
    assert!(
        keys.contains(&(retired.clone(), KeyStatus::Active)),
        "{keys:?}"
    );

    // A restarted ramkey never saw the secret: the admin pastes it.
    let pasting = driver.with_args(&["--new-key-secret".into(), secret]);
    let second = pasting.run(0, None);
    assert!(!second.status.success(), "{}", second.describe());
    assert!(
        second.stdout.contains("not verified: "),
        "{}",
        second.describe()
    );
    assert_eq!(check_on_disk(&pasting).attempts(), 3);
    let keys = cloud.user(&pasting.user.name).unwrap().keys;
    assert!(keys.contains(&(retired, KeyStatus::Active)), "{keys:?}");
}
