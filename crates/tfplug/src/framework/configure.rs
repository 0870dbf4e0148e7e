//! ConfigureProvider: runs the provider's configure step and keeps what it leaves for
//! resources and data sources.

use crate::proto::tfplugin6 as pb;
use crate::provider::{ConfigureProviderRequest, ConfigureProviderResponse, ProviderData};
use crate::typed::ValueRole;

use super::FrameworkServer;
use super::convert::{diags_to_proto, typed_from_proto};

impl FrameworkServer {
    pub(super) async fn configure_provider(
        &self,
        req: pb::configure_provider::Request,
    ) -> pb::configure_provider::Response {
        let mut resp = ConfigureProviderResponse::default();
        let ty = self.provider_schema.value_type();
        match typed_from_proto(req.config.as_ref(), ValueRole::ProviderConfig, &ty) {
            Err(d) => resp.diagnostics = d,
            Ok(config) => {
                let creq = ConfigureProviderRequest {
                    config,
                    terraform_version: req.terraform_version,
                };
                self.provider
                    .configure(&self.context(), creq, &mut resp)
                    .await;
            }
        }
        let data = if resp.diagnostics.has_errors() {
            ProviderData::NotConfigured
        } else {
            resp.data
        };
        if let ProviderData::ConfigUnknown(attrs) = &data {
            tracing::info!(?attrs, "provider configuration has unknown values");
        }
        self.set_provider_data(data);
        pb::configure_provider::Response {
            diagnostics: diags_to_proto(&resp.diagnostics),
        }
    }
}
