//! The resource trait: a small required interface plus optional capabilities.
//!
//! Every method gets a request and a response the framework has already filled with sensible
//! defaults (a read's response holds the current state, an update's the plan, private data and
//! identity are carried over), so a resource sets only what it changes. Values are typed
//! ([`TypedValue`], [`Private`]): resources get and set serde models.
//!
//! The framework applies Terraform's planning rules around these calls, so `create`/`update`
//! receive a plan that is already consistent, and must leave a wholly known state that keeps
//! every known planned value.

use async_trait::async_trait;

pub use super::datasource::Deferred;
use super::diag::Diagnostics;
use super::provider::{ConfigValidator, Context};
use super::schema::{IdentitySchema, Schema};
use super::typed::{Private, TypedValue};
use super::value::AttributePath;

/// Input of [`Resource::create`].
#[derive(Debug, Clone)]
pub struct CreateRequest {
    /// The configuration (wholly known at apply time).
    pub config: TypedValue,
    /// The plan; its unknown values are for the resource to fill in.
    pub plan: TypedValue,
    /// Private data from the plan.
    pub private: Private,
    /// The planned identity (null when the plan had none), for resources with identity.
    pub identity: Option<TypedValue>,
}

/// Output of [`Resource::create`].
#[derive(Debug, Clone)]
pub struct CreateResponse {
    /// Starts null. Set it to the created object; left null (with an error) it means nothing
    /// was created. Set with an error, Terraform records the object as tainted.
    pub state: TypedValue,
    /// Starts as the plan's private data.
    pub private: Private,
    /// Starts as the planned identity; must be wholly known after a successful create.
    pub identity: Option<TypedValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::read`].
#[derive(Debug, Clone)]
pub struct ReadRequest {
    /// The state Terraform has recorded.
    pub state: TypedValue,
    /// Private data stored with it.
    pub private: Private,
    /// The identity stored with it (null when none was stored yet, e.g. by Terraform < 1.12).
    pub identity: Option<TypedValue>,
    /// Terraform accepts a deferred refresh ([`ReadResponse::deferred`]).
    pub deferral_allowed: bool,
}

/// Output of [`Resource::read`].
#[derive(Debug, Clone)]
pub struct ReadResponse {
    /// Starts as the recorded state. Set it to the object as it really is, or
    /// [`TypedValue::set_null`] when it no longer exists (Terraform then plans a create).
    pub state: TypedValue,
    /// Starts as the stored private data.
    pub private: Private,
    /// Starts as the stored identity; must be wholly known when the object exists, and must not
    /// change once stored.
    pub identity: Option<TypedValue>,
    /// Set (only when the request allows it) to put the refresh off to a later run; Terraform
    /// keeps the recorded state meanwhile.
    pub deferred: Option<Deferred>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::update`].
#[derive(Debug, Clone)]
pub struct UpdateRequest {
    /// The configuration.
    pub config: TypedValue,
    /// The state before the change.
    pub prior_state: TypedValue,
    /// The plan; unknown values are for the resource to fill in.
    pub plan: TypedValue,
    /// Private data from the plan.
    pub private: Private,
    /// The planned identity.
    pub identity: Option<TypedValue>,
}

/// Output of [`Resource::update`].
#[derive(Debug, Clone)]
pub struct UpdateResponse {
    /// Starts as the plan. Must be wholly known after a successful update; after an error, the
    /// framework keeps the prior state unless this one is wholly known.
    pub state: TypedValue,
    /// Starts as the plan's private data.
    pub private: Private,
    /// Starts as the planned identity.
    pub identity: Option<TypedValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`Resource::delete`].
#[derive(Debug, Clone)]
pub struct DeleteRequest {
    /// The state being destroyed.
    pub prior_state: TypedValue,
    /// Private data stored with it.
    pub private: Private,
    /// Its identity.
    pub identity: Option<TypedValue>,
}

/// Output of [`Resource::delete`].
#[derive(Debug, Clone, Default)]
pub struct DeleteResponse {
    /// Problems; with an error the object stays in state.
    pub diagnostics: Diagnostics,
}

/// What `terraform import` or an `import {}` block names.
#[derive(Debug, Clone)]
pub enum ImportTarget {
    /// An import ID string (`terraform import ADDR ID`, `import { id = ... }`).
    Id(String),
    /// An identity (`import { identity = {...} }`, Terraform ≥ 1.12), already checked against
    /// the identity schema (required attributes set, wholly known).
    Identity(TypedValue),
}

/// Input of [`ResourceImport::import_state`].
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// What to import.
    pub target: ImportTarget,
    /// Terraform accepts a deferred import ([`ImportResponse::deferred`]).
    pub deferral_allowed: bool,
}

/// Output of [`ResourceImport::import_state`].
#[derive(Debug, Clone)]
pub struct ImportResponse {
    /// Starts null. Set at least the identifying attributes (the others may stay null);
    /// Terraform then calls `read` on it.
    pub state: TypedValue,
    /// Starts empty.
    pub private: Private,
    /// Starts as the requested identity when importing by identity, else null; must be wholly
    /// known after a successful import.
    pub identity: Option<TypedValue>,
    /// Set (only when the request allows it) to put the import off to a later run; the state is
    /// then ignored.
    pub deferred: Option<Deferred>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`ResourceModifyPlan::modify_plan`].
#[derive(Debug, Clone)]
pub struct ModifyPlanRequest {
    /// The configuration (may contain unknowns).
    pub config: TypedValue,
    /// The prior state (null on create).
    pub prior_state: TypedValue,
    /// Private data from the prior state.
    pub prior_private: Private,
    /// The prior identity.
    pub prior_identity: Option<TypedValue>,
    /// Terraform accepts a deferred plan ([`ModifyPlanResponse::deferred`]).
    pub deferral_allowed: bool,
}

/// Output of [`ResourceModifyPlan::modify_plan`].
#[derive(Debug, Clone)]
pub struct ModifyPlanResponse {
    /// Starts as the framework's plan. Never change a value that is set in configuration.
    pub plan: TypedValue,
    /// Extra paths whose change forces replacement (added to the schema's `requires_replace`).
    pub requires_replace: Vec<AttributePath>,
    /// Starts as the prior private data.
    pub private: Private,
    /// Starts as the prior identity (null on create). Leave it null or set it wholly known; it
    /// must not change on an update.
    pub identity: Option<TypedValue>,
    /// Set (only when the request allows it) to put the change off to a later run; the framework
    /// then answers with its own plan (computed attributes unknown) and ignores `plan`,
    /// `requires_replace`, `private` and `identity`.
    pub deferred: Option<Deferred>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`ResourceUpgradeState::upgrade_state`].
#[derive(Debug, Clone)]
pub struct UpgradeStateRequest {
    /// Schema version the stored state was written with (lower than the current one).
    pub version: i64,
    /// The stored state as JSON.
    pub raw_state: serde_json::Value,
}

/// Output of [`ResourceUpgradeState::upgrade_state`].
#[derive(Debug, Clone)]
pub struct UpgradeStateResponse {
    /// Starts null; set it to the state in the current schema.
    pub state: TypedValue,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// Input of [`ResourceIdentity::upgrade_identity`].
#[derive(Debug, Clone)]
pub struct UpgradeIdentityRequest {
    /// Identity schema version the stored identity was written with (lower than the current).
    pub version: i64,
    /// The stored identity as JSON.
    pub raw_identity: serde_json::Value,
}

/// Output of [`ResourceIdentity::upgrade_identity`].
#[derive(Debug, Clone)]
pub struct UpgradeIdentityResponse {
    /// Starts null; set it to the identity in the current identity schema.
    pub identity: TypedValue,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// A kind of object a resource can take over with a `moved` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveSource {
    /// Full provider source address, e.g. `registry.terraform.io/example/example`.
    pub provider_address: String,
    /// Resource type name in that provider.
    pub type_name: String,
}

/// Input of [`ResourceMoveState::move_state`].
#[derive(Debug, Clone)]
pub struct MoveStateRequest {
    /// One of the resource's [`ResourceMoveState::move_sources`].
    pub source: MoveSource,
    /// Schema version of the source state.
    pub source_schema_version: i64,
    /// The source state as stored (JSON, in the source's schema).
    pub source_state: serde_json::Value,
    /// The source's private data, as stored (opaque; written by another provider).
    pub source_private: Vec<u8>,
    /// The source's identity as JSON, when Terraform sent one.
    pub source_identity: Option<serde_json::Value>,
}

/// Output of [`ResourceMoveState::move_state`].
#[derive(Debug, Clone)]
pub struct MoveStateResponse {
    /// Starts null; set it to the state in this resource's schema.
    pub state: TypedValue,
    /// Starts empty.
    pub private: Private,
    /// Starts null; must be wholly known after a successful move.
    pub identity: Option<TypedValue>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// Full type name, e.g. `example_thing`.
    fn type_name(&self) -> &str;
    /// The schema.
    fn schema(&self) -> Schema;
    /// Creates the object.
    async fn create(&self, ctx: &Context, req: CreateRequest, resp: &mut CreateResponse);
    /// Refreshes the object from the real world.
    async fn read(&self, ctx: &Context, req: ReadRequest, resp: &mut ReadResponse);
    /// Updates in place.
    async fn update(&self, ctx: &Context, req: UpdateRequest, resp: &mut UpdateResponse);
    /// Deletes the object.
    async fn delete(&self, ctx: &Context, req: DeleteRequest, resp: &mut DeleteResponse);
    /// Import support.
    fn importer(&self) -> Option<&dyn ResourceImport> {
        None
    }
    /// Extra configuration validation.
    fn config_validator(&self) -> Option<&dyn ConfigValidator> {
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
    /// Resource identity (protocol 6.9, Terraform ≥ 1.12).
    fn identity(&self) -> Option<&dyn ResourceIdentity> {
        None
    }
    /// Taking over objects of other resource types with `moved` blocks.
    fn mover(&self) -> Option<&dyn ResourceMoveState> {
        None
    }
    /// Adjusting the configuration generated from a state (`-generate-config-out`).
    fn config_generator(&self) -> Option<&dyn ResourceGenerateConfig> {
        None
    }
}

/// Optional: refine the configuration Terraform writes for an imported or listed object. The
/// framework has already kept only what a user can write (computed-only, deprecated and
/// write-only attributes and an optional+computed `id` are null); a resource can also drop
/// values that equal what it would choose anyway, so the generated HCL stays short.
pub trait ResourceGenerateConfig: Send + Sync {
    /// Adjusts `config` (of the resource schema), derived from `state`.
    fn generate_config(&self, state: &TypedValue, config: &mut TypedValue, diags: &mut Diagnostics);
}

/// Optional: `terraform import` and `import {}` blocks.
#[async_trait]
pub trait ResourceImport: Send + Sync {
    /// Builds a minimal state from an ID or an identity.
    async fn import_state(&self, ctx: &Context, req: ImportRequest, resp: &mut ImportResponse);
}

/// Optional: customise a plan (not called for destroy plans).
#[async_trait]
pub trait ResourceModifyPlan: Send + Sync {
    /// Adjusts `resp.plan`.
    async fn modify_plan(
        &self,
        ctx: &Context,
        req: ModifyPlanRequest,
        resp: &mut ModifyPlanResponse,
    );
}

/// Optional: upgrade state written with an older schema version.
#[async_trait]
pub trait ResourceUpgradeState: Send + Sync {
    /// Converts old stored JSON to a current-schema state.
    async fn upgrade_state(
        &self,
        ctx: &Context,
        req: UpgradeStateRequest,
        resp: &mut UpgradeStateResponse,
    );
}

/// Optional: resource identity. The framework returns the identity from every response that
/// carries one and enforces Terraform's rules: wholly known, of the schema, stable once stored.
#[async_trait]
pub trait ResourceIdentity: Send + Sync {
    /// The identity schema.
    fn identity_schema(&self) -> IdentitySchema;
    /// Converts an identity stored with an older identity schema version. The default has no
    /// upgrade path and says so.
    async fn upgrade_identity(
        &self,
        _ctx: &Context,
        req: UpgradeIdentityRequest,
        resp: &mut UpgradeIdentityResponse,
    ) {
        resp.diagnostics.error(
            "Cannot upgrade the resource identity",
            format!(
                "The stored identity has version {}, and this provider has no way to upgrade it. \
                 Remove the resource from state with `terraform state rm` and import it again.",
                req.version
            ),
        );
    }
}

/// Optional: `moved { from = <other type> to = <this type> }`.
#[async_trait]
pub trait ResourceMoveState: Send + Sync {
    /// The kinds of object this resource accepts. Anything else gets a diagnostic from the
    /// framework, without calling [`move_state`](Self::move_state).
    fn move_sources(&self) -> Vec<MoveSource>;
    /// Converts the source state into this resource's state (and identity, if it has one).
    async fn move_state(&self, ctx: &Context, req: MoveStateRequest, resp: &mut MoveStateResponse);
}
