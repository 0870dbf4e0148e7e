//! The Tencent Cloud provider for CLB target group associations.
//!
//! The workspace's layers, each a crate that knows only the one below it:
//! - `tfplug` (crates/tfplug): Terraform plugin protocol 6 server and provider framework; knows
//!   nothing of Tencent.
//! - [`clb`] (this crate): the provider, its `tencentcloud_clb_target_group_association` resource
//!   and its data source.
//! - `tencentcloud` (crates/tencentcloud): the Tencent Cloud API 3.0 client; knows nothing of
//!   Terraform.
//! - `tencentcloud_emulator` (crates/emulator): a local server speaking the API, which the tests
//!   and the demo run against. This crate's binaries include it; its library code never calls it.

pub mod clb;
