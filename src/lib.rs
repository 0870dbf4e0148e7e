//! Terraform provider for Tencent Cloud CLB target group associations, and a local CLB API emulator.
//!
//! Layers (each knows only the one below it):
//! - [`tfplug`]: Terraform plugin protocol v6 server and resource framework; knows nothing of Tencent.
//! - [`clb`]: the provider and its `tencentcloud_clb_target_group_association` resource.
//! - [`tencentcloud`]: Tencent Cloud API 3.0 client; knows nothing of Terraform.
//! - [`emulator`]: a local HTTP server speaking the CLB API subset.

pub mod clb;
pub mod emulator;
pub mod tencentcloud;
pub mod tfplug;
