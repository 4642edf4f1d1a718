//! The new user's name: the suggestion derived from the original, and the
//! rule RAM enforces (1–64 of letters, digits, `.`, `-`, `_`).
//!
//! Pure; whether the name is free is asked of the cloud elsewhere.

/// RAM's longest `UserName`.
pub const MAX_USER_NAME: usize = 64;

/// Why a name cannot be used for the new user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing was typed.
    #[error("the name is empty; type 1 to {MAX_USER_NAME} characters")]
    Empty,
    /// More than 64 characters.
    #[error("the name has {0} characters; RAM allows at most {MAX_USER_NAME}")]
    TooLong(usize),
    /// A character RAM refuses.
    #[error("the name contains {0:?}; use only letters, digits, '.', '-' and '_'")]
    BadChar(char),
    /// The original user's own name.
    #[error("the new user needs a name of its own, not {0:?}")]
    SameAsOriginal(String),
}

/// Checks a new user's name against RAM's rule and the original's name.
pub fn validate_user_name(name: &str, original: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(NameError::BadChar(bad));
    }
    if name.len() > MAX_USER_NAME {
        return Err(NameError::TooLong(name.len()));
    }
    if name == original {
        return Err(NameError::SameAsOriginal(original.to_owned()));
    }
    Ok(())
}

/// The default name: `<name>-v2`, or the next number when the original
/// already ends in `-vN`; cut so it stays within 64 characters.
pub fn suggest_name(original: &str) -> String {
    let (base, next) = match split_version(original) {
        Some((base, version)) => (base, version.saturating_add(1)),
        None => (original, 2),
    };
    let suffix = format!("-v{next}");
    let room = MAX_USER_NAME.saturating_sub(suffix.len());
    // RAM names are ASCII, so byte and character counts agree; cut on a
    // character boundary anyway in case the original is not a valid name.
    let cut: String = base.chars().take(room).collect();
    format!("{cut}{suffix}")
}

fn split_version(name: &str) -> Option<(&str, u32)> {
    let (base, digits) = name.rsplit_once("-v")?;
    if base.is_empty() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((base, digits.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_table() {
        let long = "a".repeat(64);
        let too_long = "a".repeat(65);
        let cases: &[(&str, Result<(), NameError>)] = &[
            ("app-v2", Ok(())),
            ("a", Ok(())),
            ("A.b_c-9", Ok(())),
            (&long, Ok(())),
            ("", Err(NameError::Empty)),
            (&too_long, Err(NameError::TooLong(65))),
            ("app v2", Err(NameError::BadChar(' '))),
            ("app@corp", Err(NameError::BadChar('@'))),
            ("应用", Err(NameError::BadChar('应'))),
            ("app/../x", Err(NameError::BadChar('/'))),
            ("app\n", Err(NameError::BadChar('\n'))),
            ("app", Err(NameError::SameAsOriginal("app".to_owned()))),
        ];
        for (name, expected) in cases {
            assert_eq!(validate_user_name(name, "app"), *expected, "{name:?}");
        }
    }

    #[test]
    fn suggestion_table() {
        let long = "b".repeat(64);
        let cases: &[(&str, String)] = &[
            ("app-user", "app-user-v2".to_owned()),
            ("app-v2", "app-v3".to_owned()),
            ("app-v9", "app-v10".to_owned()),
            ("app-v", "app-v-v2".to_owned()),
            ("-v3", "-v3-v2".to_owned()),
            ("app-vx", "app-vx-v2".to_owned()),
            (&long, format!("{}-v2", "b".repeat(61))),
        ];
        for (original, expected) in cases {
            let suggested = suggest_name(original);
            assert_eq!(&suggested, expected, "{original}");
            assert_eq!(
                validate_user_name(&suggested, original),
                Ok(()),
                "{original}"
            );
        }
    }
}
