//! RAM's naming rules, shared by the account-file check and the actions.
//!
//! Each rule answers with the `InvalidParameter.<Field>.*` code production
//! uses, so the same check gives a load error or an API error.

/// Why a name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// Empty or too long: `InvalidParameter.<Field>.Length`.
    Length,
    /// A character outside the allowed set: `InvalidParameter.<Field>.InvalidChars`.
    InvalidChars,
}

impl NameProblem {
    /// The code suffix production uses.
    pub fn code_suffix(self) -> &'static str {
        match self {
            NameProblem::Length => "Length",
            NameProblem::InvalidChars => "InvalidChars",
        }
    }
}

/// A kind of name and its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// `UserName`: 1–64 of letters, digits, `.`, `-`, `_`.
    User,
    /// `GroupName`: 1–64 of letters, digits, `-`.
    Group,
    /// `PolicyName`: 1–128 of letters, digits, `-`.
    Policy,
}

impl NameRule {
    /// The request parameter the rule applies to, as in the error code.
    pub fn field(self) -> &'static str {
        match self {
            NameRule::User => "UserName",
            NameRule::Group => "GroupName",
            NameRule::Policy => "PolicyName",
        }
    }

    /// Checks one name.
    pub fn check(self, name: &str) -> Result<(), NameProblem> {
        let (max_len, extra): (usize, &[char]) = match self {
            NameRule::User => (64, &['.', '-', '_']),
            NameRule::Group => (64, &['-']),
            NameRule::Policy => (128, &['-']),
        };
        let len = name.chars().count();
        if len == 0 || len > max_len {
            return Err(NameProblem::Length);
        }
        if name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
        {
            Ok(())
        } else {
            Err(NameProblem::InvalidChars)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_follow_the_ram_rule() {
        assert_eq!(NameRule::User.check("ci-deployer.v2_old"), Ok(()));
        assert_eq!(NameRule::User.check(&"a".repeat(64)), Ok(()));
        assert_eq!(
            NameRule::User.check(&"a".repeat(65)),
            Err(NameProblem::Length)
        );
        assert_eq!(NameRule::User.check(""), Err(NameProblem::Length));
        for bad in ["ops bot", "ops@bot", "运维", "a/b", "a+b"] {
            assert_eq!(
                NameRule::User.check(bad),
                Err(NameProblem::InvalidChars),
                "{bad}"
            );
        }
    }

    #[test]
    fn group_and_policy_names_allow_hyphens_only() {
        assert_eq!(NameRule::Group.check("finance-readers"), Ok(()));
        assert_eq!(
            NameRule::Group.check("dev.team"),
            Err(NameProblem::InvalidChars)
        );
        assert_eq!(NameRule::Policy.check(&"P".repeat(128)), Ok(()));
        assert_eq!(
            NameRule::Policy.check(&"P".repeat(129)),
            Err(NameProblem::Length)
        );
    }
}
