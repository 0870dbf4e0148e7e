//! The `tfplugtest` example provider as a plugin binary.
//!
//! ```text
//! cargo run -p tfplug --example tfplugtest -- --debug
//! ```
//!
//! prints a `TF_REATTACH_PROVIDERS=...` line; export it and run `terraform plan` in a folder
//! that uses `terraform.local/test/tfplugtest` (see the crate README). Started by Terraform
//! itself (a `dev_overrides` entry pointing at the built binary) it serves over AutoMTLS.
//! Terraform starts a new plugin process per command, so `TFPLUGTEST_STORE=<file>` keeps the
//! in-memory "cloud" in a JSON file between them.

mod provider;

use std::process::ExitCode;

use tfplug::server::logging::LogFilter;

fn main() -> ExitCode {
    let store_file = std::env::var_os("TFPLUGTEST_STORE").map(std::path::PathBuf::from);
    let (provider, _store) = provider::TestProvider::with_store_file(store_file);
    tfplug::serve_main(provider, provider::ADDRESS, LogFilter::everything())
}
