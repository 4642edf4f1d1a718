//! The documents of the System policies the sandbox knows. System policies
//! are Alibaba's own, so an account file names them without a document.
//!
//! These reproduce the RAM and STS part of each policy; `ReadOnlyAccess` is
//! reduced to read-like action prefixes of every service, and
//! `AliyunKMSReadOnlyAccess` to KMS's listing and describing actions. A
//! System policy not listed here grants nothing in the sandbox: none of the
//! others is about RAM, STS or KMS.

use std::sync::LazyLock;

use super::document::PolicyDocument;

/// Name and document text of each System policy the sandbox knows.
const KNOWN: &[(&str, &str)] = &[
    (
        "AdministratorAccess",
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ),
    (
        "AliyunRAMFullAccess",
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:*","Resource":"*"}]}"#,
    ),
    (
        "AliyunRAMReadOnlyAccess",
        r#"{"Version":"1","Statement":[
            {"Effect":"Allow","Action":["ram:Get*","ram:List*"],"Resource":"*"}]}"#,
    ),
    (
        "ReadOnlyAccess",
        r#"{"Version":"1","Statement":[
            {"Effect":"Allow","Action":["*:Get*","*:List*","*:Describe*","*:Query*"],
             "Resource":"*"}]}"#,
    ),
    (
        "AliyunKMSReadOnlyAccess",
        r#"{"Version":"1","Statement":[
            {"Effect":"Allow","Action":["kms:List*","kms:Describe*"],"Resource":"*"}]}"#,
    ),
    (
        "AliyunSTSAssumeRoleAccess",
        r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#,
    ),
];

static DOCUMENTS: LazyLock<Vec<(&'static str, PolicyDocument)>> = LazyLock::new(|| {
    KNOWN
        .iter()
        .map(|(name, text)| {
            let document = PolicyDocument::parse(text)
                .unwrap_or_else(|error| panic!("built-in document of {name}: {error}"));
            (*name, document)
        })
        .collect()
});

/// The document of the System policy `name`, if the sandbox knows it.
pub fn system_document(name: &str) -> Option<&'static PolicyDocument> {
    DOCUMENTS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, document)| document)
}

/// The names of the System policies that have a document here.
pub fn known_system_policies() -> impl Iterator<Item = &'static str> {
    KNOWN.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_document_parses() {
        for name in known_system_policies() {
            assert!(system_document(name).is_some(), "{name}");
        }
        assert!(system_document("AliyunOSSFullAccess").is_none());
    }
}
