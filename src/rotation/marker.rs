//! The mark ramkey leaves in the Comments of a user it creates, so that a
//! retry can tell its own user from someone else's of the same name.
//!
//! Pure string work; RAM allows Comments of up to 128 characters, and a
//! 64-character user name still fits.

/// The Comments for the new user of rotation `rotation_id`, replacing `user`.
pub fn comments(user: &str, rotation_id: &str) -> String {
    format!("ramkey: replaces {user} (rotation {rotation_id})")
}

/// Whether a user's Comments say it was created by this rotation.
///
/// Only an exact mark counts: a user that merely mentions ramkey, or was made
/// by another rotation, is somebody else's and must never be adopted.
pub fn is_from_rotation(comments_found: &str, user: &str, rotation_id: &str) -> bool {
    comments_found == comments(user, rotation_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_is_recognised_only_for_its_own_rotation() {
        let mark = comments("app-user", "0123456789ab");
        assert_eq!(mark, "ramkey: replaces app-user (rotation 0123456789ab)");
        assert!(is_from_rotation(&mark, "app-user", "0123456789ab"));

        assert!(!is_from_rotation(&mark, "app-user", "ffffffffffff"));
        assert!(!is_from_rotation(&mark, "other", "0123456789ab"));
        assert!(!is_from_rotation("", "app-user", "0123456789ab"));
        assert!(!is_from_rotation(
            "made by hand",
            "app-user",
            "0123456789ab"
        ));
    }

    #[test]
    fn fits_in_ram_comments_for_the_longest_user_name() {
        let longest = "a".repeat(64);
        assert!(comments(&longest, "0123456789ab").chars().count() <= 128);
    }
}
