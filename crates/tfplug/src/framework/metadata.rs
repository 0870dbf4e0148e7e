//! GetMetadata, GetProviderSchema and GetResourceIdentitySchemas: what the provider offers,
//! and the checks of that offer (names Terraform reserves, identity attribute types), reported
//! with the schema so a provider author sees them on the first `terraform plan`.

use std::collections::BTreeSet;

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::schema::{Block, IdentitySchema};
use crate::value::Type;

use super::FrameworkServer;
use super::convert::{diags_to_proto, identity_schema_to_proto, schema_to_proto};

/// Names Terraform gives a meaning of its own in `resource` blocks.
const RESERVED_IN_RESOURCES: [&str; 7] = [
    "count",
    "depends_on",
    "for_each",
    "lifecycle",
    "provider",
    "provisioner",
    "connection",
];
/// Names Terraform gives a meaning of its own in `data` blocks.
const RESERVED_IN_DATA_SOURCES: [&str; 5] =
    ["count", "depends_on", "for_each", "lifecycle", "provider"];
/// Names Terraform gives a meaning of its own in `provider` blocks.
const RESERVED_IN_PROVIDER: [&str; 2] = ["alias", "version"];

fn definition_error(diags: &mut Diagnostics, what: &str, problem: String) {
    diags.error(
        "Invalid provider definition",
        format!("{what}: {problem}. This is a bug in the provider; please report it."),
    );
}

fn check_block(block: &Block, reserved: &[&str], what: &str, diags: &mut Diagnostics) {
    let mut seen = BTreeSet::new();
    let names = block
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .chain(block.blocks.iter().map(|b| b.type_name.as_str()));
    for name in names {
        if reserved.contains(&name) {
            definition_error(
                diags,
                what,
                format!("{name:?} is reserved by Terraform and cannot be an attribute or block"),
            );
        }
        if !seen.insert(name) {
            definition_error(diags, what, format!("{name:?} is declared twice"));
        }
    }
}

fn check_identity(schema: &IdentitySchema, what: &str, diags: &mut Diagnostics) {
    let primitive = |t: &Type| matches!(t, Type::Bool | Type::Number | Type::String);
    let mut seen = BTreeSet::new();
    for a in &schema.attributes {
        let ok = primitive(&a.ty) || matches!(&a.ty, Type::List(e) if primitive(e));
        if !ok {
            definition_error(
                diags,
                what,
                format!(
                    "identity attribute {:?} has type {}; identities hold only bool, number, \
                     string or lists of them",
                    a.name, a.ty
                ),
            );
        }
        if !seen.insert(a.name.as_str()) {
            definition_error(
                diags,
                what,
                format!("identity attribute {:?} is declared twice", a.name),
            );
        }
    }
}

impl FrameworkServer {
    /// Checks the provider's schemas once, at start.
    pub(super) fn check_definition(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        check_block(
            &self.provider_schema.block,
            &RESERVED_IN_PROVIDER,
            "the provider block",
            &mut diags,
        );
        for (name, e) in &self.resources {
            let what = format!("resource type {name}");
            check_block(&e.schema.block, &RESERVED_IN_RESOURCES, &what, &mut diags);
            if let Some(identity) = &e.identity {
                check_identity(identity, &what, &mut diags);
            }
            if e.resource
                .mover()
                .is_some_and(|m| m.move_sources().is_empty())
            {
                definition_error(
                    &mut diags,
                    &what,
                    "it can take moves but names no source to move from".into(),
                );
            }
        }
        for (name, e) in &self.data_sources {
            let what = format!("data source {name}");
            check_block(
                &e.schema.block,
                &RESERVED_IN_DATA_SOURCES,
                &what,
                &mut diags,
            );
        }
        diags
    }

    pub(super) fn get_metadata(&self) -> pb::get_metadata::Response {
        pb::get_metadata::Response {
            server_capabilities: Some(self.capabilities()),
            diagnostics: diags_to_proto(&self.definition),
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
            functions: self
                .functions
                .keys()
                .map(|k| pb::get_metadata::FunctionMetadata { name: k.clone() })
                .collect(),
            ephemeral_resources: Vec::new(),
            list_resources: self
                .list_resources
                .keys()
                .map(|k| pb::get_metadata::ListResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            state_stores: Vec::new(),
            actions: Vec::new(),
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
            functions: self.function_schemas(),
            ephemeral_resource_schemas: Default::default(),
            list_resource_schemas: self
                .list_resources
                .iter()
                .map(|(k, e)| (k.clone(), schema_to_proto(&e.config_schema)))
                .collect(),
            state_store_schemas: Default::default(),
            action_schemas: Default::default(),
            diagnostics: diags_to_proto(&self.definition),
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
