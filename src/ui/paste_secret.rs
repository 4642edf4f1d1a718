//! The new key's secret, pasted to check the key after a restart: a masked
//! field, then a confirmation that only `y` passes (BC-16).
//!
//! A paste without bracketed paste brings its line break as Enter, and
//! when the terminal hands it over in two reads, that Enter looks typed.
//! So Enter on the field never checks the key: it opens the question
//! "Check the new key with this secret (30 characters)? [y/n]", which Enter
//! does not answer, so even `secret` followed by two line breaks goes no
//! further. A blank typed into the field (a paste with bracketed paste
//! arrives trimmed) is refused before the secret is used: it would sign to
//! `SignatureDoesNotMatch`. Pure; depends on the dialogs only.

use super::flow::{Dialog, Then};
use super::question::Question;
use super::text;
use super::text_input::{Invalid, TextInput};
use super::view::Request;
use crate::secret::Secret;

/// Inside width of the field's box (72 columns less its borders).
const FIELD_WIDTH: usize = 70;

/// Inside width of the question's box (70 columns less its borders).
const QUESTION_WIDTH: usize = 68;

/// `lines` wrapped ahead of time, so each box is as tall as its text.
fn wrapped(lines: &[String], width: usize) -> Vec<String> {
    lines
        .iter()
        .flat_map(|line| text::wrap(line, width))
        .collect()
}

/// The masked field for the secret of `key_id`.
pub fn field(key_id: &str) -> TextInput {
    let body = [
        format!(
            "ramkey no longer holds the secret of {key_id} (it was restarted since the key was \
             created). Paste it from where you stored it; it is used only to sign one \
             harmless read (STS GetCallerIdentity), never stored or logged."
        ),
        "API: GetCallerIdentity signed with the new key, every 3 s for up to 2 minutes".to_owned(),
    ];
    masked_field(&body)
}

/// The field again after a check refused the secret (or found none held):
/// `why` leads, in the engine's words.
pub fn field_again(key_id: &str, why: &str) -> TextInput {
    let body = [
        why.to_owned(),
        format!(
            "Paste the secret of {key_id} again, exactly as stored; it is used only to sign \
             one harmless read (STS GetCallerIdentity), never stored or logged."
        ),
    ];
    masked_field(&body)
}

/// The masked field under `body`.
fn masked_field(body: &[String]) -> TextInput {
    TextInput::new(
        "Verify the new key",
        wrapped(body, FIELD_WIDTH),
        "Secret",
        "",
        Box::new(|value: &str| rule(value).map_err(|why| Invalid(why.to_owned()))),
    )
    .masked()
}

/// What the field refuses: nothing, and any blank (an AccessKey secret has
/// none, so a blank is a slip of the paste or the keyboard).
fn rule(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("Paste the secret first.");
    }
    if value.trim() != value {
        return Err(
            "The secret starts or ends with a blank; an AccessKey secret has none. Erase \
             it, or Esc and paste again.",
        );
    }
    if value.chars().any(char::is_whitespace) {
        return Err("The secret holds a blank; an AccessKey secret has none. Esc and paste again.");
    }
    Ok(())
}

/// The question Enter on the field opens: only `y` checks the key.
pub fn confirm(secret: Secret) -> Dialog {
    let length = secret.expose().chars().count();
    let body = [
        format!("The secret you entered has {length} characters; it stays hidden."),
        "ramkey signs one read with it (STS GetCallerIdentity) to check the new key.".to_owned(),
        "Enter does not answer here, so a line break that came with a paste cannot check it."
            .to_owned(),
    ];
    let question = Question::new(
        "Verify the new key",
        wrapped(&body, QUESTION_WIDTH),
        format!("Check the new key with this secret ({length} characters)? [y/n]"),
    );
    let request = Request::VerifyKey {
        secret: Some(secret),
    };
    Dialog::Ask(question, Then::Perform(request))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_anywhere_are_refused_and_a_plain_secret_passes() {
        assert!(rule("").is_err());
        assert!(rule(" wJalrXUtn").unwrap_err().contains("starts or ends"));
        assert!(rule("wJalrXUtn\t").unwrap_err().contains("starts or ends"));
        assert!(rule("wJalr XUtn").unwrap_err().contains("holds a blank"));
        assert_eq!(rule("wJalrXUtnFEMI0K7MDENG"), Ok(()));
    }
}
