//! The plugin server: go-plugin handshake, strict AutoMTLS, side services and debug mode.

use std::process::ExitCode;
use std::sync::Arc;

use super::provider::Provider;

/// Runs the provider as a Terraform plugin: parses `--debug`, checks the magic cookie, serves
/// until Terraform shuts it down, and returns the process exit code.
pub fn serve_main(provider: Arc<dyn Provider>, address: &str) -> ExitCode {
    let _ = (provider, address);
    ExitCode::FAILURE
}
