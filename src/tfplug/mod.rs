//! Terraform plugin protocol v6 server and a small resource framework on top of it.
//!
//! Layers, outermost first:
//! - [`server`]: go-plugin handshake, strict AutoMTLS, health/controller/stdio/broker, debug mode.
//! - `framework` (private): implements the tfplugin6 `Provider` service, applying Terraform's
//!   planning rules once for every resource.
//! - [`provider`], [`resource`], [`schema`], [`diag`], [`value`]: what a provider author uses.
//!
//! Generated protobuf code stays private to this module.

pub mod diag;
mod framework;
mod proto;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod server;
pub mod value;

pub use server::serve_main;
