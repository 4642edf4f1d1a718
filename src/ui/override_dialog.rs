//! The typed override that alone lets the admin start disabling a key not
//! judged idle (in use, or unknown): the start choice offers it last,
//! never first, and its field takes only a statement naming the whole key
//! id with a reason, so a reflex Enter never passes (the engine checks the
//! statement again, and audits it).
//!
//! Depends on the text field, [`super::view`] and the statement's rule in
//! [`crate::rotation::overrides`].

use super::text;
use super::text_input::{Invalid, TextInput};
use super::view::{KeyView, Request, Verdict};
use crate::rotation::overrides::KeyOverride;

/// The box's text width.
const WIDTH: usize = 68;

/// The start choice's line for a key not judged idle.
pub fn option_label(key: &KeyView) -> String {
    format!(
        "Disable {} anyway ({}): typed override",
        key.access_key_id,
        key.verdict.label()
    )
}

/// Why `key` is not idle, in the admin's words: `unknown` says why.
pub fn why_not_idle(key: &KeyView) -> String {
    let id = &key.access_key_id;
    match (key.verdict, key.last_used) {
        (Verdict::InUse, Some(at)) => format!(
            "{id} is in use: last used {}, within the idle threshold.",
            at.format("%Y-%m-%d %H:%M UTC")
        ),
        (Verdict::Unknown, None) => match &key.reason {
            // The scan's own words: which of the causes this key has.
            Some(reason) => format!("{id} is unknown: {reason}. That does not show it is unused."),
            None => format!(
                "{id} is unknown: RAM gave no last-use date. It may be too new to judge, never \
                 used, or used before RAM tracked last use; none of these shows it is unused."
            ),
        },
        (Verdict::Unknown, Some(at)) => format!(
            "{id} is unknown: its last use ({}) could not be judged (after this machine's \
             clock?).",
            at.format("%Y-%m-%d %H:%M UTC")
        ),
        (verdict, _) => format!("{id} is {}.", verdict.label()),
    }
}

/// The field for the statement about `key` of `user`.
// TODO: the text field shows one line, so the end of a statement longer than
// the box (about 55 characters) is cut on screen while it is typed (it is
// kept whole): `TextInput` should scroll to keep the cursor in view.
pub fn field(user: &str, key: &KeyView) -> TextInput {
    let id = key.access_key_id.clone();
    let mut body = text::wrap(&why_not_idle(key), WIDTH);
    body.push(String::new());
    body.extend(text::wrap(
        &format!(
            "Disabling it may break the application of {user} that uses it. To go on anyway, \
             state what you know: the whole key id and why, e.g. \"I know {id} is unused: its \
             job was retired in March\". It is recorded in the audit log."
        ),
        WIDTH,
    ));
    let rule = id.clone();
    TextInput::new(
        format!("Override: disable {id} although it is not idle"),
        body,
        "Statement",
        "",
        Box::new(move |typed: &str| {
            KeyOverride::parse(&rule, typed)
                .map(|_| ())
                .map_err(|error| Invalid(error.to_string()))
        }),
    )
}

/// What the field's accepted statement asks the engine for.
pub fn request(key_id: &str, statement: &str) -> Request {
    Request::StartOverride {
        key_id: key_id.to_owned(),
        statement: statement.trim().to_owned(),
    }
}
