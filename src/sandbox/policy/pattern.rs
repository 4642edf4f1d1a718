//! The wildcards of policy documents: `*` stands for any run of characters
//! (none too) and `?` for exactly one. Actions compare without regard to
//! case, as RAM compares them; resources compare exactly.

/// Whether `action` (e.g. `ram:ListUsers`) matches `pattern` (e.g. `ram:list*`).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    wildcard_match(&pattern.to_lowercase(), &action.to_lowercase())
}

/// Whether `resource` (an ARN) matches `pattern`, case and all.
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    wildcard_match(pattern, resource)
}

/// Glob matching with backtracking to the last `*` only, so a pattern with
/// many stars never takes more than pattern × text steps.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was (the pattern index after it) and how much of
    // the text it has swallowed so far.
    let mut last_star: Option<(usize, usize)> = None;

    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                last_star = Some((p + 1, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((after_star, swallowed)) => {
                    p = after_star;
                    t = swallowed + 1;
                    last_star = Some((after_star, t));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_question_marks() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("ram:*", "ram:ListUsers", true),
            ("ram:List*", "ram:ListUsers", true),
            ("ram:List*", "ram:GetUser", false),
            ("ram:?etUser", "ram:GetUser", true),
            ("ram:?etUser", "ram:etUser", false),
            ("*Access*", "ram:CreateAccessKey", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("a**", "a", true),
            ("", "", true),
            ("", "a", false),
            ("user/用户?", "user/用户甲", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                wildcard_match(pattern, text),
                expected,
                "{pattern} ~ {text}"
            );
        }
    }

    #[test]
    fn actions_ignore_case_and_resources_do_not() {
        assert!(action_matches("RAM:listusers", "ram:ListUsers"));
        assert!(!resource_matches(
            "acs:ram:*:*:user/CI-*",
            "acs:ram:*:1:user/ci-deployer"
        ));
        assert!(resource_matches(
            "acs:ram:*:*:user/ci-*",
            "acs:ram:*:1:user/ci-deployer"
        ));
    }
}
