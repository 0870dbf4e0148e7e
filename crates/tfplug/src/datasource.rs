//! The data source trait: read-only lookups, with the same typed access as resources.

use async_trait::async_trait;

use super::diag::Diagnostics;
use super::provider::{ConfigValidator, Context};
use super::schema::Schema;
use super::typed::TypedValue;

/// Input of [`DataSource::read`].
#[derive(Debug, Clone)]
pub struct DataSourceReadRequest {
    /// The configuration (wholly known: Terraform defers the read otherwise).
    pub config: TypedValue,
    /// Terraform accepts a [`Deferred`] answer (`ClientCapabilities.deferral_allowed`).
    pub deferral_allowed: bool,
}

/// Why a read is put off to a later run (Terraform then treats the result as unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deferred {
    /// The configuration holds values not known yet.
    ResourceConfigUnknown,
    /// The provider block holds values not known yet.
    ProviderConfigUnknown,
    /// Something this depends on does not exist yet.
    AbsentPrerequisite,
}

/// Output of [`DataSource::read`].
#[derive(Debug, Clone)]
pub struct DataSourceReadResponse {
    /// Starts as the configuration; set it to the result (every computed attribute known).
    pub state: TypedValue,
    /// Set (only when the request allows it) to put the read off instead of answering; the
    /// state is then ignored.
    pub deferred: Option<Deferred>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// Full type name, e.g. `example_things`.
    fn type_name(&self) -> &str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Looks the data up.
    async fn read(
        &self,
        ctx: &Context,
        req: DataSourceReadRequest,
        resp: &mut DataSourceReadResponse,
    );
    /// Extra configuration validation.
    fn config_validator(&self) -> Option<&dyn ConfigValidator> {
        None
    }
}
