//! The Alibaba Cloud client: request signing, credentials, transport and the
//! typed RAM and STS calls ramkey makes.
//!
//! Knows nothing of the UI, the scan, the rotation engine or the state file.

pub mod model;
pub mod sign;
