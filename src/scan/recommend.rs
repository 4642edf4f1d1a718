//! Which remediation path fits a flagged user, from its keys' verdicts.
//!
//! Pure; knows only [`Verdict`].

use serde::Serialize;

use super::verdict::Verdict;

/// The path ramkey suggests for a flagged user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// One key idle, the other in use: disable the idle one, delete it later.
    DisableIdle,
    /// Both keys in use: give one application a new RAM user and key.
    MoveToNewUser,
    /// The evidence does not support either path on its own.
    Review,
    /// A KMS secret manages the keys and its rotation is stuck: mend the
    /// rotation (service role, RotateSecret); never disable a key by hand.
    FixKmsRotation,
}

impl Recommendation {
    /// The JSON value: `disable_idle`, `move_to_new_user`, `review` or
    /// `fix_kms_rotation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::DisableIdle => "disable_idle",
            Recommendation::MoveToNewUser => "move_to_new_user",
            Recommendation::Review => "review",
            Recommendation::FixKmsRotation => "fix_kms_rotation",
        }
    }
}

/// The recommendation for the verdicts of a user's two Active keys.
///
/// `unknown` never selects the disable path: without a last-use date there
/// is no evidence that disabling is safe.
pub fn recommend(verdicts: &[Verdict]) -> Recommendation {
    let count = |wanted: Verdict| verdicts.iter().filter(|v| **v == wanted).count();
    match (verdicts.len(), count(Verdict::Idle), count(Verdict::InUse)) {
        (2, 1, 1) => Recommendation::DisableIdle,
        (2, 0, 2) => Recommendation::MoveToNewUser,
        _ => Recommendation::Review,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::{Idle, InUse, Unknown};

    #[test]
    fn recommendations_table() {
        let cases: &[(&[Verdict], Recommendation)] = &[
            (&[Idle, InUse], Recommendation::DisableIdle),
            (&[InUse, Idle], Recommendation::DisableIdle),
            (&[InUse, InUse], Recommendation::MoveToNewUser),
            (&[Idle, Idle], Recommendation::Review),
            (&[Idle, Unknown], Recommendation::Review),
            (&[Unknown, Idle], Recommendation::Review),
            (&[InUse, Unknown], Recommendation::Review),
            (&[Unknown, Unknown], Recommendation::Review),
            (&[InUse], Recommendation::Review),
            (&[], Recommendation::Review),
            (&[Idle, InUse, InUse], Recommendation::Review),
        ];
        for (verdicts, expected) in cases {
            assert_eq!(recommend(verdicts), *expected, "{verdicts:?}");
        }
    }

    #[test]
    fn json_names() {
        for (recommendation, name) in [
            (Recommendation::DisableIdle, "disable_idle"),
            (Recommendation::MoveToNewUser, "move_to_new_user"),
            (Recommendation::Review, "review"),
            (Recommendation::FixKmsRotation, "fix_kms_rotation"),
        ] {
            assert_eq!(serde_json::to_value(recommendation).unwrap(), name);
            assert_eq!(recommendation.as_str(), name);
        }
    }
}
