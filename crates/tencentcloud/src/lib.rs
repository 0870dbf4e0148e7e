//! Tencent Cloud API 3.0 client: TC3 signing, credentials, endpoints, retries, rate limits and the
//! CLB actions the provider needs. Knows nothing of Terraform.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use tencentcloud::clb::{
//!     AssociateTargetGroupsRequest, TargetGroupAssociation, TaskWaiter,
//! };
//! use tencentcloud::{
//!     Client, ClientConfig, CredentialOptions, Deadline, EndpointOptions,
//! };
//!
//! let client = Client::new(ClientConfig {
//!     credentials: CredentialOptions {
//!         secret_id: Some("AKIDEXAMPLE".into()),
//!         secret_key: Some("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE".into()),
//!         ..Default::default()
//!     },
//!     region: Some("ap-guangzhou".into()),
//!     endpoint: EndpointOptions {
//!         endpoint: Some("http://127.0.0.1:18931".into()),
//!         ..Default::default()
//!     },
//!     ..Default::default()
//! })
//! .await?;
//! let req = AssociateTargetGroupsRequest {
//!     associations: vec![TargetGroupAssociation {
//!         load_balancer_id: "lb-demo0001".into(),
//!         target_group_id: "lbtg-web00001".into(),
//!         listener_id: Some("lbl-tcp00001".into()),
//!         ..Default::default()
//!     }],
//! };
//! let accepted = client
//!     .associate_target_groups(&req, &Deadline::in_(Duration::from_secs(300)))
//!     .await?;
//! TaskWaiter::new(client.clone())
//!     .wait(&accepted.request_id, &Deadline::in_(Duration::from_secs(600)))
//!     .await?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod clb;
pub mod client;
pub mod credentials;
pub mod deadline;
pub mod endpoint;
pub mod envelope;
pub mod error;
pub mod ratelimit;
pub mod redact;
pub mod retry;
pub mod sign;
pub mod sts;

pub use client::{CallKind, Client, ClientConfig};
pub use credentials::CredentialOptions;
pub use deadline::Deadline;
pub use endpoint::EndpointOptions;
pub use error::{ApiError, ConfigError};
