//! The tfplugin6 `Provider` service implemented on top of the [`Provider`], [`Resource`] and
//! [`DataSource`] traits, one file per RPC family (as terraform-plugin-framework's fwserver
//! does). Every failure becomes a diagnostic, and every RPC of protocol 6.11 answers: the
//! features no provider of this framework offers (ephemeral resources, state stores, actions)
//! with a diagnostic saying so (framework/unsupported.rs), never a bare gRPC error.

mod apply;
mod configure;
mod convert;
mod data_source;
mod deferral;
mod function;
mod generate;
mod identity;
mod import;
pub(crate) mod list;
mod metadata;
mod move_state;
mod plan;
pub(crate) mod plan_rules;
mod read;
mod service;
mod unsupported;
mod upgrade;
mod validate;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;

use crate::datasource::DataSource;
use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::provider::{Context, Provider, ProviderData};
use crate::resource::Resource;
use crate::schema::{IdentitySchema, Schema};
use crate::typed::{Private, TypedValue, ValueRole};
use crate::value::Value;

use function::FunctionEntry;
use list::ListEntry;

/// A resource type with its schemas computed once.
pub(crate) struct ResourceEntry {
    pub resource: Arc<dyn Resource>,
    pub schema: Schema,
    /// Present when the resource has the identity capability.
    pub identity: Option<IdentitySchema>,
}

/// A data source type with its schema computed once.
pub(crate) struct DataSourceEntry {
    pub data_source: Arc<dyn DataSource>,
    pub schema: Schema,
}

/// Serves one provider over tfplugin6.
pub(crate) struct FrameworkServer {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: BTreeMap<String, ResourceEntry>,
    data_sources: BTreeMap<String, DataSourceEntry>,
    list_resources: BTreeMap<String, ListEntry>,
    functions: BTreeMap<String, FunctionEntry>,
    /// What the last ConfigureProvider left for resources and data sources.
    provider_data: RwLock<ProviderData>,
    /// Problems with the provider's own definition, reported with its schema.
    definition: Diagnostics,
    /// Parent of every request's cancellation token; replaced after each StopProvider so a
    /// long-lived (debug) server keeps working for the next Terraform run.
    stop: Mutex<CancellationToken>,
}

impl FrameworkServer {
    pub(crate) fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let resource_list = provider.resources();
        let data_source_list = provider.data_sources();
        let list_list = provider.list_resources();
        let function_list = provider.functions();
        let mut duplicates: Vec<String> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let names = resource_list
            .iter()
            .map(|r| ("resource", r.type_name().to_string()))
            .chain(
                data_source_list
                    .iter()
                    .map(|d| ("data source", d.type_name().to_string())),
            )
            .chain(
                list_list
                    .iter()
                    .map(|l| ("list resource", l.type_name().to_string())),
            )
            .chain(
                function_list
                    .iter()
                    .map(|f| ("function", f.name().to_string())),
            );
        for (kind, name) in names {
            if !seen.insert((kind, name.clone())) {
                duplicates.push(format!("{kind} type {name}"));
            }
        }
        let resources = resource_list
            .into_iter()
            .map(|r| {
                let schema = r.schema();
                let identity = r.identity().map(|i| i.identity_schema());
                let entry = ResourceEntry {
                    resource: r,
                    schema,
                    identity,
                };
                (entry.resource.type_name().to_string(), entry)
            })
            .collect();
        let data_sources = data_source_list
            .into_iter()
            .map(|d| {
                let schema = d.schema();
                (
                    d.type_name().to_string(),
                    DataSourceEntry {
                        data_source: d,
                        schema,
                    },
                )
            })
            .collect();
        let list_resources = list_list
            .into_iter()
            .map(|list| {
                let config_schema = list.config_schema();
                let name = list.type_name().to_string();
                (
                    name,
                    ListEntry {
                        list,
                        config_schema,
                    },
                )
            })
            .collect();
        let functions = function_list
            .into_iter()
            .map(|function| {
                let signature = function.signature();
                let name = function.name().to_string();
                (
                    name,
                    FunctionEntry {
                        function,
                        signature,
                    },
                )
            })
            .collect();
        let mut server = FrameworkServer {
            provider,
            provider_schema,
            resources,
            data_sources,
            list_resources,
            functions,
            provider_data: RwLock::new(ProviderData::NotConfigured),
            definition: Diagnostics::new(),
            stop: Mutex::new(CancellationToken::new()),
        };
        server.definition = server.check_definition();
        let mut more = Diagnostics::new();
        server.check_list_definitions(&mut more);
        server.check_function_definitions(&mut more);
        server.definition.extend(more);
        for what in duplicates {
            server.definition.error(
                "Invalid provider definition",
                format!(
                    "{what} is offered twice. This is a bug in the provider; please report it."
                ),
            );
        }
        for d in &server.definition {
            tracing::error!("{d}");
        }
        server
    }

    /// A context whose token is cancelled by the next StopProvider, carrying the provider data.
    pub(crate) fn context(&self) -> Context {
        let parent = self.stop.lock().unwrap_or_else(|e| e.into_inner());
        let data = self
            .provider_data
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        Context::new(parent.child_token(), data)
    }

    /// Cancels everything in flight and arms a fresh token for later requests.
    pub(crate) fn stop_all(&self) {
        let mut parent = self.stop.lock().unwrap_or_else(|e| e.into_inner());
        parent.cancel();
        *parent = CancellationToken::new();
    }

    fn set_provider_data(&self, data: ProviderData) {
        *self
            .provider_data
            .write()
            .unwrap_or_else(|e| e.into_inner()) = data;
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources
            .get(type_name)
            .ok_or_else(|| unknown_type("resource", type_name, self.resources.keys()))
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources
            .get(type_name)
            .ok_or_else(|| unknown_type("data source", type_name, self.data_sources.keys()))
    }

    fn capabilities(&self) -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: self
                .resources
                .values()
                .any(|e| e.resource.mover().is_some()),
            // Served for every resource type (framework/generate.rs).
            generate_resource_config: true,
        }
    }
}

/// Shapes a state a resource left after `operation` (exact schema shape, write-only attributes
/// null) and checks it is wholly known.
fn finish_state(
    schema: &Schema,
    state: &TypedValue,
    operation: &str,
    type_name: &str,
    diags: &mut Diagnostics,
) -> Value {
    let mut v = plan_rules::normalize(&schema.block, state.value().clone());
    plan_rules::clear_write_only(&schema.block, &mut v);
    if !v.is_fully_known() {
        diags.error(
            "Provider returned unknown values",
            format!(
                "After {operation}, {type_name} still has values that are not known. This is a bug \
                 in the provider: every attribute must be set to a concrete value (or null)."
            ),
        );
    }
    v
}

/// True when a resource or data source call left no state (`what`: "a state", "a result").
/// Unless the call said why with an error, that is a bug in the provider, reported as `summary`.
fn left_nothing(
    state: &TypedValue,
    summary: &str,
    doing: &str,
    what: &str,
    diags: &mut Diagnostics,
) -> bool {
    if !state.is_null() {
        return false;
    }
    if !diags.has_errors() {
        diags.error(
            summary,
            format!(
                "{doing} returned neither {what} nor an error. This is a bug in the provider; \
                 please report it."
            ),
        );
    }
    true
}

/// What a plan and an apply request both carry, decoded against the resource's schema: the
/// prior state, the new (proposed or planned) state, the configuration, private data and the
/// identity.
struct ChangeValues {
    prior: TypedValue,
    next: TypedValue,
    config: TypedValue,
    private: Private,
    identity: Option<TypedValue>,
}

/// Decodes every part of a change request, recording each part's problems; `None` when any
/// part could not be read.
fn decode_change(
    entry: &ResourceEntry,
    [prior, next, config]: [Option<&pb::DynamicValue>; 3],
    private: &[u8],
    identity: Option<&pb::ResourceIdentityData>,
    diags: &mut Diagnostics,
) -> Option<ChangeValues> {
    let ty = entry.schema.value_type();
    let decoded = (
        diags.capture(convert::typed_from_proto(prior, ValueRole::State, &ty)),
        diags.capture(convert::typed_from_proto(next, ValueRole::Plan, &ty)),
        diags.capture(convert::typed_from_proto(config, ValueRole::Config, &ty)),
        diags.capture(convert::private_from_proto(private)),
        diags.capture(identity::request_identity(entry, identity)),
    );
    let (Some(prior), Some(next), Some(config), Some(private), Some(identity)) = decoded else {
        return None;
    };
    Some(ChangeValues {
        prior,
        next,
        config,
        private,
        identity,
    })
}

/// Encodes a value of `schema` for the wire, recording a diagnostic on failure.
fn encode_state(schema: &Schema, v: &Value, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    match convert::encode_dynamic(v, &schema.value_type()) {
        Ok(dv) => Some(dv),
        Err(e) => {
            diags.extend(convert::value_error_diag("Could not encode the state", &e));
            None
        }
    }
}

fn unknown_type<'a>(
    kind: &str,
    type_name: &str,
    known: impl Iterator<Item = &'a String>,
) -> Diagnostics {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let mut d = Diagnostics::new();
    d.error(
        format!("Unknown {kind} type"),
        format!(
            "This provider has no {kind} type {type_name:?}. Known types: {}. Check the type in \
             your configuration or upgrade the provider.",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ),
    );
    d
}

#[cfg(test)]
mod consistency_tests;
#[cfg(test)]
mod deferral_tests;
#[cfg(test)]
mod query_tests;
#[cfg(test)]
mod tests;
