//! What the wizard refuses for a user whose keys a KMS secret manages
//! ([`RowMark::KmsManaged`](super::view::RowMark)): it never offers to
//! disable or delete them, since that breaks the secret's version chain
//! and every application reading it. KMS rotates them; a stuck rotation is
//! mended in KMS (its service role, RotateSecret).
//!
//! Pure: a user view in, the refusal's words out.

use super::view::{StepKind, UserView};

/// Why nothing that would retire one of `user`'s keys may start now: a
/// rotation's start, or its disable or delete step. `None` for a user no
/// KMS secret manages, or a step that retires no key.
pub fn refusal(user: &UserView) -> Option<String> {
    let secret = user.kms_secret()?;
    let retires_a_key = match &user.rotation {
        None => true,
        Some(rotation) => rotation.current().is_some_and(|i| {
            matches!(
                rotation.steps[i].kind,
                StepKind::DisableKey { .. } | StepKind::DeleteKey { .. }
            )
        }),
    };
    retires_a_key.then(|| words(&user.user_name, secret))
}

/// The refusal, also for the `a` key (disable again).
pub fn words(user: &str, secret: &str) -> String {
    format!(
        "{user}'s keys are managed by the KMS secret {secret}: ramkey never disables or deletes \
         them. Let KMS rotate them; if the rotation is stuck, check the KMS service role and use \
         KMS RotateSecret."
    )
}

/// What the rotation screen says instead of offering a start, for a user
/// KMS manages.
pub fn explanation(user: &UserView) -> Option<Vec<String>> {
    let secret = user.kms_secret()?;
    Some(vec![
        format!(
            "KMS-managed: the secret {secret} rotates these keys; ramkey never disables or \
             deletes them (that would break the secret and every application reading it)."
        ),
        "If the rotation is stuck (two keys past the change-over), check the KMS service role \
         AliyunKMSManagedRAMCrendentialsRole and the user's free key slot, then call KMS \
         RotateSecret."
            .to_owned(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::view::{Recommendation, RowMark};

    fn user(marks: Vec<RowMark>) -> UserView {
        UserView {
            user_name: "pay".to_owned(),
            display_name: String::new(),
            keys: Vec::new(),
            recommendation: Recommendation::KmsRotating,
            rotation: None,
            drift: None,
            marks,
        }
    }

    #[test]
    fn only_a_marked_user_is_refused() {
        assert_eq!(refusal(&user(Vec::new())), None);
        let marked = user(vec![RowMark::KmsManaged {
            secret: "acs/ram/user/pay".to_owned(),
        }]);
        let why = refusal(&marked).expect("refused");
        assert!(why.contains("KMS secret acs/ram/user/pay"), "{why}");
        assert!(why.contains("never disables or deletes"), "{why}");
    }
}
