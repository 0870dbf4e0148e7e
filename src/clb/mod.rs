//! The provider (`tencentcloud`) and its resource `tencentcloud_clb_target_group_association`.
//!
//! Grouped by job:
//! - [`provider`]: the provider block and what configuring it hands to resources;
//! - [`binding`]: one binding as a value (its ID, identity, validation, timeouts, and the
//!   official attachment's format), testable without Terraform or the API;
//! - [`resource`]: `tencentcloud_clb_target_group_association` (schema, plan, import, identity,
//!   moves) and [`data_source`]: `tencentcloud_clb_target_group_associations`;
//! - [`association`] (create, read, delete one binding safely) and [`checks`] (plan-time checks
//!   against the cloud), which call the cloud through the per-load-balancer [`engine`];
//! - [`cloud`]: the engine's port to the cloud, the small [`cloud::ClbApi`] trait, with its real
//!   implementation and an in-memory fake for unit tests;
//! - [`list`]: the list resource for `terraform query`, and [`functions`]: the provider-defined
//!   functions around the binding ID;
//! - [`errors`]: failures turned into diagnostics.

#![deny(missing_docs)]

pub mod association;
pub mod binding;
pub mod checks;
pub mod cloud;
pub mod data_source;
pub mod engine;
pub mod errors;
pub mod functions;
pub mod list;
pub mod provider;
pub mod resource;

/// Source address Terraform configurations use for this provider.
pub const PROVIDER_ADDRESS: &str = "terraform.local/tencentcloud/tencentcloud";
