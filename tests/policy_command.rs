//! `ramkey policy [--scan-only]`: prints the shipped documents as pure JSON,
//! with no credentials, no network and no files; the documents are valid
//! RAM policies listing exactly ramkey's own actions.

mod policy_support;

use std::process::Command;

use policy_support::{REMEDIATE, SCAN_ONLY, actions_of, document};
use ramkey::sandbox::policy::PolicyDocument;
use serde_json::Value;

/// Runs `ramkey policy` with these arguments in an empty environment: no
/// credentials, a HOME of its own and an endpoint where nothing listens.
fn ramkey_policy(args: &[&str]) -> (Value, String) {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ramkey"))
        .arg("policy")
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("RAMKEY_ENDPOINT", "http://127.0.0.1:9")
        .output()
        .expect("ramkey runs");
    assert!(output.status.success(), "{output:?}");

    let leftovers: Vec<_> = std::fs::read_dir(home.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "ramkey policy wrote {leftovers:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (json, String::from_utf8(output.stderr).unwrap())
}

#[test]
fn both_documents_print_as_version_1_json_and_nothing_else() {
    for (args, shipped) in [(&[][..], REMEDIATE), (&["--scan-only"][..], SCAN_ONLY)] {
        let (printed, stderr) = ramkey_policy(args);
        assert_eq!(printed["Version"], "1", "{args:?}");
        assert!(
            printed["Statement"]
                .as_array()
                .is_some_and(|s| !s.is_empty()),
            "{args:?}: {printed}"
        );
        assert_eq!(printed, document(shipped), "{args:?}");
        assert_eq!(stderr, "", "{args:?}: notes are for terminals only");
    }
}

#[test]
fn the_documents_are_valid_ram_policies() {
    for shipped in [REMEDIATE, SCAN_ONLY] {
        let parsed = PolicyDocument::parse(shipped).expect("the sandbox's grammar check");
        assert!(!parsed.statements().is_empty());
    }
}

#[test]
fn the_documents_name_exact_ram_actions_and_the_scan_is_a_read_only_subset() {
    let remediate = actions_of(&document(REMEDIATE));
    let scan_only = actions_of(&document(SCAN_ONLY));
    for action in remediate.iter().chain(&scan_only) {
        let name = action
            .strip_prefix("ram:")
            .or_else(|| action.strip_prefix("kms:"))
            .unwrap_or_else(|| panic!("{action}"));
        assert!(
            name.chars().all(|c| c.is_ascii_alphabetic()),
            "no wildcards, exact API names only: {action}"
        );
    }
    for action in &scan_only {
        assert!(
            remediate.contains(action),
            "{action} missing from remediate"
        );
        let name = &action["ram:".len()..];
        // GenerateCredentialReport makes a report; it changes nothing in the account.
        assert!(
            name.starts_with("List")
                || name.starts_with("Get")
                || name.starts_with("Describe")
                || name == "GenerateCredentialReport",
            "the scan-only policy must not write: {action}"
        );
    }
    // KMS is read to recognise managed users, never its secrets' values.
    for action in ["kms:ListSecrets", "kms:DescribeSecret"] {
        assert!(scan_only.iter().any(|a| a == action), "{action}");
    }
    assert!(!remediate.iter().any(|a| a.contains("GetSecretValue")));
    // Anyone may ask who they are, so the documents do not list it.
    assert!(!remediate.iter().any(|a| a.contains("GetCallerIdentity")));
}
