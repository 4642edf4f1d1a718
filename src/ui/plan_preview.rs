//! The plan a user's screen shows before any rotation starts: the steps of
//! the recommended path, each with the API call it will make, so the admin
//! sees what starting means before choosing.
//!
//! Pure: a user view in, lines out. The step names and calls come from
//! [`super::steps`], as on the screen of a started rotation.

use super::steps;
use super::view::{GrantSet, Recommendation, StepKind, UserView, Verdict};
use crate::rotation::suggest_name;

/// The recommended path's steps as numbered lines, or `None` when there is
/// no path to recommend (the evidence needs the admin's review, or KMS
/// rotates the keys).
pub fn lines(user: &UserView) -> Option<Vec<String>> {
    let user_name = &user.user_name;
    let (label, kinds) = match user.recommendation {
        Recommendation::DisableIdle => {
            // ramkey's own key is never offered, so it has no plan either.
            let idle = user
                .keys
                .iter()
                .find(|key| key.verdict == Verdict::Idle && !key.used_by_ramkey)?;
            ("disable idle key", retire(&idle.access_key_id))
        }
        Recommendation::MoveToNewUser => ("move to new user", move_path(user_name)),
        Recommendation::Review | Recommendation::KmsRotating | Recommendation::FixKmsRotation => {
            return None;
        }
    };
    let mut out = vec![format!(
        "If you start \"{label}\", these are the steps; each asks before it writes:"
    )];
    for (i, kind) in kinds.iter().enumerate() {
        let call = match (kind, steps::api_call(kind, user_name)) {
            (StepKind::DeleteKey { .. }, Some(call)) => format!("after the waiting period: {call}"),
            (_, Some(call)) => call,
            (_, None) => "no call".to_owned(),
        };
        out.push(format!("  {}. {} — {call}", i + 1, steps::title(kind)));
    }
    Some(out)
}

/// The idle path, retiring `key_id`.
fn retire(key_id: &str) -> Vec<StepKind> {
    let key_id = key_id.to_owned();
    vec![
        StepKind::Review {
            key_id: key_id.clone(),
        },
        StepKind::DisableKey {
            key_id: key_id.clone(),
        },
        StepKind::ScheduleDeletion {
            key_id: key_id.clone(),
            wait_days: 0,
        },
        // The date is set by the disable; neither the title nor the call shows it.
        StepKind::DeleteKey {
            key_id,
            due: chrono::DateTime::UNIX_EPOCH,
            wait_days: 0,
        },
    ]
}

/// The move path; the key to retire is chosen at the start, so its steps
/// name "the old key".
fn move_path(user: &str) -> Vec<StepKind> {
    let new_user = suggest_name(user);
    let new_key_id = "(new key)".to_owned();
    let mut kinds = vec![
        StepKind::ChooseName {
            suggested: new_user.clone(),
        },
        StepKind::CreateUser {
            new_user: new_user.clone(),
        },
        StepKind::CopyPermissions {
            new_user: new_user.clone(),
            policies: Vec::new(),
            groups: Vec::new(),
            chosen: None,
            copied: GrantSet::default(),
        },
        StepKind::CreateAccessKey { new_user },
        StepKind::ConfirmSecretStored {
            new_key_id: new_key_id.clone(),
        },
        StepKind::ConfirmStaging {
            new_key_id: new_key_id.clone(),
        },
        StepKind::ConfirmProduction { new_key_id },
    ];
    kinds.extend(retire("(old key)").into_iter().skip(1));
    kinds.push(StepKind::DetachPolicies {
        policies: Vec::new(),
    });
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::view::KeyView;

    fn user(recommendation: Recommendation) -> UserView {
        let keys = vec![
            KeyView::seen("LTAI5tBusy", Verdict::InUse, None),
            KeyView::seen("LTAI5tIdle", Verdict::Idle, None),
        ];
        UserView {
            recommendation,
            ..UserView::listed("app", "", keys)
        }
    }

    #[test]
    fn the_idle_plan_names_the_idle_key_and_each_call() {
        let lines = lines(&user(Recommendation::DisableIdle)).expect("a plan");
        assert_eq!(lines.len(), 5);
        assert_eq!(lines[1], "  1. Review the evidence — no call");
        assert_eq!(
            lines[2],
            "  2. Disable the old key — UpdateAccessKey UserName=app UserAccessKeyId=LTAI5tIdle \
             Status=Inactive"
        );
        assert!(lines[4].contains("after the waiting period: GetAccessKeyLastUsed, then"));
    }

    #[test]
    fn the_move_plan_has_all_eleven_steps() {
        let lines = lines(&user(Recommendation::MoveToNewUser)).expect("a plan");
        assert_eq!(lines.len(), 12);
        assert!(lines[2].contains("CreateUser UserName=app-v2"), "{lines:?}");
        assert!(lines[11].starts_with("  11. Review the original user's policies"));
    }

    #[test]
    fn no_plan_retires_the_key_ramkey_signs_with() {
        let mut own = user(Recommendation::DisableIdle);
        own.keys[1].used_by_ramkey = true;
        assert_eq!(lines(&own), None);
    }

    #[test]
    fn no_plan_without_a_recommended_path() {
        assert_eq!(lines(&user(Recommendation::Review)), None);
        assert_eq!(lines(&user(Recommendation::KmsRotating)), None);
    }
}
