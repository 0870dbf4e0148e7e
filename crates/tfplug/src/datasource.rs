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
}

/// Output of [`DataSource::read`].
#[derive(Debug, Clone)]
pub struct DataSourceReadResponse {
    /// Starts as the configuration; set it to the result (every computed attribute known).
    pub state: TypedValue,
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
