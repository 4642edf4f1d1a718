//! The closing summary of a finished move: what was done, when, with the
//! RequestIds the record kept, and what to do next so the new key never has
//! to be rotated by hand (KMS-managed rotation, or STS instead of a key).
//!
//! Shown as a [`Notice`] right after the last step, and again when Enter is
//! pressed on the finished rotation. Pure; depends on [`super::view`], the
//! notice and [`super::steps`]' labels.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::flow::Dialog;
use super::notice::{Notice, Passage};
use super::steps;
use super::view::{GrantView, MoveSummaryView, Recorded, Request, UserView};

/// The summary dialog of `user`'s move, once it is finished.
pub fn dialog(user: &UserView) -> Option<Dialog> {
    let summary = user.rotation.as_ref()?.summary.as_ref()?;
    Some(Dialog::Notice(notice(summary)))
}

/// The summary to open after `request` was performed for `user`: only when
/// that request finished the move.
pub fn after(request: Option<&Request>, user: Option<&UserView>) -> Option<Dialog> {
    match request? {
        Request::DetachPolicies { .. } => dialog(user?),
        _ => None,
    }
}

/// The summary as a notice.
pub fn notice(summary: &MoveSummaryView) -> Notice {
    let passages = vec![
        plain(outcome(summary)),
        plain(done(summary)),
        plain(kms_advice(summary)),
        plain(sts_advice(summary)),
    ];
    Notice::new(format!("Move finished: {}", summary.user), passages)
}

fn plain(text: String) -> Passage {
    Passage {
        text,
        warning: false,
    }
}

fn outcome(summary: &MoveSummaryView) -> String {
    format!(
        "The application of {user} now signs as the new RAM user {new_user} with key \
         {new_key}; the old key {old_key} of {user} is deleted. Started {started}, finished \
         {finished}.",
        user = summary.user,
        new_user = summary.new_user,
        new_key = summary.new_key_id,
        old_key = summary.old_key_id,
        started = when(summary.started_at),
        finished = when(summary.finished_at),
    )
}

/// One line per step, oldest first.
fn done(summary: &MoveSummaryView) -> String {
    let mut lines = vec!["What ramkey did (times UTC, RequestIds as recorded):".to_owned()];
    lines.push(line(
        &summary.user_created,
        &format!("created user {}", summary.new_user),
    ));
    if summary.copied.is_empty() {
        lines.push(format!(
            "{} copied no policy or group",
            short(summary.user_created.at)
        ));
    }
    for (grant, recorded) in &summary.copied {
        lines.push(line(recorded, &format!("copied {}", label(grant))));
    }
    let mut created = format!("created key {}", summary.new_key_id);
    if let Some(at) = summary.key_verified_at {
        let _ = write!(created, ", seen working at {}", short(at));
    }
    lines.push(line(&summary.key_created, &created));
    lines.push(line(
        &summary.disabled,
        &format!("disabled old key {}", summary.old_key_id),
    ));
    lines.push(line(
        &summary.deleted,
        &format!("deleted old key {}", summary.old_key_id),
    ));
    if summary.detached.is_empty() {
        lines.push(format!(
            "{} kept every policy of {}",
            short(summary.finished_at),
            summary.user
        ));
    }
    for (grant, recorded) in &summary.detached {
        let what = format!("detached {} from {}", label(grant), summary.user);
        lines.push(line(recorded, &what));
    }
    lines.join("\n")
}

fn kms_advice(summary: &MoveSummaryView) -> String {
    format!(
        "Next, so this key is never rotated by hand again — KMS-managed rotation: create a KMS \
         secret of type RAMCredentials for {user} (CreateSecret, ExtendedConfig \
         SecretSubType=RamUserAccessKey, UserName={user}, EnableAutomaticRotation=true, e.g. \
         RotationInterval=30d); the application then reads the pair with GetSecretValue or a \
         managed-credentials SDK plugin. KMS needs {user}'s second key slot free.",
        user = summary.new_user
    )
}

fn sts_advice(summary: &MoveSummaryView) -> String {
    format!(
        "Or better, no long-lived key at all — STS: give the application a RAM role (an ECS \
         instance RAM role, RRSA on ACK, or a role it assumes with AssumeRole) and let its SDK's \
         default credentials chain fetch short-lived tokens; then delete {}'s key.",
        summary.new_user
    )
}

fn line(recorded: &Recorded, what: &str) -> String {
    let mut line = format!("{} {what}", short(recorded.at));
    // Writing to a String cannot fail.
    let _ = match (&recorded.note, recorded.request_ids.as_slice()) {
        (Some(note), _) => write!(line, " ({note})"),
        (None, []) => Ok(()),
        (None, [one]) => write!(line, " (RequestId {one})"),
        (None, many) => write!(line, " (RequestIds {})", many.join(", ")),
    };
    line
}

fn label(grant: &GrantView) -> String {
    match grant {
        GrantView::Policy(policy) => format!("policy {}", steps::policy_label(policy)),
        GrantView::Group(group) => format!("group {group}"),
    }
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn short(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::model::PolicyType;
    use crate::ui::view::PolicyRef;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn recorded(when: &str, request_id: Option<&str>) -> Recorded {
        Recorded {
            at: at(when),
            request_ids: request_id.into_iter().map(str::to_owned).collect(),
            note: None,
        }
    }

    fn summary() -> MoveSummaryView {
        MoveSummaryView {
            user: "app".into(),
            old_key_id: "LTAI-OLD".into(),
            started_at: at("2026-01-01T09:00:00Z"),
            new_user: "app-v2".into(),
            user_created: recorded("2026-01-01T09:01:00Z", Some("R-USER")),
            copied: vec![(
                GrantView::Policy(PolicyRef {
                    name: "ReadOnlyAccess".into(),
                    policy_type: PolicyType::System,
                }),
                recorded("2026-01-01T09:02:00Z", Some("R-ATTACH")),
            )],
            new_key_id: "LTAI-NEW".into(),
            key_created: recorded("2026-01-01T09:03:00Z", Some("R-KEY")),
            key_verified_at: Some(at("2026-01-01T09:03:20Z")),
            disabled: recorded("2026-01-02T09:00:00Z", Some("R-OFF")),
            deleted: Recorded {
                note: Some("deleted outside ramkey".into()),
                ..recorded("2026-04-02T09:00:00Z", None)
            },
            detached: Vec::new(),
            finished_at: at("2026-04-02T09:05:00Z"),
        }
    }

    #[test]
    fn every_step_is_listed_with_its_time_and_request_id() {
        let text = done(&summary());
        for expected in [
            "2026-01-01 09:01 created user app-v2 (RequestId R-USER)",
            "copied policy ReadOnlyAccess (System) (RequestId R-ATTACH)",
            "created key LTAI-NEW, seen working at 2026-01-01 09:03 (RequestId R-KEY)",
            "2026-01-02 09:00 disabled old key LTAI-OLD (RequestId R-OFF)",
            "deleted old key LTAI-OLD (deleted outside ramkey)",
            "2026-04-02 09:05 kept every policy of app",
        ] {
            assert!(text.contains(expected), "{expected:?} not in\n{text}");
        }
    }

    #[test]
    fn the_advice_names_kms_rotation_and_sts_for_the_new_user() {
        let notice = notice(&summary());
        let all: Vec<&str> = notice.paragraphs.iter().map(|p| p.text.as_str()).collect();
        let all = all.join("\n");
        assert!(all.contains("RAMCredentials for app-v2"), "{all}");
        assert!(all.contains("STS"), "{all}");
        assert!(all.contains("delete app-v2's key"), "{all}");
    }

    #[test]
    fn only_the_last_step_opens_the_summary() {
        let request = Request::ConfirmStaging;
        assert!(after(Some(&request), None).is_none());
    }
}
