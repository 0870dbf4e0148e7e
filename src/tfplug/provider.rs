//! The provider trait: configuration schema, configuration, and the resources it offers.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::diag::Diagnostics;
use super::resource::Resource;
use super::schema::Schema;
use super::value::Value;

/// Per-call context handed to provider and resource methods.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Cancelled when Terraform sends `StopProvider` (e.g. on Ctrl-C). Long waits should
    /// `select!` on `cancel.cancelled()` and return an error diagnostic promptly.
    pub cancel: CancellationToken,
}

/// What `ConfigureProvider` receives.
#[derive(Debug, Clone, Default)]
pub struct ConfigureProviderRequest {
    /// The provider block, of the provider schema's type. May contain unknowns (when the
    /// configuration depends on resources not yet created); treat them like "not set yet".
    pub config: Value,
    /// Version of the Terraform CLI calling us.
    pub terraform_version: String,
}

/// A Terraform provider.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// Local name of the provider, used as the prefix of resource types (e.g. `tencentcloud`).
    fn type_name(&self) -> &str;
    /// Schema of the `provider` block.
    fn schema(&self) -> Schema;
    /// Called once per process before resources are used; keep clients/settings inside self.
    async fn configure(&self, ctx: &Context, req: ConfigureProviderRequest) -> Diagnostics;
    /// The managed resource types. Called once when the server starts.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    /// Extra validation of the provider block (it may contain unknowns).
    async fn validate_config(&self, _ctx: &Context, _config: &Value) -> Diagnostics {
        Diagnostics::default()
    }
}
