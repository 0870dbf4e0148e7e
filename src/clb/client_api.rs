//! [`ClbApi`] on the real API client (`crate::tencentcloud`).

use std::sync::Arc;

use crate::clb::api::ClbApi;
use crate::clb::provider_config::ProviderSettings;

/// Builds the API handle from the provider settings.
pub async fn connect(settings: ProviderSettings) -> Result<Arc<dyn ClbApi>, String> {
    let _ = settings;
    Err("the Tencent Cloud API client is not available in this build yet".into())
}
