//! The provider (`tencentcloud`) and its resource `tencentcloud_clb_target_group_association`.
//!
//! Pure building blocks live in their own files (ID format, validation, timeouts, per-load-balancer
//! lock, error explanations) so they can be tested without Terraform or the API. The resource logic
//! ([`association`], [`checks`]) is written against the small [`api::ClbApi`] trait.

#![deny(missing_docs)]

pub mod api;
pub mod association;
pub mod checks;
pub mod client_api;
pub mod data_source;
pub mod diag;
pub mod errors;
pub mod id;
pub mod identity;
pub mod lock;
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

/// Entry point of the `terraform-provider-tencentcloud` binary.
pub fn main() -> std::process::ExitCode {
    // Our own modules (the framework included) follow TF_LOG; dependencies only when they warn.
    let log_filter = crate::tfplug::server::logging::LogFilter::targets(
        [env!("CARGO_CRATE_NAME")],
        tracing::Level::WARN,
    );
    crate::tfplug::serve_main(
        std::sync::Arc::new(provider::TencentCloudProvider::new()),
        PROVIDER_ADDRESS,
        log_filter,
    )
}

/// Source address Terraform configurations use for this provider.
pub const PROVIDER_ADDRESS: &str = "terraform.local/tencentcloud/tencentcloud";
