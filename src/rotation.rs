//! The remediation engine: both paths as persisted steps.
