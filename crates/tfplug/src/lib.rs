//! Terraform plugin protocol v6 server and a small resource framework on top of it.
//!
//! Layers, outermost first:
//! - [`server`]: go-plugin handshake, strict AutoMTLS, health/controller/stdio/broker, debug mode.
//! - `framework` (private): implements the tfplugin6 `Provider` service, applying Terraform's
//!   planning rules once for every resource (computed nulls become unknown on change, prior
//!   values kept for unchanged/`use_state_for_unknown`, `requires_replace`, destroy plans,
//!   JSON state upgrade, write-only attributes nulled) and the identity rules (wholly known,
//!   of the schema, stable once stored), one file per RPC family. It also enforces the two
//!   consistency rules Terraform checks after the fact, naming the attribute: a plan modifier
//!   must not change a configured value, and apply must not change a known planned value.
//! - [`provider`], [`resource`], [`datasource`], [`schema`], [`typed`], [`diag`], [`value`]:
//!   what a provider author uses. Resources and data sources read and write serde models through
//!   [`typed::TypedValue`]; `Value` plumbing stays inside the framework.
//!
//! Generated protobuf code stays private to this crate.
//!
//! # A resource in brief
//!
//! The example provider in `examples/tfplugtest/` is the complete, compiled and tested version
//! of this sketch.
//!
//! ```no_run
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use serde::{Deserialize, Serialize};
//! use tfplug::provider::*;
//! use tfplug::resource::*;
//! use tfplug::schema::{Attribute, Block, Schema};
//! use tfplug::server::logging::LogFilter;
//!
//! #[derive(Serialize, Deserialize)]
//! struct Thing { id: Option<String>, name: String }
//!
//! /// What the configure step hands to resources.
//! struct Client { prefix: String }
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
//!     async fn create(&self, ctx: &Context, req: CreateRequest, resp: &mut CreateResponse) {
//!         let d = &mut resp.diagnostics;
//!         let (Some(client), Some(mut thing)) = (
//!             d.capture(ctx.require_provider_data::<Client>()),
//!             d.capture(req.config.get::<Thing>()),
//!         ) else { return };
//!         thing.id = Some(format!("{}-{}", client.prefix, thing.name));
//!         // Setters record their own problems in `resp.diagnostics`.
//!         resp.set_state(&thing);
//!     }
//!     // The response already holds the recorded state (read) or the plan (update).
//!     async fn read(&self, _ctx: &Context, _req: ReadRequest, _resp: &mut ReadResponse) {}
//!     async fn update(&self, _ctx: &Context, _req: UpdateRequest, _resp: &mut UpdateResponse) {}
//!     async fn delete(&self, _ctx: &Context, _req: DeleteRequest, _resp: &mut DeleteResponse) {}
//! }
//!
//! struct ExampleProvider;
//!
//! #[async_trait]
//! impl Provider for ExampleProvider {
//!     fn schema(&self) -> Schema { Schema::new(0, Block::new()) }
//!     async fn configure(&self, _ctx: &Context, _req: ConfigureProviderRequest, resp: &mut ConfigureProviderResponse) {
//!         resp.data = ProviderData::ready(Client { prefix: "thing".into() });
//!     }
//!     fn resources(&self) -> Vec<Arc<dyn Resource>> { vec![Arc::new(ThingResource)] }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     tfplug::serve_main(
//!         Arc::new(ExampleProvider),
//!         "terraform.local/example/example",
//!         LogFilter::everything(),
//!     )
//! }
//! ```

//!
//! # Beyond the basics
//!
//! - **Unknown values.** Configuration and plans may hold values known only after apply. Read
//!   such attributes into [`value::Unknowable`] fields (`Unknowable<Option<String>>`); a plain
//!   field that meets an unknown gets a diagnostic naming the attribute.
//! - **Provider data.** `Provider::configure` sets `resp.data` to
//!   [`provider::ProviderData::ready`], or to `ConfigUnknown(attributes)` when the provider
//!   block is not known yet. Resources call `ctx.require_provider_data::<T>()` (a clear
//!   diagnostic when there is none) or match on `ctx.provider_data::<T>()` to degrade gracefully.
//! - **Identity** (Terraform ≥ 1.12): return `Some(self)` from `Resource::identity` and implement
//!   [`resource::ResourceIdentity`]. Every create, read, update, import and move must then call
//!   `resp.set_identity(&model)`; the framework refuses identities that are missing, not wholly
//!   known or changed in place, plans none for a replacement, checks `import { identity }`
//!   against the schema (required attributes, known values) and lets the read after an import
//!   complete optional parts; any read or update may fill in an attribute stored null (one an
//!   identity upgrade added), never change one stored with a value. Terraform 1.11 never asks and is served unchanged.
//! - **Moves** (`moved` across types): return `Some(self)` from `Resource::mover` and list the
//!   accepted sources in [`resource::ResourceMoveState::move_sources`]; anything else gets a
//!   diagnostic that says what to do instead, without reaching the resource.
//! - **Data sources**: implement [`datasource::DataSource`] and return it from
//!   `Provider::data_sources`; the response starts as the configuration, fill in the rest.
//! - **Private data**: [`typed::Private`] holds one serde model per key
//!   (`resp.set_private(key, &model)`).
//! - **Stored state of another schema or type**: upgrades and moves read it into a serde model
//!   with `req.raw_state_as::<T>()` / `req.source_state_as::<T>()`; a mismatch is a diagnostic
//!   naming the attribute.
//! - **List resources** (`terraform query`, Terraform ≥ 1.14): implement [`list::ListResource`]
//!   under the name of a managed resource with an identity and return it from
//!   `Provider::list_resources`; send results with [`list::ListStream::send`] until it returns
//!   false. The framework checks each identity and object, drops objects not asked for and stops
//!   at `limit`.
//! - **Generated configuration** (`-generate-config-out`): served for every resource (configurable
//!   attributes kept, computed-only, deprecated and write-only ones null); refine it with
//!   [`resource::ResourceGenerateConfig`].
//! - **Functions** (Terraform ≥ 1.8): implement [`function::Function`] and return it from
//!   `Provider::functions`; arguments arrive decoded with their parameter's type, and a
//!   [`function::FunctionError`] names the argument at fault. They run on an unconfigured
//!   provider.
//! - **Deferral**: a data source read, a resource refresh, an import or a plan modifier may set
//!   `resp.deferred` when `req.deferral_allowed` (`Context::defer_while_config_unknown` gives the
//!   answer while the provider block is unknown); the framework refuses a deferral Terraform did
//!   not allow, keeps the recorded state of a deferred refresh, and answers a deferred plan with its
//!   own plan (computed attributes unknown). Destroy plans never reach the modifier, so never defer.
//! - **Problems** are [`diag::Diagnostic`]s: code that finds them returns
//!   `Diagnostic::error(summary, detail).at("attribute")`, and the response collects them.
//!
//! The framework checks the provider's definition once (names Terraform reserves such as
//! `count`, duplicates, identity attribute types) and reports problems with the schema.

#![warn(missing_docs)]

pub mod datasource;
pub mod diag;
mod framework;
pub mod function;
pub mod list;
mod messages;
mod proto;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod server;
pub mod typed;
pub mod value;

pub use server::serve_main;
