//! A string that must never reach a log, a state file, an error or a panic.
//!
//! `Debug` and `Display` print `** redacted **`; the value is wiped from memory
//! when dropped. The only way to read it is [`Secret::expose`], which makes
//! every use easy to find. [`export`] writes a new key to a file the admin
//! names.

pub mod export;

use std::fmt;

use zeroize::Zeroizing;

/// An AccessKey secret, an STS token, or anything else as sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a sensitive value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value itself, for signing or for the one-time display.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("PupkTg8jdmau1cXxYacgE736PJj4cA");
        assert_eq!(format!("{secret:?}"), "** redacted **");
        assert_eq!(format!("{secret}"), "** redacted **");
        assert_eq!(secret.expose(), "PupkTg8jdmau1cXxYacgE736PJj4cA");
    }
}
