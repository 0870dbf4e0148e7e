//! The tfplugin6 `Provider` service implemented on top of the [`Provider`] and [`Resource`]
//! traits. Every failure becomes a diagnostic: the RPCs return gRPC errors only for methods
//! this framework does not implement at all.

mod convert;
mod lifecycle;
pub(crate) mod plan;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::tfplug::diag::Diagnostics;
use crate::tfplug::proto::tfplugin6 as pb;
use crate::tfplug::provider::{ConfigureProviderRequest, Context, Provider};
use crate::tfplug::resource::Resource;
use crate::tfplug::schema::Schema;

use convert::{decode_dynamic, diags_to_proto, schema_to_proto};

/// A resource type with its schema computed once.
pub(crate) struct ResourceEntry {
    pub resource: Arc<dyn Resource>,
    pub schema: Schema,
}

/// Serves one provider over tfplugin6.
pub(crate) struct FrameworkServer {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    resources: BTreeMap<String, ResourceEntry>,
    /// Parent of every request's cancellation token; replaced after each StopProvider so a
    /// long-lived (debug) server keeps working for the next Terraform run.
    stop: Mutex<CancellationToken>,
}

impl FrameworkServer {
    pub(crate) fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                let schema = r.schema();
                (
                    r.type_name().to_string(),
                    ResourceEntry {
                        resource: r,
                        schema,
                    },
                )
            })
            .collect();
        FrameworkServer {
            provider,
            provider_schema,
            resources,
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    /// A context whose token is cancelled by the next StopProvider.
    pub(crate) fn context(&self) -> Context {
        let parent = self.stop.lock().unwrap_or_else(|e| e.into_inner());
        Context {
            cancel: parent.child_token(),
        }
    }

    /// Cancels everything in flight and arms a fresh token for later requests.
    pub(crate) fn stop_all(&self) {
        let mut parent = self.stop.lock().unwrap_or_else(|e| e.into_inner());
        parent.cancel();
        *parent = CancellationToken::new();
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            let mut d = Diagnostics::new();
            let known: Vec<&str> = self.resources.keys().map(String::as_str).collect();
            d.error(
                "Unknown resource type",
                format!(
                    "This provider has no resource type {type_name:?}. Known types: {}. Check the \
                     resource type in your configuration or upgrade the provider.",
                    known.join(", ")
                ),
            );
            d
        })
    }

    fn capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: false,
        }
    }
}

/// Turns a value codec error into a diagnostic that says where and what to do.
pub(crate) fn value_error_diag(what: &str, e: &crate::tfplug::value::ValueError) -> Diagnostics {
    let mut d = Diagnostics::new();
    let detail = format!(
        "{what}: {}. This is a bug in the provider or a mismatch with the Terraform version; \
         please report it with the output of `terraform version`.",
        e.message
    );
    if e.path.is_root() {
        d.error("Invalid value", detail);
    } else {
        d.attribute_error(e.path.clone(), "Invalid value", detail);
    }
    d
}

fn unsupported(kind: &str, type_name: &str) -> Vec<pb::Diagnostic> {
    let mut d = Diagnostics::new();
    d.error(
        format!("Unsupported {kind}"),
        format!("This provider does not implement {kind} {type_name:?}."),
    );
    diags_to_proto(&d)
}

#[tonic::async_trait]
impl pb::provider_server::Provider for FrameworkServer {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(Self::capabilities()),
            diagnostics: Vec::new(),
            data_sources: Vec::new(),
            resources: self
                .resources
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(k, e)| (k.clone(), schema_to_proto(&e.schema)))
                .collect(),
            data_source_schemas: Default::default(),
            functions: Default::default(),
            ephemeral_resource_schemas: Default::default(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(Self::capabilities()),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        // No resource has an identity yet; an empty map means exactly that to Terraform ≥1.12.
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = request.into_inner();
        let ty = self.provider_schema.value_type();
        let diags = match decode_dynamic(req.config.as_ref(), &ty) {
            Ok(config) => {
                self.provider
                    .validate_config(&self.context(), &config)
                    .await
            }
            Err(e) => value_error_diag("Could not decode the provider configuration", &e),
        };
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = request.into_inner();
        let diags = match self.resource(&req.type_name) {
            Err(d) => d,
            Ok(entry) => match decode_dynamic(req.config.as_ref(), &entry.schema.value_type()) {
                Err(e) => value_error_diag("Could not decode the resource configuration", &e),
                Ok(config) => match entry.resource.config_validator() {
                    Some(v) => v.validate_config(&self.context(), &config).await,
                    None => Diagnostics::new(),
                },
            },
        };
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: unsupported("data source", &name),
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: unsupported("ephemeral resource", &name),
            },
        ))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::read_data_source::Response {
            state: None,
            diagnostics: unsupported("data source", &name),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = request.into_inner();
        let mut d = Diagnostics::new();
        d.error(
            "Moving resources across types is not supported",
            format!(
                "{} cannot be moved into {}. Remove the `moved` block and import the object \
                 into the new address instead.",
                req.source_type_name, req.target_type_name
            ),
        );
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: diags_to_proto(&d),
            ..Default::default()
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = request.into_inner();
        let ty = self.provider_schema.value_type();
        let diags = match decode_dynamic(req.config.as_ref(), &ty) {
            Err(e) => value_error_diag("Could not decode the provider configuration", &e),
            Ok(config) => {
                let creq = ConfigureProviderRequest {
                    config,
                    terraform_version: req.terraform_version,
                };
                self.provider.configure(&self.context(), creq).await
            }
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags_to_proto(&diags),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        Ok(Response::new(self.upgrade(request.into_inner()).await))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        Ok(Response::new(self.read(request.into_inner()).await))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        Ok(Response::new(self.plan(request.into_inner()).await))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        Ok(Response::new(self.apply(request.into_inner()).await))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        Ok(Response::new(self.import(request.into_inner()).await))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        tracing::info!("StopProvider received; cancelling in-flight operations");
        self.stop_all();
        Ok(Response::new(pb::stop_provider::Response {
            error: String::new(),
        }))
    }
}

#[cfg(test)]
mod tests;
