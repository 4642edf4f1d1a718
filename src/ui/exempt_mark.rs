//! What the wizard refuses for a user the admin exempted (`--exempt`, the
//! config file's `[[exempt]]`): no rotation starts for it, as `ramkey scan`
//! does not flag it. A rotation started before the exemption goes on.
//!
//! Pure: a user view in, the refusal's words out.

use super::view::{RowMark, UserView};

/// Why no rotation may start for `user`: it is exempt and none has started.
pub fn refusal(user: &UserView) -> Option<String> {
    if user.rotation.is_some() {
        return None;
    }
    let reason = user.marks.iter().find_map(|mark| match mark {
        RowMark::Exempt { reason } => Some(reason.as_str()),
        _ => None,
    })?;
    let why = if reason.is_empty() {
        String::new()
    } else {
        format!(" ({reason})")
    };
    Some(format!(
        "{} is exempt{why}: ramkey starts no rotation for it. To rotate it, run ramkey without \
         that exemption (--exempt or the config file's [[exempt]]).",
        user.user_name
    ))
}
