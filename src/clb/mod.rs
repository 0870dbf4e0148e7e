//! The provider (`tencentcloud`) and its resource `tencentcloud_clb_target_group_association`.
//!
//! Pure building blocks live in their own files (ID format, validation, timeouts, error
//! explanations) so they can be tested without Terraform or the API. The resource logic
//! ([`association`], [`checks`]) calls the cloud through the per-load-balancer [`engine`], which
//! batches writes and shares reads over the small [`api::ClbApi`] trait.

#![deny(missing_docs)]

pub mod api;
pub mod association;
pub mod checks;
pub mod client_api;
pub mod data_source;
pub mod engine;
pub mod errors;
pub mod id;
pub mod identity;
pub mod lookup;
pub mod official_move;
pub mod provider;
pub mod provider_config;
pub mod resource;
pub mod resource_identity;
pub mod resource_move;
pub mod resource_plan;
pub mod timeouts;
pub mod validate;

#[cfg(test)]
mod association_tests;
#[cfg(test)]
mod fake;
#[cfg(test)]
mod resource_tests;

/// Source address Terraform configurations use for this provider.
pub const PROVIDER_ADDRESS: &str = "terraform.local/tencentcloud/tencentcloud";
