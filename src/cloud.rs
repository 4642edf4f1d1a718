//! The Alibaba Cloud client: request signing, credentials, transport and the
//! typed RAM, STS, IMS and KMS calls ramkey makes.
//!
//! Knows nothing of the UI, the scan, the rotation engine or the state file.

pub mod client;
pub mod credentials;
pub mod endpoints;
pub mod error;
pub mod ims;
pub mod kms;
mod lenient;
pub mod model;
pub mod pace;
pub mod ram;
mod response;
pub mod retry;
pub mod sign;
pub mod sign_v3;
mod signed_call;
pub mod sts;
mod transport;

pub use client::{Client, ClientConfig, ClientOptions, SignatureVersion};
pub use credentials::{Credentials, CredentialsError};
pub use endpoints::{EndpointError, Endpoints, Region, RegionError, Service};
pub use error::{ApiError, CloudError, UnexpectedBody};
pub use ram::ListProgress;
pub use retry::{Retry, RetryNotice, RetryObserver, RetryPolicy};
pub use transport::Timeouts;
