//! The kill matrix (issue 4, "Done when"): for every write step of both
//! paths, ramkey's engine (the headless driver, `examples/kill_matrix_driver.rs`)
//! is SIGKILLed by its own test-only death point just before and just after
//! the call, against `ramkey sandbox` running in its own process; it is then
//! started again until the rotation is complete. Every case must end with
//! the account as an uninterrupted run leaves it, exactly one new user with
//! exactly one Active key, the old key deleted, and no write made twice (the
//! sandbox's request log and ramkey's audit log), except the documented
//! replacement of a key whose secret died with the killed process.
//!
//! Each matrix runs again with the sandbox resetting the connection after
//! acting on the first try of every write (`--reset-after once@...`): each
//! answer is lost, so the engine must settle every write by reading.
//!
//! One sandbox per matrix; each case has its own user (`mv-07`, `idle-03`)
//! and state file, and cases run one after another so the sandbox's log can
//! be cut per case. Case 0 is the uninterrupted reference run.
//!
//! One case goes through the real wizard under a pty: killed just after
//! CreateAccessKey, started again, it shows the key it has no secret for,
//! offers to replace it, and the rotation goes on; its trace log and state
//! hold no secret.

#[path = "support/kill_world.rs"]
mod kill_world;
#[path = "support/pty.rs"]
mod pty;
#[path = "support/sandbox_process.rs"]
mod sandbox_process;
#[path = "support/wizard_steps.rs"]
mod wizard_steps;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use kill_world::{
    CaseUser, Cloud, DAYS_LATER, Driver, DriverRun, PathKind, UserState, account, audit_entries,
    audited_writes, files_holding, log_since, normalise, start_sandbox, writes_acted,
};
use pty::{Key, PATIENCE};
use ramkey::cloud::model::KeyStatus;
use ramkey::state::{AuditKind, AuditOutcome};
use sandbox_process::SandboxProcess;

/// `--reset-after` for the second matrix: every write's first try is acted
/// on and its answer lost; a try again of the same call (the key created
/// afresh after the lost one is deleted) is answered.
const RESET_EVERY_WRITE: &str = "once@CreateUser,AttachPolicyToUser,AddUserToGroup,\
CreateAccessKey,UpdateAccessKey,DeleteAccessKey,DetachPolicyFromUser";

/// Before or after the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Before,
    After,
}

/// Which run of the driver is killed: the first (the steps up to the wait)
/// or the one after the 90 days (delete, detach).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    First,
    AfterWait,
}

/// One death point: the `nth` call of `action` in the killed process.
#[derive(Debug, Clone, Copy)]
struct Point {
    action: &'static str,
    nth: usize,
    phase: Phase,
}

impl Point {
    const fn new(action: &'static str, nth: usize, phase: Phase) -> Self {
        Self { action, nth, phase }
    }

    fn die_at(self, stage: Stage) -> String {
        let stage = match stage {
            Stage::Before => "before",
            Stage::After => "after",
        };
        match self.nth {
            1 => format!("{stage}:{}", self.action),
            n => format!("{stage}:{}#{n}", self.action),
        }
    }
}

const IDLE_POINTS: [Point; 2] = [
    Point::new("UpdateAccessKey", 1, Phase::First),
    Point::new("DeleteAccessKey", 1, Phase::AfterWait),
];

const MOVE_POINTS: [Point; 8] = [
    Point::new("CreateUser", 1, Phase::First),
    Point::new("AttachPolicyToUser", 1, Phase::First),
    Point::new("AttachPolicyToUser", 2, Phase::First),
    Point::new("AddUserToGroup", 1, Phase::First),
    Point::new("CreateAccessKey", 1, Phase::First),
    Point::new("UpdateAccessKey", 1, Phase::First),
    Point::new("DeleteAccessKey", 1, Phase::AfterWait),
    Point::new("DetachPolicyFromUser", 1, Phase::AfterWait),
];

#[test]
fn idle_path_killed_before_and_after_every_write() {
    run_matrix(PathKind::Idle, &IDLE_POINTS, &[]);
}

#[test]
fn move_path_killed_before_and_after_every_write() {
    run_matrix(PathKind::Move, &MOVE_POINTS, &[]);
}

#[test]
fn idle_path_killed_around_every_write_whose_answer_is_lost() {
    run_matrix(
        PathKind::Idle,
        &IDLE_POINTS,
        &["--reset-after", RESET_EVERY_WRITE],
    );
}

#[test]
fn move_path_killed_around_every_write_whose_answer_is_lost() {
    run_matrix(
        PathKind::Move,
        &MOVE_POINTS,
        &["--reset-after", RESET_EVERY_WRITE],
    );
}

#[test]
fn move_path_killed_again_and_again_while_replacing_a_lost_key() {
    // The key's answer dies; the next run dies right after deleting that
    // lost key; the one after dies right after creating the replacement,
    // whose answer dies too; the fourth run replaces that one as well.
    let kills = [
        (Point::new("CreateAccessKey", 1, Phase::First), Stage::After),
        (Point::new("DeleteAccessKey", 1, Phase::First), Stage::After),
        (Point::new("CreateAccessKey", 1, Phase::First), Stage::After),
        (
            Point::new("DeleteAccessKey", 1, Phase::First),
            Stage::Before,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(dir.path(), &account(PathKind::Move, 2), &[]);
    let cloud = Cloud::new(&sandbox);
    let world = World {
        sandbox: &sandbox,
        cloud: &cloud,
        answers_lost: false,
    };
    let reference = world.reference(CaseUser::new(PathKind::Move, 0));
    world.killed_case(&reference, CaseUser::new(PathKind::Move, 1), &kills);
}

#[test]
fn the_wizard_killed_after_creating_the_key_offers_to_replace_it_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(dir.path(), &account(PathKind::Move, 1), &[]);
    let cloud = Cloud::new(&sandbox);
    let user = CaseUser::new(PathKind::Move, 0);
    let new_user = user
        .new_user
        .clone()
        .expect("a move case names its new user");
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state.json");
    let log = home.path().join("ramkey.log");
    let log_text = log.display().to_string();
    let args = ["--log-file", &log_text, "--log-level", "trace"];

    // First run: dies right after CreateAccessKey, before the secret is shown.
    let mut wizard = wizard_steps::start_wizard(
        &sandbox,
        home.path(),
        &state,
        &args,
        &[("RAMKEY_TEST_DIE_AT", "after:CreateAccessKey")],
    );
    wizard_steps::open_user(&wizard, &user.name);
    let moved_key = wizard_steps::start_move(&wizard);
    wizard_steps::create_user_and_copy(&wizard, &new_user);
    wizard_steps::ask_for_the_key(&wizard);
    let status = wizard.wait_exit_status(PATIENCE);
    assert_eq!(
        status.signal(),
        Some("Killed"),
        "the wizard was not killed at after:CreateAccessKey ({status:?})\n{}",
        wizard.report()
    );
    drop(wizard);
    ramkey::state::read_document(&state).expect("the state file left by the kill parses");
    let keys = cloud.user(&new_user).expect("the new user exists").keys;
    assert_eq!(
        keys.len(),
        1,
        "one key was created before the kill: {keys:?}"
    );
    let lost_key = keys[0].0.clone();

    // Second run: before anything else, the wizard says what it settled of the
    // write in flight (by reading: the key is there, its secret is not).
    let mut wizard = wizard_steps::start_wizard(&sandbox, home.path(), &state, &args, &[]);
    wizard.wait_for("Settled from an earlier run", PATIENCE);
    wizard.wait_until("the settled key named", PATIENCE, |screen| {
        let text = screen.split_whitespace().collect::<Vec<_>>().join(" ");
        text.contains(&format!(
            "CreateAccessKey of an earlier run made {lost_key}"
        )) && text.contains("but its secret was lost")
    });
    wizard.press(Key::Esc);
    wizard.wait_gone("Settled from an earlier run", PATIENCE);
    // Then the key without a secret is shown as drift (the step's keys act
    // once the panel is on screen), and replaced.
    wizard_steps::open_user(&wizard, &user.name);
    wizard.wait_for_all(&["which this rotation created", &lost_key], PATIENCE);
    let offer = "The new key's secret is lost";
    wizard.wait_until("the key step or the offer", PATIENCE, |screen| {
        screen.contains("Step 4 of 11: Create the new AccessKey") || screen.contains(offer)
    });
    if !wizard.screen().contains(offer) {
        wizard_steps::ask_for_the_key(&wizard);
    }
    wizard.wait_for_all(&[offer, &lost_key], PATIENCE);
    wizard.press(Key::Char('y'));
    wizard.wait_for(
        &format!("Type the user name {new_user} to confirm"),
        PATIENCE,
    );
    wizard_steps::type_name(&wizard, &new_user);
    wizard.press(Key::Enter);
    let (new_key, new_secret) = wizard_steps::take_the_secret(&wizard);
    wizard_steps::confirm_swaps(&wizard);
    wizard_steps::disable_old_key(&wizard, &user.name);
    wizard_steps::quit(&mut wizard);

    let new_state = cloud.user(&new_user).expect("the new user");
    assert_eq!(
        new_state.keys,
        vec![(new_key.clone(), KeyStatus::Active)],
        "the lost key {lost_key} is replaced by the one shown"
    );
    assert_ne!(new_key, lost_key);
    let original = cloud.user(&user.name).expect("the original user");
    assert!(
        original
            .keys
            .contains(&(moved_key.clone(), KeyStatus::Inactive)),
        "{original:?}"
    );
    assert_eq!(
        original
            .keys
            .iter()
            .filter(|(_, status)| *status == KeyStatus::Active)
            .count(),
        1,
        "{original:?}"
    );
    assert_eq!(
        cloud
            .user_names()
            .iter()
            .filter(|name| name.starts_with(&user.name))
            .count(),
        2
    );

    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("TRACE"),
        "the wizard's log is not at trace level"
    );
    for (what, secret) in [
        ("caller's secret", sandbox.secret()),
        ("new secret", &new_secret),
    ] {
        let holding = files_holding(home.path(), secret);
        assert!(holding.is_empty(), "the {what} is on disk in {holding:?}");
    }
}

/// The reference run, then every point before and after; fails listing
/// every case that failed, not only the first.
fn run_matrix(path: PathKind, points: &[Point], faults: &[&str]) {
    let cases: Vec<(Point, Stage)> = points
        .iter()
        .flat_map(|&point| [(point, Stage::Before), (point, Stage::After)])
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_sandbox(dir.path(), &account(path, cases.len() + 1), faults);
    let cloud = Cloud::new(&sandbox);
    let world = World {
        sandbox: &sandbox,
        cloud: &cloud,
        answers_lost: !faults.is_empty(),
    };

    let reference = world.reference(CaseUser::new(path, 0));
    let mut failures = Vec::new();
    for (n, (point, stage)) in cases.into_iter().enumerate() {
        let user = CaseUser::new(path, n + 1);
        let die_at = point.die_at(stage);
        let result = catch_unwind(AssertUnwindSafe(|| {
            world.killed_case(&reference, user, &[(point, stage)]);
        }));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(format!("{die_at}: {message}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} kill cases failed{}:\n\n{}",
        failures.len(),
        points.len() * 2,
        if faults.is_empty() {
            String::new()
        } else {
            format!(" (sandbox {})", faults.join(" "))
        },
        failures.join("\n\n")
    );
}

struct World<'a> {
    sandbox: &'a SandboxProcess,
    cloud: &'a Cloud,
    /// Whether the sandbox loses the answer to each write's first try.
    answers_lost: bool,
}

/// What one case's rotation left, with its own names replaced by
/// placeholders so that cases compare.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EndState {
    /// Users the case created (normalised names).
    created_users: Vec<String>,
    original: UserState,
    new_user: Option<UserState>,
    /// Successful writes by action, from the sandbox's log, without the
    /// lost-key replacements.
    acted: BTreeMap<String, usize>,
    /// Successful writes by (action, target), from the audit log, without
    /// the lost-key replacements.
    audited: BTreeMap<(String, String), usize>,
}

/// A case's runs, in order, and the keys met without a secret.
struct Runs {
    runs: Vec<DriverRun>,
}

impl Runs {
    fn lost_keys(&self) -> Vec<String> {
        let mut lost: Vec<String> = self.runs.iter().flat_map(DriverRun::lost_keys).collect();
        lost.sort();
        lost.dedup();
        lost
    }

    fn new_key(&self) -> Option<(String, String)> {
        self.runs.iter().filter_map(DriverRun::new_key).next_back()
    }

    fn describe(&self) -> String {
        self.runs
            .iter()
            .enumerate()
            .map(|(n, run)| format!("run {}: {}", n + 1, run.describe()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl World<'_> {
    /// The uninterrupted run: first phase to the wait, then the rest.
    fn reference(&self, user: CaseUser) -> EndState {
        let before = self.cloud.user_names();
        let mark = self.sandbox.stderr_lines().len();
        let driver = Driver::new(self.sandbox, user);
        let first = driver.run(0, None);
        assert!(first.waiting(), "reference run:\n{}", first.describe());
        let second = driver.run(DAYS_LATER, None);
        assert!(second.complete(), "reference run:\n{}", second.describe());
        let runs = Runs {
            runs: vec![first, second],
        };
        let end = self.end_state(&driver, &runs, &before, mark);
        check_reference(&end, &driver.user);
        self.check_answers(&driver, &runs);
        end
    }

    /// The fault switch did what it says: without it every write was
    /// answered; with it every first try's answer was lost and the write
    /// found done by reading, and the new key was created twice (the first
    /// one's secret lost with its answer).
    fn check_answers(&self, driver: &Driver, runs: &Runs) {
        let outcomes: Vec<(String, Option<AuditOutcome>)> = audit_entries(&driver.state)
            .into_iter()
            .filter(|entry| entry.kind == AuditKind::Outcome)
            .map(|entry| (entry.action, entry.outcome))
            .collect();
        assert!(!outcomes.is_empty(), "the reference audited no outcome");
        let moved = driver.user.path == PathKind::Move;
        for (action, outcome) in &outcomes {
            let expected = if !self.answers_lost {
                AuditOutcome::Done
            } else if action == "CreateAccessKey" {
                // Only the first try is hit: the replacement is answered.
                continue;
            } else {
                AuditOutcome::FoundDone
            };
            assert_eq!(outcome, &Some(expected), "{action}: {outcomes:?}");
        }
        let lost = usize::from(self.answers_lost && moved);
        assert_eq!(runs.lost_keys().len(), lost, "{}", runs.describe());
    }

    /// Kills the driver at each of `kills` in turn (one run each), restarts
    /// it until complete, and compares with the reference.
    fn killed_case(&self, reference: &EndState, user: CaseUser, kills: &[(Point, Stage)]) {
        let before = self.cloud.user_names();
        let case_mark = self.sandbox.stderr_lines().len();
        let driver = Driver::new(self.sandbox, user);
        let mut runs = Runs { runs: Vec::new() };
        let mut waited = false;

        for &(point, stage) in kills {
            if point.phase == Phase::AfterWait && !waited {
                run_to_the_wait(&driver, &mut runs);
                waited = true;
            }
            let days = match point.phase {
                Phase::First => 0,
                Phase::AfterWait => DAYS_LATER,
            };
            let die_at = point.die_at(stage);
            let kill_mark = self.sandbox.stderr_lines().len();
            let killed = driver.run(days, Some(&die_at));
            let killed_ok = killed.killed();
            runs.runs.push(killed);
            assert!(
                killed_ok,
                "the driver was not killed by SIGKILL at {die_at}\n{}",
                runs.describe()
            );
            self.check_died_at(point, stage, kill_mark, &runs);
            if let Err(error) = ramkey::state::read_document(&driver.state) {
                panic!("the state file left by the run killed at {die_at} does not parse: {error}");
            }
        }
        if !waited {
            run_to_the_wait(&driver, &mut runs);
        }
        let last = driver.run(DAYS_LATER, None);
        let complete = last.complete();
        runs.runs.push(last);
        assert!(
            complete,
            "the restarted run did not complete the rotation\n{}",
            runs.describe()
        );

        let end = self.end_state(&driver, &runs, &before, case_mark);
        // A CreateAccessKey answer (the only place a secret ever is) that
        // died with a killed process leaves a useless key: the next run met
        // it as lost, deleted it and created another (ReplaceLostKey).
        let keys_killed = kills
            .iter()
            .filter(|(point, stage)| point.action == "CreateAccessKey" && *stage == Stage::After)
            .count();
        let lost = runs.lost_keys();
        assert!(
            lost.len() >= keys_killed,
            "{keys_killed} key(s) created by killed runs, but {} met as lost\n{}",
            lost.len(),
            runs.describe()
        );
        if let Some(new_user) = &end.new_user {
            for key in &lost {
                assert!(
                    !new_user.keys.iter().any(|(id, _)| id == key),
                    "the lost key {key} is still on the new user: {new_user:?}"
                );
            }
        }
        assert_eq!(
            &end,
            reference,
            "the account or the writes differ from the uninterrupted run \
             (left: this case, right: reference)\n{}",
            runs.describe()
        );
    }

    /// The killed run made exactly the calls before the death point.
    fn check_died_at(&self, point: Point, stage: Stage, mark: usize, runs: &Runs) {
        let acted = writes_acted(&log_since(self.sandbox, mark));
        let calls = acted.get(point.action).copied().unwrap_or(0);
        let expected = match stage {
            Stage::Before => point.nth - 1,
            Stage::After => point.nth,
        };
        assert_eq!(
            calls,
            expected,
            "the killed run made {} {calls} time(s), not {expected}: it died elsewhere\n{}",
            point.action,
            runs.describe()
        );
    }

    fn end_state(
        &self,
        driver: &Driver,
        runs: &Runs,
        users_before: &std::collections::BTreeSet<String>,
        mark: usize,
    ) -> EndState {
        let user = &driver.user;
        let rotation_id = rotation_id(driver);
        let lost = runs.lost_keys();
        let mut names: Vec<(String, String)> = Vec::new();
        if let Some((key, _)) = runs.new_key() {
            names.push((key, "<new key>".to_owned()));
        }
        names.extend(
            lost.iter()
                .map(|key| (key.clone(), "<lost key>".to_owned())),
        );
        names.push((rotation_id, "<rotation>".to_owned()));
        names.push((user.retired_key.clone(), "<retired key>".to_owned()));
        names.push((user.staying_key.clone(), "<staying key>".to_owned()));
        if let Some(new_user) = &user.new_user {
            names.push((new_user.clone(), "<new user>".to_owned()));
        }
        names.push((user.name.clone(), "<user>".to_owned()));
        let norm = |text: &str| normalise(text, &names);
        let norm_user = |state: UserState| UserState {
            comments: norm(&state.comments),
            keys: state
                .keys
                .into_iter()
                .map(|(id, status)| (norm(&id), status))
                .collect(),
            grants: state.grants,
        };

        let created_users: Vec<String> = self
            .cloud
            .user_names()
            .difference(users_before)
            .map(|name| norm(name))
            .collect();
        let original = norm_user(self.cloud.user(&user.name).expect("the original user"));
        let new_user = user
            .new_user
            .as_ref()
            .and_then(|name| self.cloud.user(name))
            .map(norm_user);

        let mut acted = writes_acted(&log_since(self.sandbox, mark));
        let mut audited: BTreeMap<(String, String), usize> =
            audited_writes(&audit_entries(&driver.state))
                .into_iter()
                .map(|((action, target), count)| ((action, norm(&target)), count))
                .fold(BTreeMap::new(), |mut all, (key, count)| {
                    *all.entry(key).or_insert(0) += count;
                    all
                });
        // The documented exception: each lost key was deleted once, and the
        // new user's key created once more.
        for _ in &lost {
            take(&mut acted, "CreateAccessKey");
            take(&mut acted, "DeleteAccessKey");
            take(
                &mut audited,
                ("CreateAccessKey".to_owned(), "user <new user>".to_owned()),
            );
        }
        if !lost.is_empty() {
            take_all(
                &mut audited,
                &(
                    "DeleteAccessKey".to_owned(),
                    "key <lost key> of <new user>".to_owned(),
                ),
                lost.len(),
            );
        }
        EndState {
            created_users,
            original,
            new_user,
            acted,
            audited,
        }
    }
}

/// Runs the driver (no death point) until it waits for the deletion date.
fn run_to_the_wait(driver: &Driver, runs: &mut Runs) {
    let run = driver.run(0, None);
    let waiting = run.waiting();
    runs.runs.push(run);
    assert!(
        waiting,
        "the run did not reach the wait for the deletion date\n{}",
        runs.describe()
    );
}

/// The uninterrupted run did what the path is for, and wrote each thing once.
fn check_reference(end: &EndState, user: &CaseUser) {
    let staying = ("<staying key>".to_owned(), KeyStatus::Active);
    assert_eq!(end.original.keys, vec![staying], "reference: {end:#?}");
    for (write, count) in &end.audited {
        assert_eq!(
            *count, 1,
            "reference wrote {write:?} {count} times: {end:#?}"
        );
    }
    match user.path {
        PathKind::Idle => {
            assert_eq!(end.created_users, Vec::<String>::new());
            assert_eq!(end.new_user, None);
            let expected = counts(&[("UpdateAccessKey", 1), ("DeleteAccessKey", 1)]);
            assert_eq!(end.acted, expected, "reference: {end:#?}");
        }
        PathKind::Move => {
            assert_eq!(end.created_users, vec!["<new user>".to_owned()]);
            let new_user = end.new_user.as_ref().expect("reference: the new user");
            assert_eq!(
                new_user.keys,
                vec![("<new key>".to_owned(), KeyStatus::Active)]
            );
            let all: Vec<&str> = vec![
                "System:ReadOnlyAccess",
                "Custom:deploy-artifacts",
                "group:deployers",
            ];
            assert_eq!(new_user.grants, all.iter().map(|&g| g.to_owned()).collect());
            assert!(!end.original.grants.contains("Custom:deploy-artifacts"));
            assert!(new_user.comments.contains("<rotation>"), "{new_user:?}");
            let expected = counts(&[
                ("CreateUser", 1),
                ("AttachPolicyToUser", 2),
                ("AddUserToGroup", 1),
                ("CreateAccessKey", 1),
                ("UpdateAccessKey", 1),
                ("DeleteAccessKey", 1),
                ("DetachPolicyFromUser", 1),
            ]);
            assert_eq!(end.acted, expected, "reference: {end:#?}");
        }
    }
    let audited_actions: BTreeMap<String, usize> =
        end.audited
            .iter()
            .fold(BTreeMap::new(), |mut all, ((action, _), count)| {
                *all.entry(action.clone()).or_insert(0) += count;
                all
            });
    assert_eq!(
        audited_actions, end.acted,
        "the audit log and the sandbox disagree on the writes made"
    );
}

fn counts(list: &[(&str, usize)]) -> BTreeMap<String, usize> {
    list.iter()
        .map(|(action, count)| ((*action).to_owned(), *count))
        .collect()
}

/// One fewer of `key`; gone at zero.
fn take<K: Ord + Clone>(counts: &mut BTreeMap<K, usize>, key: impl Into<K>) {
    let key = key.into();
    if let Some(count) = counts.get_mut(&key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(&key);
        }
    }
}

fn take_all<K: Ord + Clone>(counts: &mut BTreeMap<K, usize>, key: &K, n: usize) {
    for _ in 0..n {
        take(counts, key.clone());
    }
}

/// The case's rotation id, from its state file.
fn rotation_id(driver: &Driver) -> String {
    let document = ramkey::state::read_document(&driver.state).expect("the state file parses");
    document
        .rotations
        .iter()
        .find(|rotation| rotation.user == driver.user.name)
        .map(|rotation| rotation.id.clone())
        .expect("the case's rotation is in its state file")
}
