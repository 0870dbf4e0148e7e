//! The Terraform provider binary; Terraform starts it and talks gRPC to it.

use std::sync::Arc;

use tencentcloud_provider::clb::{PROVIDER_ADDRESS, provider::TencentCloudProvider};
use tfplug::server::logging::LogFilter;

fn main() -> std::process::ExitCode {
    // Our own crates (the framework and the API client included) follows TF_LOG / TF_LOG_PROVIDER; dependencies
    // (h2, hyper, rustls) are shown only when they warn.
    let log_filter = LogFilter::targets(
        ["tencentcloud_provider", "tfplug", "tencentcloud"],
        tracing::Level::WARN,
    );
    tfplug::serve_main(
        Arc::new(TencentCloudProvider::new()),
        PROVIDER_ADDRESS,
        log_filter,
    )
}
