//! Fresh identifiers shaped like production's: RequestIds, UserIds,
//! AccessKey ids and secrets.

use rand::RngExt as _;
use rand::distr::Alphanumeric;

use crate::secret::Secret;

use super::account::Account;

/// An uppercase UUID, as production's `RequestId`.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string().to_uppercase()
}

/// A 16-digit `UserId` no user of the account has.
pub fn user_id(account: &Account) -> String {
    loop {
        let id = rand::rng().random_range(1_000_000_000_000_000_u64..10_000_000_000_000_000);
        let id = id.to_string();
        if account.users.iter().all(|user| user.user_id != id) {
            return id;
        }
    }
}

/// A new AccessKey id (`LTAI5t` and 18 more characters, like production's)
/// that no key of the account has, and its 30-character secret.
pub fn access_key(account: &Account) -> (String, Secret) {
    loop {
        let id = format!("LTAI5t{}", alphanumeric(18));
        if account.key_owner(&id).is_none() {
            return (id, Secret::new(alphanumeric(30)));
        }
    }
}

/// `len` random letters and digits.
pub fn alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_production_shapes() {
        let account = Account::demo();
        let request = request_id();
        assert_eq!(request.len(), 36);
        assert_eq!(request, request.to_uppercase());
        assert_eq!(user_id(&account).len(), 16);
        let (key, secret) = access_key(&account);
        assert!(key.starts_with("LTAI5t") && key.len() == 24, "{key}");
        assert_eq!(secret.expose().len(), 30);
    }
}
