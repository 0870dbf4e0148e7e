//! Tencent Cloud API 3.0 client: TC3 signing, credentials, endpoints, retries, rate limits and the
//! CLB actions the provider needs. Knows nothing of Terraform.

pub mod clb;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod envelope;
pub mod error;
pub mod ratelimit;
pub mod redact;
pub mod retry;
pub mod sign;
