//! The `tencentcloud` provider: configuration and the state its resources share.

use std::sync::{Arc, RwLock};

use async_trait::async_trait;

use crate::clb::api::ClbApi;
use crate::clb::association::RunMemory;
use crate::clb::engine::Engine;
use crate::clb::provider_config::{self, ReadConfig};
use crate::clb::resource::AssociationResource;
use crate::tfplug::diag::Diagnostics;
use crate::tfplug::provider::{ConfigureProviderRequest, Context, Provider};
use crate::tfplug::resource::Resource;
use crate::tfplug::schema::Schema;
use crate::tfplug::value::Value;

/// Whether resources can talk to the cloud yet.
#[derive(Clone)]
pub enum ApiState {
    /// `ConfigureProvider` has not run (or failed).
    NotConfigured,
    /// The provider block holds values known only after apply (these attributes).
    Unknown(Vec<String>),
    /// Ready to call the API, through the process's engine.
    Ready(Arc<Engine>),
}

/// What the provider's resources share: the engine every API call goes through.
pub struct Shared {
    api: RwLock<ApiState>,
    /// Bindings creates of this run put into state (replacement of a binding by itself).
    pub run: RunMemory,
}

impl Shared {
    /// Not configured yet.
    pub fn new() -> Self {
        Shared {
            api: RwLock::new(ApiState::NotConfigured),
            run: RunMemory::new(),
        }
    }

    /// The current API state.
    pub fn api(&self) -> ApiState {
        self.api.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the API state (configure, or tests injecting a fake).
    pub fn set_api(&self, state: ApiState) {
        *self.api.write().unwrap_or_else(|e| e.into_inner()) = state;
    }
}

impl Default for Shared {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds the API handle from settings; replaceable so tests can point the provider elsewhere.
pub type Connector = Arc<
    dyn Fn(
            provider_config::ProviderSettings,
        ) -> futures::future::BoxFuture<'static, Result<Arc<dyn ClbApi>, String>>
        + Send
        + Sync,
>;

/// The provider.
pub struct TencentCloudProvider {
    shared: Arc<Shared>,
    connector: Connector,
}

impl TencentCloudProvider {
    /// A provider that connects with the real API client.
    pub fn new() -> Self {
        Self::with_connector(Arc::new(|settings| {
            Box::pin(crate::clb::client_api::connect(settings))
        }))
    }

    /// A provider whose API handle is built by `connector`.
    pub fn with_connector(connector: Connector) -> Self {
        TencentCloudProvider {
            shared: Arc::new(Shared::new()),
            connector,
        }
    }

    /// The state shared with resources.
    pub fn shared(&self) -> Arc<Shared> {
        self.shared.clone()
    }
}

impl Default for TencentCloudProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn system_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[async_trait]
impl Provider for TencentCloudProvider {
    fn type_name(&self) -> &str {
        "tencentcloud"
    }

    fn schema(&self) -> Schema {
        provider_config::schema()
    }

    async fn validate_config(&self, _ctx: &Context, config: &Value) -> Diagnostics {
        provider_config::validate(config, &system_env)
    }

    async fn configure(&self, _ctx: &Context, req: ConfigureProviderRequest) -> Diagnostics {
        let settings = match provider_config::read(&req.config, &system_env) {
            Err(diags) => return diags,
            Ok(ReadConfig::Unknown(attrs)) => {
                // Terraform configures again at apply time with known values; until then resources
                // skip API-backed checks instead of failing.
                tracing::info!(?attrs, "provider configuration has unknown values");
                self.shared.set_api(ApiState::Unknown(attrs));
                return Diagnostics::default();
            }
            Ok(ReadConfig::Known(settings)) => settings,
        };
        match (self.connector)(settings).await {
            Ok(api) => {
                self.shared.set_api(ApiState::Ready(Engine::new(api)));
                Diagnostics::default()
            }
            Err(message) => {
                let mut d = Diagnostics::default();
                d.error("Cannot configure the Tencent Cloud provider", message);
                d
            }
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(AssociationResource::new(self.shared.clone()))]
    }
}
