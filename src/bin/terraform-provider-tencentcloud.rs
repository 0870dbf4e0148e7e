//! The Terraform provider binary; Terraform starts it and talks gRPC to it.

use std::sync::Arc;

use tencentcloud_provider::clb::{PROVIDER_ADDRESS, provider::TencentCloudProvider};
use tencentcloud_provider::tfplug::server::logging::LogFilter;

fn main() -> std::process::ExitCode {
    // Our own library (the framework included) follows TF_LOG / TF_LOG_PROVIDER; dependencies
    // (h2, hyper, rustls) are shown only when they warn.
    let log_filter = LogFilter::targets(["tencentcloud_provider"], tracing::Level::WARN);
    tencentcloud_provider::tfplug::serve_main(
        Arc::new(TencentCloudProvider::new()),
        PROVIDER_ADDRESS,
        log_filter,
    )
}
