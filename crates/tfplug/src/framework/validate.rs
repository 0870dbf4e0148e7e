//! ValidateProviderConfig, ValidateResourceConfig, ValidateDataResourceConfig (and the shared
//! decode-and-validate step ValidateListResourceConfig uses too).

use crate::diag::Diagnostics;
use crate::proto::tfplugin6 as pb;
use crate::provider::ConfigValidator;
use crate::schema::Schema;
use crate::typed::ValueRole;

use super::FrameworkServer;
use super::convert::{diags_to_proto, typed_from_proto};

impl FrameworkServer {
    /// Decodes `config` with `schema` and runs `validator` on it.
    pub(super) async fn validate(
        &self,
        config: Option<&pb::DynamicValue>,
        role: ValueRole,
        schema: &Schema,
        validator: Option<&dyn ConfigValidator>,
    ) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let Some(config) = diags.capture(typed_from_proto(config, role, &schema.value_type()))
        else {
            return diags;
        };
        if let Some(v) = validator {
            v.validate_config(&self.context(), &config, &mut diags)
                .await;
        }
        diags
    }

    pub(super) async fn validate_provider_config(
        &self,
        req: pb::validate_provider_config::Request,
    ) -> pb::validate_provider_config::Response {
        let diags = self
            .validate(
                req.config.as_ref(),
                ValueRole::ProviderConfig,
                &self.provider_schema,
                self.provider.config_validator(),
            )
            .await;
        pb::validate_provider_config::Response {
            diagnostics: diags_to_proto(&diags),
        }
    }

    pub(super) async fn validate_resource_config(
        &self,
        req: pb::validate_resource_config::Request,
    ) -> pb::validate_resource_config::Response {
        let found = self
            .resource(&req.type_name)
            .map(|e| (&e.schema, e.resource.config_validator()));
        pb::validate_resource_config::Response {
            diagnostics: diags_to_proto(&self.validate_found(found, req.config.as_ref()).await),
        }
    }

    pub(super) async fn validate_data_resource_config(
        &self,
        req: pb::validate_data_resource_config::Request,
    ) -> pb::validate_data_resource_config::Response {
        let found = self
            .data_source(&req.type_name)
            .map(|e| (&e.schema, e.data_source.config_validator()));
        pb::validate_data_resource_config::Response {
            diagnostics: diags_to_proto(&self.validate_found(found, req.config.as_ref()).await),
        }
    }

    /// [`validate`](Self::validate) for a type looked up by name: the lookup's diagnostic when
    /// there is no such type.
    async fn validate_found(
        &self,
        found: Result<(&Schema, Option<&dyn ConfigValidator>), Diagnostics>,
        config: Option<&pb::DynamicValue>,
    ) -> Diagnostics {
        match found {
            Err(d) => d,
            Ok((schema, validator)) => {
                self.validate(config, ValueRole::Config, schema, validator)
                    .await
            }
        }
    }
}
