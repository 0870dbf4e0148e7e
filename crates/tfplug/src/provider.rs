//! The provider trait (configuration schema, configure step, the resources and data sources it
//! offers) and the per-call [`Context`] that hands the configured provider's data to them.

use std::any::Any;
use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::datasource::{DataSource, Deferred};
use super::diag::Diagnostics;
use super::function::Function;
use super::list::ListResource;
use super::resource::Resource;
use super::schema::Schema;
use super::typed::TypedValue;

/// What the configure step left for resources and data sources.
#[derive(Clone, Default)]
pub enum ProviderData {
    /// `ConfigureProvider` has not run, or failed.
    #[default]
    NotConfigured,
    /// The provider block holds values known only after apply (these attributes); Terraform
    /// configures again once they are known.
    ConfigUnknown(Vec<String>),
    /// Configured: the provider's data (clients, settings), of the provider's own type.
    Ready(Arc<dyn Any + Send + Sync>),
}

impl ProviderData {
    /// Ready with `data`.
    pub fn ready<T: Any + Send + Sync>(data: T) -> Self {
        ProviderData::Ready(Arc::new(data))
    }
}

impl std::fmt::Debug for ProviderData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProviderData::NotConfigured => f.write_str("NotConfigured"),
            ProviderData::ConfigUnknown(a) => f.debug_tuple("ConfigUnknown").field(a).finish(),
            ProviderData::Ready(_) => f.write_str("Ready(..)"),
        }
    }
}

/// The provider's data as one resource call sees it, typed.
#[derive(Debug)]
pub enum Configured<T> {
    /// Ready to use.
    Ready(Arc<T>),
    /// The provider block has unknown values (these attributes).
    ConfigUnknown(Vec<String>),
    /// Not configured (or configured with data of another type).
    NotConfigured,
}

/// Per-call context handed to provider, resource and data source methods.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Cancelled when Terraform sends `StopProvider` (e.g. on Ctrl-C). Long waits should
    /// `select!` on `cancel.cancelled()` and return an error diagnostic promptly.
    pub cancel: CancellationToken,
    provider_data: ProviderData,
}

impl Context {
    /// A context with this cancellation token and provider data (the framework builds these;
    /// unit tests of a resource build their own).
    pub fn new(cancel: CancellationToken, provider_data: ProviderData) -> Self {
        Context {
            cancel,
            provider_data,
        }
    }

    /// A context whose provider is configured with `data` (for unit tests of a resource).
    pub fn with_provider_data<T: Any + Send + Sync>(data: Arc<T>) -> Self {
        Context::new(CancellationToken::new(), ProviderData::Ready(data))
    }

    /// The configured provider's data, as type `T`.
    pub fn provider_data<T: Any + Send + Sync>(&self) -> Configured<T> {
        match &self.provider_data {
            ProviderData::Ready(d) => match d.clone().downcast::<T>() {
                Ok(t) => Configured::Ready(t),
                Err(_) => Configured::NotConfigured,
            },
            ProviderData::ConfigUnknown(a) => Configured::ConfigUnknown(a.clone()),
            ProviderData::NotConfigured => Configured::NotConfigured,
        }
    }

    /// The deferral to answer with when the provider block is not known yet and Terraform
    /// `allowed` one (a read, plan or import then happens in a later run); `None` otherwise.
    pub fn defer_while_config_unknown(&self, allowed: bool) -> Option<Deferred> {
        (allowed && matches!(self.provider_data, ProviderData::ConfigUnknown(_)))
            .then_some(Deferred::ProviderConfigUnknown)
    }

    /// The configured provider's data, or a diagnostic saying why there is none yet and what to
    /// do about it.
    pub fn require_provider_data<T: Any + Send + Sync>(&self) -> Result<Arc<T>, Diagnostics> {
        let mut d = Diagnostics::new();
        match self.provider_data::<T>() {
            Configured::Ready(t) => return Ok(t),
            Configured::ConfigUnknown(attrs) => d.error(
                "Provider configuration is not known yet",
                format!(
                    "The provider block's {} depend on values known only after apply, so this \
                     operation cannot run now. Apply the resources they depend on first (for \
                     example with -target), or set them to known values.",
                    attrs.join(", ")
                ),
            ),
            Configured::NotConfigured if matches!(self.provider_data, ProviderData::Ready(_)) => d
                .error(
                    "Provider data of another type",
                    format!(
                        "The provider was configured, but not with the {} this operation needs. \
                         This is a bug in the provider; please report it.",
                        std::any::type_name::<T>()
                    ),
                ),
            Configured::NotConfigured => d.error(
                "Provider not configured",
                "This operation needs the provider's configuration, but the provider was not \
                 configured (or its configuration failed) before it was called. Check the \
                 provider block for errors; if there are none, this is a bug in the provider, \
                 please report it.",
            ),
        }
        Err(d)
    }
}

/// Input of [`Provider::configure`].
#[derive(Debug, Clone)]
pub struct ConfigureProviderRequest {
    /// The provider block. May contain unknowns (when it depends on resources not yet
    /// created): read such attributes as `Unknowable`, and answer with
    /// [`ProviderData::ConfigUnknown`].
    pub config: TypedValue,
    /// Version of the Terraform CLI calling us.
    pub terraform_version: String,
}

/// Output of [`Provider::configure`].
#[derive(Debug, Default)]
pub struct ConfigureProviderResponse {
    /// What resources and data sources receive through [`Context::provider_data`]. Ignored
    /// (left not configured) when `diagnostics` has errors.
    pub data: ProviderData,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Optional: validation of a configuration beyond its schema (the provider block, a resource or
/// a data source). The configuration may contain unknowns.
#[async_trait]
pub trait ConfigValidator: Send + Sync {
    /// Adds problems to `diags`, ideally with attribute paths.
    async fn validate_config(&self, ctx: &Context, config: &TypedValue, diags: &mut Diagnostics);
}

/// A Terraform provider.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// Schema of the `provider` block.
    fn schema(&self) -> Schema;
    /// Called before resources and data sources are used (Terraform may call it again with
    /// more values known). Sets `resp.data` to what they need.
    async fn configure(
        &self,
        ctx: &Context,
        req: ConfigureProviderRequest,
        resp: &mut ConfigureProviderResponse,
    );
    /// The managed resource types. Called once when the server starts.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    /// The data source types. Called once when the server starts.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
    /// The list resource types (`terraform query`, Terraform 1.14+). Called once when the
    /// server starts; each is named after a managed resource type that has an identity.
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }
    /// The provider-defined functions. Called once when the server starts.
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }
    /// Extra validation of the provider block.
    fn config_validator(&self) -> Option<&dyn ConfigValidator> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_data_is_typed_and_explains_its_absence() {
        let ctx = Context::with_provider_data(Arc::new(7_u32));
        assert_eq!(*ctx.require_provider_data::<u32>().unwrap(), 7);
        let summary = |r: Result<Arc<String>, Diagnostics>| {
            r.unwrap_err().iter().next().unwrap().summary.clone()
        };
        assert_eq!(
            summary(ctx.require_provider_data::<String>()),
            "Provider data of another type"
        );
        assert_eq!(
            summary(Context::default().require_provider_data::<String>()),
            "Provider not configured"
        );
        let unknown = Context::new(
            CancellationToken::new(),
            ProviderData::ConfigUnknown(vec!["region".into()]),
        );
        let d = unknown.require_provider_data::<String>().unwrap_err();
        let first = d.iter().next().unwrap();
        assert_eq!(first.summary, "Provider configuration is not known yet");
        assert!(first.detail.contains("region"), "{first}");
    }
}
