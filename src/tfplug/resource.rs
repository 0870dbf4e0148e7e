//! The resource trait: a small required interface plus optional capabilities.
//!
//! The framework applies Terraform's planning rules around these calls, so `create`/`update`
//! receive a plan that is already consistent, and must return a wholly known state that keeps
//! every known planned value.

use async_trait::async_trait;

use super::diag::Diagnostics;
use super::provider::Context;
use super::schema::Schema;
use super::value::{AttributePath, Value};

/// Input of [`Resource::create`].
#[derive(Debug, Clone, Default)]
pub struct CreateRequest {
    /// The configuration (may hold unknown-free values only at apply time).
    pub config: Value,
    /// The plan; unknown values are for the resource to fill in.
    pub planned_state: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// Output of [`Resource::create`].
#[derive(Debug, Clone, Default)]
pub struct CreateResponse {
    /// The created object. `None` with an error means nothing was created.
    pub new_state: Option<Value>,
    /// Opaque data Terraform stores alongside the state.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::read`].
#[derive(Debug, Clone, Default)]
pub struct ReadRequest {
    /// The state Terraform has recorded.
    pub current_state: Value,
    /// Private data stored with it.
    pub private: Vec<u8>,
}

/// Output of [`Resource::read`].
#[derive(Debug, Clone, Default)]
pub struct ReadResponse {
    /// The object as it really is; `None` if it no longer exists (Terraform plans a create).
    pub new_state: Option<Value>,
    /// Private data to store; empty keeps the request's private data unchanged.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::update`].
#[derive(Debug, Clone, Default)]
pub struct UpdateRequest {
    /// The configuration.
    pub config: Value,
    /// The state before the change.
    pub prior_state: Value,
    /// The plan; unknown values are for the resource to fill in.
    pub planned_state: Value,
    /// Private data from the plan.
    pub planned_private: Vec<u8>,
}

/// Output of [`Resource::update`].
#[derive(Debug, Clone, Default)]
pub struct UpdateResponse {
    /// The updated object. `None` with an error keeps the prior state.
    pub new_state: Option<Value>,
    /// Opaque data Terraform stores alongside the state; empty keeps the planned private data.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::delete`].
#[derive(Debug, Clone, Default)]
pub struct DeleteRequest {
    /// The state being destroyed.
    pub prior_state: Value,
    /// Private data stored with it.
    pub private: Vec<u8>,
}

/// Output of [`Resource::delete`].
#[derive(Debug, Clone, Default)]
pub struct DeleteResponse {
    /// Problems; with an error the object stays in state.
    pub diagnostics: Diagnostics,
}

/// Output of [`ResourceImport::import_state`].
#[derive(Debug, Clone, Default)]
pub struct ImportResponse {
    /// A state with at least the identifying attributes (others may be null/absent; the
    /// framework fills missing attributes with null). Terraform then calls `read` on it.
    pub state: Option<Value>,
    /// Private data to store.
    pub private: Vec<u8>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`ResourceModifyPlan::modify_plan`].
#[derive(Debug, Clone, Default)]
pub struct ModifyPlanRequest {
    /// The configuration (may contain unknowns).
    pub config: Value,
    /// The prior state (null on create).
    pub prior_state: Value,
    /// The plan after the framework's own rules.
    pub planned_state: Value,
    /// Private data from the prior state.
    pub prior_private: Vec<u8>,
}

/// Output of [`ResourceModifyPlan::modify_plan`].
#[derive(Debug, Clone, Default)]
pub struct ModifyPlanResponse {
    /// The plan to use. Never change a value that is set in configuration. Null (the default)
    /// means "keep the framework's plan".
    pub planned_state: Value,
    /// Extra paths whose change forces replacement (added to the schema's `requires_replace`).
    pub requires_replace: Vec<AttributePath>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`ResourceUpgradeState::upgrade_state`].
#[derive(Debug, Clone, Default)]
pub struct UpgradeStateRequest {
    /// Schema version the stored state was written with (lower than the current one).
    pub version: i64,
    /// The stored state as JSON.
    pub raw_state: serde_json::Value,
}

/// Output of [`ResourceUpgradeState::upgrade_state`].
#[derive(Debug, Clone, Default)]
pub struct UpgradeStateResponse {
    /// The state in the current schema (missing attributes are filled with null).
    pub state: Option<Value>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// Full type name, e.g. `tencentcloud_clb_target_group_association`.
    fn type_name(&self) -> &str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Creates the object.
    async fn create(&self, ctx: &Context, req: CreateRequest) -> CreateResponse;
    /// Refreshes the object from the real world.
    async fn read(&self, ctx: &Context, req: ReadRequest) -> ReadResponse;
    /// Updates in place.
    async fn update(&self, ctx: &Context, req: UpdateRequest) -> UpdateResponse;
    /// Deletes the object.
    async fn delete(&self, ctx: &Context, req: DeleteRequest) -> DeleteResponse;
    /// Import support.
    fn importer(&self) -> Option<&dyn ResourceImport> {
        None
    }
    /// Extra configuration validation.
    fn config_validator(&self) -> Option<&dyn ResourceValidateConfig> {
        None
    }
    /// Plan customisation after the framework's rules.
    fn plan_modifier(&self) -> Option<&dyn ResourceModifyPlan> {
        None
    }
    /// Migration of state written with an older schema version.
    fn state_upgrader(&self) -> Option<&dyn ResourceUpgradeState> {
        None
    }
}

/// Optional: `terraform import` and `import {}` blocks.
#[async_trait]
pub trait ResourceImport: Send + Sync {
    /// Builds a minimal state from the user-supplied ID.
    async fn import_state(&self, ctx: &Context, id: &str) -> ImportResponse;
}

/// Optional: validation beyond the schema (the config may contain unknowns).
#[async_trait]
pub trait ResourceValidateConfig: Send + Sync {
    /// Returns problems, ideally with attribute paths.
    async fn validate_config(&self, ctx: &Context, config: &Value) -> Diagnostics;
}

/// Optional: customise a plan (not called for destroy plans).
#[async_trait]
pub trait ResourceModifyPlan: Send + Sync {
    /// Returns the adjusted plan.
    async fn modify_plan(&self, ctx: &Context, req: ModifyPlanRequest) -> ModifyPlanResponse;
}

/// Optional: upgrade state written with an older schema version.
#[async_trait]
pub trait ResourceUpgradeState: Send + Sync {
    /// Converts old stored JSON to a current-schema value.
    async fn upgrade_state(&self, ctx: &Context, req: UpgradeStateRequest) -> UpgradeStateResponse;
}
