//! The `tencentcloud` provider: configuration, and what it hands to its resources.

pub mod auth;
pub mod config;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::clb::association::RunMemory;
use crate::clb::cloud::ClbApi;
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
    /// this process: the engine of the provider's region.
    pub engine: Arc<Engine>,
    /// The provider's region (configured, or from the environment or profile).
    pub region: String,
    /// Bindings creates of this run put into state (replacement of a binding by itself).
    pub run: Arc<RunMemory>,
    /// Engines of the other regions bindings name, made on first use.
    other_regions: Mutex<HashMap<String, Arc<Engine>>>,
    /// How to reach another region; `None` serves every region with `engine` (fakes).
    connect_region: Option<ConnectRegion>,
}

/// Builds the API of another region.
pub(crate) type ConnectRegion = Arc<dyn Fn(&str) -> Arc<dyn ClbApi> + Send + Sync>;

impl ConfiguredProvider {
    /// A client over `engine` that remembers nothing yet (a new provider process); every region
    /// is served by `engine`.
    pub fn new(engine: Arc<Engine>) -> Self {
        Self::with_regions(
            engine,
            DEFAULT_REGION.to_string(),
            None,
            Arc::new(RunMemory::new()),
        )
    }

    /// The engine of `region` in `engine`, reaching other regions through `connect_region`.
    pub(crate) fn with_regions(
        engine: Arc<Engine>,
        region: String,
        connect_region: Option<ConnectRegion>,
        run: Arc<RunMemory>,
    ) -> Self {
        ConfiguredProvider {
            engine,
            region,
            run,
            other_regions: Mutex::new(HashMap::new()),
            connect_region,
        }
    }

    /// The engine every call about a binding in `region` goes through (the provider's region
    /// when `None`): one engine per region, so batches and shared reads never mix regions.
    pub(crate) fn engine_in(&self, region: Option<&str>) -> Arc<Engine> {
        let region = region.filter(|r| !r.is_empty()).unwrap_or(&self.region);
        let Some(connect) = &self.connect_region else {
            return self.engine.clone();
        };
        if region == self.region {
            return self.engine.clone();
        }
        let mut engines = self.other_regions.lock().unwrap_or_else(|e| e.into_inner());
        engines
            .entry(region.to_string())
            .or_insert_with(|| Engine::new(connect(region)))
            .clone()
    }
}

/// The region of a provider whose engine serves every region (tests with a fake cloud).
const DEFAULT_REGION: &str = "ap-guangzhou";

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
            Ok(connected) => {
                resp.data = ProviderData::ready(ConfiguredProvider::with_regions(
                    Engine::new(connected.api),
                    connected.region,
                    Some(connected.in_region),
                    self.run.clone(),
                ))
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
