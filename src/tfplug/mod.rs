//! Terraform plugin protocol v6 server and a small resource framework on top of it.
//!
//! Layers, outermost first:
//! - [`server`]: go-plugin handshake, strict AutoMTLS, health/controller/stdio/broker, debug mode.
//! - `framework` (private): implements the tfplugin6 `Provider` service, applying Terraform's
//!   planning rules once for every resource (computed nulls become unknown on change, prior
//!   values kept for unchanged/`use_state_for_unknown`, `requires_replace`, destroy plans,
//!   JSON state upgrade, write-only attributes nulled).
//! - [`provider`], [`resource`], [`schema`], [`diag`], [`value`]: what a provider author uses.
//!
//! Generated protobuf code stays private to this module.
//!
//! # A resource in brief
//!
//! ```no_run
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use serde::{Deserialize, Serialize};
//! use tencentcloud_provider::tfplug::diag::Diagnostics;
//! use tencentcloud_provider::tfplug::provider::{ConfigureProviderRequest, Context, Provider};
//! use tencentcloud_provider::tfplug::resource::*;
//! use tencentcloud_provider::tfplug::schema::{Attribute, Block, Schema};
//! use tencentcloud_provider::tfplug::value::{from_value, to_value};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Thing { id: Option<String>, name: String }
//!
//! struct ThingResource;
//!
//! #[async_trait]
//! impl Resource for ThingResource {
//!     fn type_name(&self) -> &str { "example_thing" }
//!     fn schema(&self) -> Schema {
//!         Schema::new(0, Block::new()
//!             .attribute(Attribute::string("id").computed().use_state_for_unknown())
//!             .attribute(Attribute::string("name").required().requires_replace()))
//!     }
//!     async fn create(&self, _ctx: &Context, req: CreateRequest) -> CreateResponse {
//!         let mut resp = CreateResponse::default();
//!         let mut thing: Thing = match from_value(&req.config) {
//!             Ok(t) => t,
//!             Err(e) => { resp.diagnostics.value_error("Invalid configuration", &e); return resp; }
//!         };
//!         thing.id = Some(format!("thing-{}", thing.name));
//!         match to_value(&thing, &self.schema().value_type()) {
//!             Ok(v) => resp.new_state = Some(v),
//!             Err(e) => resp.diagnostics.value_error("Internal error", &e),
//!         }
//!         resp
//!     }
//!     async fn read(&self, _ctx: &Context, req: ReadRequest) -> ReadResponse {
//!         ReadResponse { new_state: Some(req.current_state), ..Default::default() }
//!     }
//!     async fn update(&self, _ctx: &Context, req: UpdateRequest) -> UpdateResponse {
//!         UpdateResponse { new_state: Some(req.planned_state), ..Default::default() }
//!     }
//!     async fn delete(&self, _ctx: &Context, _req: DeleteRequest) -> DeleteResponse {
//!         DeleteResponse::default()
//!     }
//! }
//!
//! struct ExampleProvider;
//!
//! #[async_trait]
//! impl Provider for ExampleProvider {
//!     fn type_name(&self) -> &str { "example" }
//!     fn schema(&self) -> Schema { Schema::new(0, Block::new()) }
//!     async fn configure(&self, _ctx: &Context, _req: ConfigureProviderRequest) -> Diagnostics {
//!         Diagnostics::default()
//!     }
//!     fn resources(&self) -> Vec<Arc<dyn Resource>> { vec![Arc::new(ThingResource)] }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     tencentcloud_provider::tfplug::serve_main(Arc::new(ExampleProvider), "terraform.local/example/example")
//! }
//! ```

pub mod diag;
mod framework;
mod proto;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod server;
pub mod value;

pub use server::serve_main;
