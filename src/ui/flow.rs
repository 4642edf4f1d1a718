//! What Enter on a step opens (and `r`, the rollback), and what each
//! dialog's answer leads to: the next dialog, or the engine request that
//! performs the step. Also the notice of what the start settled.
//!
//! Every dialog is paired with what follows it ([`Dialog`]), so an answer
//! can only lead where that dialog was opened to go. Pure: no I/O, no
//! engine calls; depends on the dialogs, [`super::view`] and the engine's
//! pure name rule.

use super::checklist::Checklist;
use super::choice::Choice;
use super::confirm::TypedConfirm;
use super::error_dialog::ErrorDialog;
use super::input::{Input, Reply};
use super::keys::{Command, Context};
use super::notice::{Notice, Passage};
use super::override_dialog;
use super::paste_secret;
use super::question::Question;
use super::secret_dialog::SecretDialog;
use super::steps;
use super::swap_dialog::SwapDialog;
use super::text;
use super::text_input::{Invalid, TextInput, Validator};
use super::view::{
    ErrorView, GrantSet, KeyView, NewKeyCheck, Offer, PathKind, PolicyRef, Recommendation, Request,
    RotationView, Settled, Snapshot, StepKind, StepStatus, UserView, Verdict,
};
use crate::rotation;
use crate::secret::Secret;

/// An open dialog and what its answer leads to.
#[derive(Debug)]
pub enum Dialog {
    /// Yes runs the request.
    Ask(Question, Then),
    /// The typed name completes the destructive request.
    Confirm(TypedConfirm, Destructive),
    /// The new user's name.
    Name(TextInput),
    /// Ticked policies and groups to copy.
    Copy(Checklist, Vec<Grant>),
    /// Ticked policies to detach, confirmed next by typing the name.
    Detach(Checklist, Vec<PolicyRef>),
    /// Which path and key a new rotation takes.
    Start(Choice, Vec<StartOption>),
    /// The new key's secret, until the admin says it is stored.
    Secret(SecretDialog),
    /// A failed call.
    Error(ErrorDialog),
    /// Something to read before going on.
    Notice(Notice),
    /// What broke, before re-enabling this old key.
    WhatBroke(TextInput, String),
    /// The new key's secret, pasted to check the key after a restart.
    PasteSecret(TextInput),
    /// A swap confirmation with its evidence; yes performs the request.
    Swap(SwapDialog, Request),
    /// The typed override to disable this key although it is not idle.
    Override(TextInput, String),
}

/// One line of the start choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartOption {
    /// This path, retiring this key.
    Path(PathKind, String),
    /// Disable this key although it is not idle: opens the typed override.
    Override(KeyView),
}

/// What a yes leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// Perform this request for the dialog's user.
    Perform(Request),
    /// Ask for the typed name before the destructive request.
    Confirm(TypedConfirm, Destructive),
    /// Yes: the secret is stored. No: it is lost, and this typed
    /// confirmation replaces the key.
    SecretStored(TypedConfirm),
    /// Leave ramkey although a call is in flight.
    Quit,
}

/// A destructive request waiting for the typed user name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destructive {
    /// Disable this key.
    DisableKey(String),
    /// Delete this key.
    DeleteKey(String),
    /// Detach these policies.
    Detach(Vec<PolicyRef>),
    /// Delete the new user's keys without a secret, create a fresh one.
    ReplaceLostKey,
    /// The shown secret was lost: delete that key, create a fresh one.
    SecretNotStored,
    /// An application broke: re-enable this disabled old key.
    ReEnableKey {
        /// The key.
        key_id: String,
        /// What broke, if the admin said.
        reason: Option<String>,
    },
    /// Disable this old key again and restart its waiting period.
    DisableAgain(String),
}

impl Destructive {
    fn into_request(self, typed_user: String) -> Request {
        match self {
            Destructive::DisableKey(key_id) => Request::DisableKey { key_id, typed_user },
            Destructive::DeleteKey(key_id) => Request::DeleteKey { key_id, typed_user },
            Destructive::Detach(policies) => Request::DetachPolicies {
                policies,
                typed_user,
            },
            Destructive::ReplaceLostKey => Request::ReplaceLostKey { typed_user },
            Destructive::SecretNotStored => Request::SecretNotStored { typed_user },
            Destructive::DisableAgain(key_id) => Request::DisableAgain { key_id, typed_user },
            Destructive::ReEnableKey { key_id, reason } => Request::ReEnableKey {
                key_id,
                reason,
                typed_user,
            },
        }
    }
}

/// One item of the copy checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// An attached policy.
    Policy(PolicyRef),
    /// A group membership.
    Group(String),
}

/// Where a dialog's answer leads.
#[derive(Debug)]
pub enum Next {
    /// Keep it open.
    Stay,
    /// Close it; nothing happens.
    Close,
    /// Replace it with another dialog.
    Open(Dialog),
    /// Close it and perform this request.
    Perform(Request),
    /// Close it and leave ramkey.
    Quit,
}

impl Dialog {
    /// The key-table context while this dialog has the focus.
    pub fn context(&self) -> Context {
        match self {
            Dialog::Ask(..) | Dialog::Swap(..) => Context::Question,
            Dialog::Confirm(..) => Context::TypedConfirm,
            Dialog::Name(_)
            | Dialog::WhatBroke(..)
            | Dialog::PasteSecret(_)
            | Dialog::Override(..) => Context::TextInput,
            Dialog::Copy(..) | Dialog::Detach(..) => Context::Checklist,
            Dialog::Start(..) => Context::Choice,
            Dialog::Secret(secret) => secret.context(),
            Dialog::Error(_) => Context::Error,
            Dialog::Notice(_) => Context::Notice,
        }
    }

    /// Feeds one input to the dialog and says where its answer leads.
    pub fn handle(&mut self, user: &str, input: &Input) -> Next {
        match self {
            Dialog::Ask(question, then) => match question.handle(input) {
                // The one question whose no leads on rather than closing.
                Reply::Close if matches!(input, Input::Command(Command::No)) => match then {
                    Then::SecretStored(lost) => {
                        Next::Open(Dialog::Confirm(lost.clone(), Destructive::SecretNotStored))
                    }
                    _ => Next::Close,
                },
                Reply::Done(()) => match then {
                    Then::Perform(request) => Next::Perform(request.clone()),
                    Then::SecretStored(_) => Next::Perform(Request::ConfirmSecretStored),
                    Then::Confirm(confirm, destructive) => {
                        Next::Open(Dialog::Confirm(confirm.clone(), destructive.clone()))
                    }
                    Then::Quit => Next::Quit,
                },
                other => stay_or_close(&other),
            },
            Dialog::Confirm(confirm, destructive) => match confirm.handle(input) {
                Reply::Done(typed) => Next::Perform(destructive.clone().into_request(typed)),
                other => stay_or_close(&other),
            },
            Dialog::Name(field) => match field.handle(input) {
                Reply::Done(new_user) => Next::Perform(Request::ChooseName { new_user }),
                other => stay_or_close(&other),
            },
            Dialog::Copy(list, grants) => match list.handle(input) {
                Reply::Done(ticked) => Next::Perform(copy_request(grants, &ticked)),
                other => stay_or_close(&other),
            },
            Dialog::Detach(list, policies) => match list.handle(input) {
                Reply::Done(ticked) => detach_next(user, policies, &ticked),
                other => stay_or_close(&other),
            },
            Dialog::Start(choice, options) => match choice.handle(input) {
                Reply::Done(i) => match options[i].clone() {
                    StartOption::Path(path, key_id) => {
                        Next::Perform(Request::Start { path, key_id })
                    }
                    StartOption::Override(key) => Next::Open(Dialog::Override(
                        override_dialog::field(user, &key),
                        key.access_key_id,
                    )),
                },
                other => stay_or_close(&other),
            },
            Dialog::Override(field, key_id) => match field.handle(input) {
                Reply::Done(statement) => {
                    Next::Perform(override_dialog::request(key_id, &statement))
                }
                other => stay_or_close(&other),
            },
            Dialog::Secret(secret) => match secret.handle(input) {
                // Closing drops the dialog and with it the only copy of the secret.
                Reply::Done(()) => Next::Perform(Request::ConfirmSecretStored),
                other => stay_or_close(&other),
            },
            Dialog::PasteSecret(field) => match field.handle(input) {
                // Only the confirmation's `y` checks the key (BC-16).
                Reply::Done(pasted) => Next::Open(paste_secret::confirm(Secret::new(pasted))),
                other => stay_or_close(&other),
            },
            Dialog::Swap(swap, request) => match swap.handle(input) {
                Reply::Done(()) => Next::Perform(request.clone()),
                other => stay_or_close(&other),
            },
            Dialog::Error(error) => stay_or_close(&error.handle(input)),
            Dialog::Notice(notice) => stay_or_close(&notice.handle(input)),
            Dialog::WhatBroke(field, key_id) => match field.handle(input) {
                Reply::Done(reason) => {
                    let reason = Some(reason.trim().to_owned()).filter(|r| !r.is_empty());
                    let confirm = re_enable_confirm(user, key_id, reason.as_deref());
                    let key_id = key_id.clone();
                    Next::Open(Dialog::Confirm(
                        confirm,
                        Destructive::ReEnableKey { key_id, reason },
                    ))
                }
                other => stay_or_close(&other),
            },
        }
    }
}

fn stay_or_close<T>(reply: &Reply<T>) -> Next {
    match reply {
        Reply::Close => Next::Close,
        Reply::Stay | Reply::Done(_) => Next::Stay,
    }
}

fn copy_request(grants: &[Grant], ticked: &[usize]) -> Request {
    let mut policies = Vec::new();
    let mut groups = Vec::new();
    for grant in ticked.iter().map(|&i| &grants[i]) {
        match grant {
            Grant::Policy(policy) => policies.push(policy.clone()),
            Grant::Group(group) => groups.push(group.clone()),
        }
    }
    Request::CopyPermissions { policies, groups }
}

fn detach_next(user: &str, policies: &[PolicyRef], ticked: &[usize]) -> Next {
    let chosen: Vec<PolicyRef> = ticked.iter().map(|&i| policies[i].clone()).collect();
    if chosen.is_empty() {
        let question = Question::new(
            "Keep every policy",
            vec![format!(
                "Nothing is detached from {user}; the rotation is finished."
            )],
            "Finish without detaching anything? [y/n]",
        );
        // Nothing is destroyed, so there is no name to type.
        let request = Request::DetachPolicies {
            policies: Vec::new(),
            typed_user: user.to_owned(),
        };
        return Next::Open(Dialog::Ask(question, Then::Perform(request)));
    }

    let mut body = vec![format!("Detach from {user}:")];
    body.extend(
        chosen
            .iter()
            .map(|p| format!("  • {}", steps::policy_label(p))),
    );
    body.push(format!(
        "API: DetachPolicyFromUser UserName={user}, once per policy"
    ));
    let confirm = TypedConfirm::new("Detach policies", body, user);
    Next::Open(Dialog::Confirm(confirm, Destructive::Detach(chosen)))
}

/// Inside width of a question's box, for wrapping its body ahead of time
/// (the box is as tall as the body's lines).
const QUESTION_TEXT_WIDTH: usize = 68;

/// Inside width of the widest step dialog (the typed confirmation's 72
/// columns less its borders).
const STEP_TEXT_WIDTH: usize = 70;

/// `lines` wrapped to the step dialogs' width, so each box is as tall as
/// its text and nothing is cut off.
fn wrapped(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .flat_map(|line| text::wrap(line, STEP_TEXT_WIDTH))
        .collect()
}

/// The first dialog: what was settled from an earlier run, and what could
/// not be (that step stays blocked), or `None` when there was nothing.
pub fn settled_notice(settled: &[Settled]) -> Option<Dialog> {
    if settled.is_empty() {
        return None;
    }
    let mut passages = vec![Passage {
        text: "An earlier run of ramkey left writes in flight. ramkey looked (it never \
               calls again blindly):"
            .to_owned(),
        warning: false,
    }];
    passages.extend(settled.iter().map(|entry| match entry {
        Settled::Done { user, summary } => Passage {
            text: format!("{user}: {summary}"),
            warning: false,
        },
        Settled::Failed { user, error } => Passage {
            text: format!(
                "{user}: could not be checked, so its step stays blocked: {error}. \
                 ramkey checks again when you open {user}."
            ),
            warning: true,
        },
    }));
    Some(Dialog::Notice(Notice::new(
        "Settled from an earlier run",
        passages,
    )))
}

/// What `r` opens on `user`'s rotation: the question of what broke, then
/// the typed confirmation that re-enables the old key. Only while the key
/// waits for deletion: before that it is not disabled, after it is gone.
pub fn rollback_dialog(user: &UserView) -> Result<Dialog, String> {
    let rotation = user
        .rotation
        .as_ref()
        .ok_or_else(|| "No rotation: there is no disabled key to re-enable.".to_owned())?;
    let waiting = rotation.current().map(|i| &rotation.steps[i].kind);
    let Some(StepKind::DeleteKey { key_id, .. }) = waiting else {
        return Err(
            "Roll back only while the old key waits for deletion (disabled, not yet deleted)."
                .to_owned(),
        );
    };
    let disabled_at = rotation
        .steps
        .iter()
        .find_map(|step| match (&step.kind, &step.status) {
            (StepKind::DisableKey { .. }, StepStatus::Done { at, .. }) => Some(*at),
            _ => None,
        });
    let since = disabled_at.map_or_else(String::new, |at| {
        format!(" ({})", at.format("%Y-%m-%d %H:%M UTC"))
    });
    let body = wrapped(&[
        format!(
            "An application broke after {key_id} of {} was disabled{since}?",
            user.user_name
        ),
        "ramkey can re-enable that key in one confirmed step and record the rollback.".to_owned(),
        "What broke? Optional; it is recorded with the rollback.".to_owned(),
    ]);
    let field = TextInput::new(
        "Application broke: re-enable the old key",
        body,
        "What broke",
        "",
        Box::new(|_: &str| Ok(())),
    );
    Ok(Dialog::WhatBroke(field, key_id.clone()))
}

/// The old key when it can only be disabled again: the rotation waits to
/// delete it, and it is Active again or was used after its disable.
pub fn disable_again_key(user: &UserView) -> Option<&str> {
    let rotation = user.rotation.as_ref()?;
    let waiting = rotation.current().map(|i| &rotation.steps[i].kind);
    let Some(StepKind::DeleteKey { key_id, .. }) = waiting else {
        return None;
    };
    let disabled_at = rotation
        .steps
        .iter()
        .find_map(|step| match (&step.kind, &step.status) {
            (StepKind::DisableKey { .. }, StepStatus::Done { at, .. }) => Some(*at),
            _ => None,
        });
    let used_after = user.keys.iter().any(|key| {
        &key.access_key_id == key_id
            && key
                .last_used
                .zip(disabled_at)
                .is_some_and(|(used, at)| used > at)
    });
    (rotation.retired_key_active_again || used_after).then_some(key_id.as_str())
}

/// `a`: the typed confirmation that disables the old key again and
/// restarts its waiting period.
pub fn disable_again_dialog(user: &UserView) -> Result<Dialog, String> {
    let key_id = disable_again_key(user).ok_or_else(|| {
        "Disable again only at the delete step, when the old key is Active again or was used \
         after its disable."
            .to_owned()
    })?;
    let name = &user.user_name;
    let wait = user
        .rotation
        .as_ref()
        .map_or(90, |rotation| rotation.wait_days);
    let body = wrapped(&[
        format!(
            "{key_id} of {name} is Active again or was used after its disable, so ramkey will \
             not delete it. Find out what still uses it first."
        ),
        format!(
            "Then: set it Inactive again (if it is Active) and restart the waiting period: it \
             may be deleted {wait} days from now. The earlier disable stays in the audit log."
        ),
        format!("API: UpdateAccessKey UserName={name} UserAccessKeyId={key_id} Status=Inactive"),
    ]);
    let confirm = TypedConfirm::new("Disable again, restart the wait", body, name);
    Ok(Dialog::Confirm(
        confirm,
        Destructive::DisableAgain(key_id.to_owned()),
    ))
}

/// The typed confirmation that re-enables `key_id` of `user`.
fn re_enable_confirm(user: &str, key_id: &str, reason: Option<&str>) -> TypedConfirm {
    let mut body = vec![
        format!("Set {key_id} of {user} to Active: requests signed with it work again."),
        "The rotation goes back to before the disable: disable it again once the \
         application is fixed."
            .to_owned(),
    ];
    if let Some(reason) = reason {
        body.push(format!("What broke: {reason}"));
    }
    body.push(format!(
        "API: UpdateAccessKey UserName={user} UserAccessKeyId={key_id} Status=Active"
    ));
    TypedConfirm::new("Re-enable the old key", wrapped(&body), user)
}

/// A failed step the wizard can remedy: the error explained, and a yes
/// leading to the typed confirmation that performs the remedy.
pub fn offer_dialog(error: &ErrorView, offer: &Offer) -> Dialog {
    let (new_user, key_ids) = match offer {
        Offer::ReplaceLostKey { new_user, key_ids } => (new_user, key_ids),
        Offer::DryRun { calls } => return super::safety::not_sent(calls),
        Offer::PasteSecret { key_id } => {
            return Dialog::PasteSecret(paste_secret::field_again(key_id, &error.message));
        }
    };
    let keys = key_ids.join(", ");
    let remedy = format!(
        "ramkey can delete {keys} (a key whose secret it never showed) and create a fresh \
         AccessKey for {new_user}, whose secret it shows once."
    );
    let mut body = text::wrap(&error.doing, QUESTION_TEXT_WIDTH);
    body.push(String::new());
    if let Some(code) = &error.code {
        let code = match &error.request_id {
            Some(request_id) => format!("Code {code} (RequestId {request_id})"),
            None => format!("Code {code}"),
        };
        body.extend(text::wrap(&code, QUESTION_TEXT_WIDTH));
    }
    body.extend(text::wrap(&error.message, QUESTION_TEXT_WIDTH));
    body.push(String::new());
    body.extend(text::wrap(&remedy, QUESTION_TEXT_WIDTH));
    let confirm = TypedConfirm::new(
        "Replace the lost key",
        vec![
            format!("Delete {keys} of {new_user}, then create its new AccessKey."),
            format!("API: DeleteAccessKey UserName={new_user}, once per key;"),
            format!("     then CreateAccessKey UserName={new_user}"),
        ],
        new_user.clone(),
    );
    let question = Question::new(
        "The new key's secret is lost",
        body,
        "Replace the lost key: delete it and create a fresh one? [y/n]",
    );
    Dialog::Ask(
        question,
        Then::Confirm(confirm, Destructive::ReplaceLostKey),
    )
}

/// The typed confirmation behind "no, the secret is not stored": the key
/// is deleted and a fresh one created, so the new user's name is typed.
fn secret_lost_confirm(user: &UserView, new_key_id: &str) -> TypedConfirm {
    let new_user = new_user_of(user).unwrap_or_default();
    TypedConfirm::new(
        "The secret is lost",
        vec![
            format!(
                "The secret of {new_key_id} was not stored, so no application can use that key."
            ),
            format!("ramkey will delete {new_key_id} and create a new AccessKey for {new_user},"),
            "whose secret it shows once. Type the new user's name to go on.".to_owned(),
            format!("API: DeleteAccessKey UserName={new_user} UserAccessKeyId={new_key_id};"),
            format!("     then CreateAccessKey UserName={new_user}"),
        ],
        new_user,
    )
}

/// The new user of `user`'s move, as its steps name it.
fn new_user_of(user: &UserView) -> Option<String> {
    user.rotation
        .as_ref()?
        .steps
        .iter()
        .find_map(|step| match &step.kind {
            StepKind::CreateAccessKey { new_user } | StepKind::CreateUser { new_user } => {
                Some(new_user.clone())
            }
            _ => None,
        })
}

/// The dialog Enter opens on `step` of `user`'s rotation, or a line saying
/// why there is nothing to do yet.
pub fn open_step(user: &UserView, step: &StepKind, snapshot: &Snapshot) -> Result<Dialog, String> {
    let name = user.user_name.as_str();
    // A key deleted outside ramkey has no wait left: its step records that.
    let gone = user
        .rotation
        .as_ref()
        .filter(|rotation| rotation.retired_key_gone)
        .and_then(|_| steps::gone(step, name));
    if let (Some(gone), StepKind::DisableKey { key_id } | StepKind::DeleteKey { key_id, .. }) =
        (gone, step)
    {
        let confirm = TypedConfirm::new(steps::title(step), wrapped(&gone), name);
        let destructive = match step {
            StepKind::DisableKey { .. } => Destructive::DisableKey(key_id.clone()),
            _ => Destructive::DeleteKey(key_id.clone()),
        };
        return Ok(Dialog::Confirm(confirm, destructive));
    }
    if let StepKind::DeleteKey { key_id, due, .. } = step {
        if snapshot.taken_at < *due {
            return Err(format!(
                "Waiting for deletion: {key_id} may be deleted from {}.",
                due.format("%Y-%m-%d")
            ));
        }
    }
    if let Some(why) = user.rotation.as_ref().and_then(|r| r.blocked.as_ref()) {
        return Err(format!("Not now: {why}."));
    }

    let mut body = steps::explain(step, name);
    if let Some(call) = steps::api_call(step, name) {
        body.push(format!("API: {call}"));
    }
    let body = wrapped(&body);
    let title = steps::title(step);

    let ask = |prompt: &str, request: Request| {
        Dialog::Ask(
            Question::new(title.clone(), body.clone(), prompt),
            Then::Perform(request),
        )
    };
    let dialog = match step {
        StepKind::Review { key_id } => {
            let mut question = Question::new(title.clone(), body.clone(), "Reviewed: go on? [y/n]");
            question.body.extend(evidence(user, key_id));
            Dialog::Ask(question, Then::Perform(Request::AcknowledgeReview))
        }
        StepKind::DisableKey { key_id } => {
            let mut body = body.clone();
            body.extend(wrapped(&disable_evidence(user, key_id)));
            Dialog::Confirm(
                TypedConfirm::new(title, body, name),
                Destructive::DisableKey(key_id.clone()),
            )
        }
        StepKind::ScheduleDeletion { .. } => {
            return Err("The deletion date is recorded together with the disable.".to_owned());
        }
        StepKind::DeleteKey { key_id, .. } => Dialog::Confirm(
            TypedConfirm::new(title, body, name),
            Destructive::DeleteKey(key_id.clone()),
        ),
        StepKind::ChooseName { suggested } => Dialog::Name(TextInput::new(
            title,
            body,
            "New user name",
            suggested.clone(),
            name_rule(name),
        )),
        StepKind::CreateUser { .. } => ask("Create the user now? [y/n]", Request::CreateUser),
        StepKind::CopyPermissions {
            policies,
            groups,
            chosen,
            copied,
            ..
        } => copy_dialog(title, body, policies, groups, chosen.as_ref(), copied),
        StepKind::CreateAccessKey { .. } => {
            ask("Create the key now? [y/n]", Request::CreateAccessKey)
        }
        StepKind::ConfirmSecretStored { new_key_id } => Dialog::Ask(
            Question::new(title.clone(), body.clone(), "Is the secret stored? [y/n]"),
            Then::SecretStored(secret_lost_confirm(user, new_key_id)),
        ),
        StepKind::ConfirmStaging { .. } => swap_or_ask(
            user,
            (title, body),
            "Is staging running on the new key?",
            Request::ConfirmStaging,
        ),
        StepKind::ConfirmProduction { .. } => swap_or_ask(
            user,
            (title, body),
            "Is production running on the new key?",
            Request::ConfirmProduction,
        ),
        StepKind::DetachPolicies { policies } => {
            let labels = policies.iter().map(steps::policy_label).collect();
            // Unticked by default: detaching is destructive, keeping is not.
            Dialog::Detach(Checklist::new(title, body, labels, false), policies.clone())
        }
    };
    Ok(dialog)
}

/// A swap confirmation: with the evidence read for it when there is some,
/// else the plain question (the evidence is read when Enter opens the step).
fn swap_or_ask(
    user: &UserView,
    (title, body): (String, Vec<String>),
    question: &str,
    request: Request,
) -> Dialog {
    let evidence = user.rotation.as_ref().and_then(|r| r.swap_evidence.clone());
    match evidence {
        Some(evidence) => Dialog::Swap(SwapDialog::new(title, body, evidence, question), request),
        None => Dialog::Ask(
            Question::new(title, body, format!("{question} [y/n]")),
            Then::Perform(request),
        ),
    }
}

/// What the admin sees before disabling `key_id`: its last use (a missing
/// date is unknown, never a sign of no use) and, on the move path, that
/// the new key works.
fn disable_evidence(user: &UserView, key_id: &str) -> Vec<String> {
    let used = user
        .keys
        .iter()
        .find(|key| key.access_key_id == key_id)
        .and_then(|key| key.last_used);
    let mut lines = vec![match used {
        Some(at) => format!(
            "Last use of {key_id}: {} (as of the scan).",
            at.format("%Y-%m-%d %H:%M UTC")
        ),
        None => format!(
            "Last use of {key_id}: unknown. RAM gave no last-use date, which does not mean \
             the key is unused: check the application's logs before disabling it."
        ),
    }];
    if let Some(new_key) = user.rotation.as_ref().and_then(|r| r.new_key.as_ref()) {
        if let NewKeyCheck::Verified { at, .. } = new_key.check {
            lines.push(format!(
                "The new key {} works: it signed a read as the new user at {}.",
                new_key.key_id,
                at.format("%Y-%m-%d %H:%M UTC")
            ));
        }
    }
    lines
}

/// What `v` leads to on `user`'s rotation: the check itself when ramkey
/// holds the new key's secret, else the field to paste it into.
pub fn verify_next(user: &UserView) -> Result<Next, String> {
    let new_key = user
        .rotation
        .as_ref()
        .and_then(|rotation: &RotationView| rotation.new_key.as_ref())
        .ok_or_else(|| {
            "Nothing to verify: the new key is checked between its creation and the disable."
                .to_owned()
        })?;
    if new_key.is_verified() {
        return Err(format!("{} is verified already.", new_key.key_id));
    }
    if new_key.secret_held {
        return Ok(Next::Perform(Request::VerifyKey { secret: None }));
    }
    let field = paste_secret::field(&new_key.key_id);
    Ok(Next::Open(Dialog::PasteSecret(field)))
}

/// The engine's own rule for the new user's name (RAM's characters and
/// length, and not the original's name), so the field refuses what the
/// engine would; whether the name is taken is the engine's call to check.
fn name_rule(original: &str) -> Validator {
    let original = original.to_owned();
    Box::new(move |name: &str| {
        rotation::validate_user_name(name, &original).map_err(|error| Invalid(capitalised(&error)))
    })
}

fn capitalised(error: &rotation::NameError) -> String {
    let text = error.to_string();
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect::<String>() + "."
    })
}

/// Every grant ticked at first; when resumed, exactly the admin's recorded
/// choice, with the grants already made shown done and kept ticked.
fn copy_dialog(
    title: String,
    mut body: Vec<String>,
    policies: &[PolicyRef],
    groups: &[String],
    chosen: Option<&GrantSet>,
    copied: &GrantSet,
) -> Dialog {
    let mut grants: Vec<Grant> = policies.iter().cloned().map(Grant::Policy).collect();
    grants.extend(groups.iter().cloned().map(Grant::Group));
    let done: Vec<bool> = grants.iter().map(|grant| in_set(copied, grant)).collect();
    let ticked: Vec<bool> = grants
        .iter()
        .map(|grant| chosen.is_none_or(|set| in_set(set, grant)))
        .collect();
    let labels = grants
        .iter()
        .zip(&done)
        .map(|(grant, done)| {
            let label = match grant {
                Grant::Policy(policy) => format!("policy {}", steps::policy_label(policy)),
                Grant::Group(group) => format!("group  {group}"),
            };
            if *done {
                format!("{label}  (copied already)")
            } else {
                label
            }
        })
        .collect();
    if chosen.is_some() || done.contains(&true) {
        body.push(
            "Resumed: ticked as you chose before. Items marked \"copied already\" are on the \
             new user and stay ticked."
                .to_owned(),
        );
    }
    Dialog::Copy(
        Checklist::with_ticks(title, body, labels, ticked, done),
        grants,
    )
}

fn in_set(set: &GrantSet, grant: &Grant) -> bool {
    match grant {
        Grant::Policy(policy) => set.policies.contains(policy),
        Grant::Group(group) => set.groups.contains(group),
    }
}

fn evidence(user: &UserView, key_id: &str) -> Vec<String> {
    user.keys
        .iter()
        .map(|key| {
            let marker = if key.access_key_id == key_id {
                "→"
            } else {
                " "
            };
            format!("{marker} {}", key_line(key))
        })
        .collect()
}

/// `LTAI… idle, last used 2024-01-02` (or `never used`).
pub fn key_line(key: &KeyView) -> String {
    let used = key.last_used.map_or_else(
        || "no last use".to_owned(),
        |at| format!("last used {}", at.format("%Y-%m-%d")),
    );
    let own = if key.used_by_ramkey {
        ", the key ramkey is using"
    } else {
        ""
    };
    format!("{} {}{own}, {used}", key.access_key_id, key.verdict.label())
}

/// The ways to start a rotation for `user`, the recommended one first.
///
/// Only an idle key is offered for disabling: `unknown` never selects the
/// disable path by itself. A key in use or unknown (not ramkey's own) is
/// offered last, and only through the typed override.
pub fn start_dialog(user: &UserView) -> Dialog {
    let mut options: Vec<(PathKind, String)> = Vec::new();
    for key in user.keys.iter().filter(|key| key.verdict == Verdict::Idle) {
        options.push((PathKind::DisableIdle, key.access_key_id.clone()));
    }
    for key in &user.keys {
        options.push((PathKind::MoveToNewUser, key.access_key_id.clone()));
    }
    if user.recommendation == Recommendation::MoveToNewUser {
        options.sort_by_key(|(path, _)| *path != PathKind::MoveToNewUser);
    }
    // Last, never preselected: a key not judged idle, only on a typed override.
    let overridable: Vec<&KeyView> = user
        .keys
        .iter()
        .filter(|key| {
            matches!(key.verdict, Verdict::InUse | Verdict::Unknown) && !key.used_by_ramkey
        })
        .collect();

    let mut labels: Vec<String> = options
        .iter()
        .map(|(path, key_id)| match path {
            PathKind::DisableIdle if is_ramkeys(user, key_id) => {
                format!("Disable idle key {key_id} (the key ramkey is using)")
            }
            PathKind::DisableIdle => format!("Disable idle key {key_id}, delete it later"),
            PathKind::MoveToNewUser if is_ramkeys(user, key_id) => {
                format!("Move the application using {key_id} (the key ramkey is using)")
            }
            PathKind::MoveToNewUser => {
                format!("Move the application using {key_id} to a new user")
            }
        })
        .collect();
    labels.extend(
        overridable
            .iter()
            .map(|key| override_dialog::option_label(key)),
    );
    let mut options: Vec<StartOption> = options
        .into_iter()
        .map(|(path, key_id)| StartOption::Path(path, key_id))
        .collect();
    options.extend(overridable.into_iter().cloned().map(StartOption::Override));
    let mut body = vec![format!(
        "How should {} give up one key? Recommended: {}.",
        user.user_name,
        user.recommendation.label()
    )];
    body.extend(user.keys.iter().map(|key| format!("  {}", key_line(key))));
    if let Some(own) = user.keys.iter().find(|key| key.used_by_ramkey) {
        body.push(format!(
            "ramkey signs with {}: a move of it reaches its disable (step 8) only if you \
             restart ramkey with another credential before then, preferably STS (a RamRoleArn \
             profile with --profile NAME); otherwise the disable is refused.",
            own.access_key_id
        ));
    }
    Dialog::Start(Choice::new("Start a rotation", body, labels), options)
}

/// Whether `key_id` is the key ramkey signs with.
fn is_ramkeys(user: &UserView, key_id: &str) -> bool {
    user.keys
        .iter()
        .any(|key| key.access_key_id == key_id && key.used_by_ramkey)
}
