//! GetMetadata, GetProviderSchema and GetResourceIdentitySchemas: what the provider offers.

use crate::tfplug::proto::tfplugin6 as pb;

use super::FrameworkServer;
use super::convert::{identity_schema_to_proto, schema_to_proto};

impl FrameworkServer {
    pub(super) fn get_metadata(&self) -> pb::get_metadata::Response {
        pb::get_metadata::Response {
            server_capabilities: Some(self.capabilities()),
            diagnostics: Vec::new(),
            data_sources: self
                .data_sources
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: Vec::new(),
        }
    }

    pub(super) fn get_provider_schema(&self) -> pb::get_provider_schema::Response {
        pb::get_provider_schema::Response {
            provider: Some(schema_to_proto(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(k, e)| (k.clone(), schema_to_proto(&e.schema)))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(k, e)| (k.clone(), schema_to_proto(&e.schema)))
                .collect(),
            functions: Default::default(),
            ephemeral_resource_schemas: Default::default(),
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(self.capabilities()),
        }
    }

    /// Only resources with the identity capability appear; an empty map means "no identities".
    pub(super) fn get_resource_identity_schemas(
        &self,
    ) -> pb::get_resource_identity_schemas::Response {
        pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .resources
                .iter()
                .filter_map(|(k, e)| {
                    e.identity
                        .as_ref()
                        .map(|s| (k.clone(), identity_schema_to_proto(s)))
                })
                .collect(),
            diagnostics: Vec::new(),
        }
    }
}
