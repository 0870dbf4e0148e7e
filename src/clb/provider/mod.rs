//! The `tencentcloud` provider: configuration, and what it hands to its resources.

pub mod auth;
pub mod config;

use std::sync::Arc;

use async_trait::async_trait;

use crate::clb::association::RunMemory;
use crate::clb::data_source::AssociationsDataSource;
use crate::clb::engine::Engine;
use crate::clb::list::AssociationList;
use crate::clb::provider::config::ReadConfig;
use crate::clb::resource::AssociationResource;
use tfplug::datasource::DataSource;
use tfplug::diag::Diagnostics;
use tfplug::function::Function;
use tfplug::list::ListResource;
use tfplug::provider::{
    ConfigValidator, ConfigureProviderRequest, ConfigureProviderResponse, Context, Provider,
    ProviderData,
};
use tfplug::resource::Resource;
use tfplug::schema::Schema;
use tfplug::typed::TypedValue;

/// What the configured provider hands to its resources and data sources: the engine every API
/// call goes through, and what creates of this run put into state.
pub struct ConfiguredProvider {
    /// Batches writes per load balancer and shares reads, across every resource instance of
    /// this process.
    pub engine: Arc<Engine>,
    /// Bindings creates of this run put into state (replacement of a binding by itself).
    pub run: Arc<RunMemory>,
}

impl ConfiguredProvider {
    /// A client over `engine` that remembers nothing yet (a new provider process).
    pub fn new(engine: Arc<Engine>) -> Self {
        ConfiguredProvider {
            engine,
            run: Arc::new(RunMemory::new()),
        }
    }
}

/// The provider.
#[derive(Default)]
pub struct TencentCloudProvider {
    /// Kept here (not built per configure) so that a second configure of the same process
    /// still knows what the creates of this run did.
    run: Arc<RunMemory>,
}

impl TencentCloudProvider {
    /// A provider that connects with the real API client.
    pub fn new() -> Self {
        Self::default()
    }
}

fn system_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[async_trait]
impl ConfigValidator for TencentCloudProvider {
    async fn validate_config(&self, _ctx: &Context, config: &TypedValue, diags: &mut Diagnostics) {
        // The model reads every attribute as Unknowable: unknown values are skipped, not refused.
        diags.extend(config::validate(config, &system_env));
    }
}

#[async_trait]
impl Provider for TencentCloudProvider {
    fn schema(&self) -> Schema {
        config::schema()
    }

    fn config_validator(&self) -> Option<&dyn ConfigValidator> {
        Some(self)
    }

    async fn configure(
        &self,
        _ctx: &Context,
        req: ConfigureProviderRequest,
        resp: &mut ConfigureProviderResponse,
    ) {
        let settings = match config::read(&req.config, &system_env) {
            Err(diags) => {
                resp.diagnostics = diags;
                return;
            }
            Ok(ReadConfig::Unknown(attrs)) => {
                // Terraform configures again at apply time with known values; until then
                // resources skip API-backed checks instead of failing.
                resp.data = ProviderData::ConfigUnknown(attrs);
                return;
            }
            Ok(ReadConfig::Known(settings)) => *settings,
        };
        match crate::clb::cloud::tencent::connect(settings).await {
            Ok(api) => {
                resp.data = ProviderData::ready(ConfiguredProvider {
                    engine: Engine::new(api),
                    run: self.run.clone(),
                })
            }
            Err(e) => auth::report(&e, &mut resp.diagnostics),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(AssociationResource)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(AssociationsDataSource)]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![Arc::new(AssociationList)]
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        crate::clb::functions::functions()
    }
}
