//! Unit tests of the resource through the framework's traits, against the fake API.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::clb::association::PendingWrite;
use crate::clb::binding::id::AssociationId;
use crate::clb::binding::identity::identity_schema;
use crate::clb::cloud::Weight;
use crate::clb::cloud::fake::FakeClb;
use crate::clb::engine::Engine;
use crate::clb::provider::ConfiguredProvider;
use crate::clb::resource::{AssociationModel, AssociationResource, schema};
use tfplug::diag::Diagnostics;
use tfplug::provider::{Context, ProviderData};
use tfplug::resource::*;
use tfplug::typed::{Private, TypedValue, ValueRole};
use tfplug::value::Unknowable;

fn resource() -> (AssociationResource, Arc<FakeClb>, Context) {
    let fake = Arc::new(FakeClb::new());
    let ctx = process_on(&fake);
    (AssociationResource, fake, ctx)
}

/// The context of a new provider process (a new Terraform command) configured against `fake`.
fn process_on(fake: &Arc<FakeClb>) -> Context {
    Context::with_provider_data(Arc::new(ConfiguredProvider::new(Engine::new(fake.clone()))))
}

fn model(weight: Option<Weight>) -> AssociationModel {
    AssociationModel {
        load_balancer_id: Some("lb-a".into()),
        listener_id: Some("lbl-tcp".into()),
        target_group_id: Some("lbtg-v2".into()),
        weight,
        ..Default::default()
    }
}

fn typed<T: serde::Serialize>(role: ValueRole, m: &T) -> TypedValue {
    TypedValue::from_model(role, schema().value_type(), m).unwrap()
}

fn null_state() -> TypedValue {
    TypedValue::null(ValueRole::State, schema().value_type())
}

/// What the framework hands a resource with identity before one is known.
fn no_identity() -> Option<TypedValue> {
    Some(TypedValue::null(
        ValueRole::Identity,
        identity_schema().value_type(),
    ))
}

/// The identity the resource returned.
fn identity_of(slot: &Option<TypedValue>) -> AssociationId {
    slot.as_ref()
        .expect("an identity")
        .get()
        .expect("identity model")
}

/// The plan of a create: computed values unknown.
#[derive(serde::Serialize)]
struct PlannedCreate {
    load_balancer_id: &'static str,
    listener_id: &'static str,
    target_group_id: &'static str,
    id: Unknowable<Option<String>>,
    weight: Unknowable<Option<Weight>>,
}

async fn create(
    r: &AssociationResource,
    ctx: &Context,
    config: TypedValue,
    plan: TypedValue,
) -> CreateResponse {
    let mut resp = CreateResponse {
        state: null_state(),
        private: Private::new(),
        identity: no_identity(),
        diagnostics: Diagnostics::new(),
    };
    let req = CreateRequest {
        config,
        plan,
        private: Private::new(),
        identity: no_identity(),
    };
    r.create(ctx, req, &mut resp).await;
    resp
}

#[tokio::test]
async fn create_fills_computed_values_and_read_sees_removal() {
    let (r, fake, ctx) = resource();
    let planned = PlannedCreate {
        load_balancer_id: "lb-a",
        listener_id: "lbl-tcp",
        target_group_id: "lbtg-v2",
        id: Unknowable::Unknown,
        weight: Unknowable::Unknown,
    };
    let resp = create(
        &r,
        &ctx,
        typed(ValueRole::Config, &model(None)),
        typed(ValueRole::Plan, &planned),
    )
    .await;
    assert!(!resp.diagnostics.has_errors(), "{:?}", resp.diagnostics);
    assert!(resp.state.is_fully_known());
    let state: AssociationModel = resp.state.get().unwrap();
    assert_eq!(state.id.as_deref(), Some("lb-a#lbl-tcp#lbtg-v2"));
    assert_eq!(state.weight, Some(10));
    let identity = identity_of(&resp.identity);
    assert_eq!(
        (
            identity.load_balancer_id.as_str(),
            identity.listener_id.as_str()
        ),
        ("lb-a", "lbl-tcp")
    );
    assert_eq!(identity.location_id, None);

    // Removed out of band; the next command (a new provider process) reads it as gone.
    fake.bindings.lock().unwrap().clear();
    let read = read(&r, &process_on(&fake), resp.state, Private::new()).await;
    assert!(!read.diagnostics.has_errors());
    assert!(read.state.is_null(), "a removed binding reads as gone");
}

/// Reads `state` as Terraform < 1.12 would ask (no identity stored yet).
async fn read(
    r: &AssociationResource,
    ctx: &Context,
    state: TypedValue,
    private: Private,
) -> ReadResponse {
    let mut resp = ReadResponse {
        state: state.clone(),
        private: private.clone(),
        identity: no_identity(),
        deferred: None,
        diagnostics: Diagnostics::new(),
    };
    let req = ReadRequest {
        state,
        private,
        identity: no_identity(),
        deferral_allowed: false,
    };
    r.read(ctx, req, &mut resp).await;
    resp
}

/// A recorded binding with weight 10.
fn recorded() -> TypedValue {
    let mut m = model(Some(10));
    m.id = Some("lb-a#lbl-tcp#lbtg-v2".into());
    typed(ValueRole::State, &m)
}

#[tokio::test]
async fn refresh_keeps_the_binding_when_the_credentials_are_refused() {
    let (r, fake, ctx) = resource();
    fake.script.lock().unwrap().read_error = Some("AuthFailure.SecretIdNotFound".into());
    let read = read(&r, &ctx, recorded(), Private::new()).await;
    // The response still holds the recorded state; with the error the framework keeps it.
    let state: AssociationModel = read.state.get().unwrap();
    assert_eq!(state.weight, Some(10));
    assert!(read.diagnostics.has_errors());
    let d = read.diagnostics.iter().next().expect("an error");
    for needle in [
        "AuthFailure.SecretIdNotFound",
        "RequestId: req-fake",
        "secret_id",
    ] {
        assert!(d.detail.contains(needle), "{needle} in {d}");
    }
    assert_eq!(identity_of(&read.identity).target_group_id, "lbtg-v2");
}

#[tokio::test]
async fn refresh_with_an_unknown_provider_configuration_keeps_state_and_sets_identity() {
    let (r, fake, _) = resource();
    let ctx = Context::new(
        CancellationToken::new(),
        ProviderData::ConfigUnknown(vec!["region".into()]),
    );
    let read = read(&r, &ctx, recorded(), Private::new()).await;
    assert!(!read.diagnostics.has_errors(), "{:?}", read.diagnostics);
    let state: AssociationModel = read.state.get().unwrap();
    assert_eq!(state.id.as_deref(), Some("lb-a#lbl-tcp#lbtg-v2"));
    let identity = identity_of(&read.identity);
    assert_eq!(
        (
            identity.load_balancer_id.as_str(),
            identity.listener_id.as_str(),
            identity.target_group_id.as_str()
        ),
        ("lb-a", "lbl-tcp", "lbtg-v2")
    );
    assert_eq!(fake.script.lock().unwrap().target_group_reads.len(), 0);
}

#[tokio::test]
async fn create_whose_task_was_not_seen_to_finish_records_the_binding_with_its_task() {
    let (r, fake, ctx) = resource();
    fake.script.lock().unwrap().task_timeout = true;
    let resp = create(
        &r,
        &ctx,
        typed(ValueRole::Config, &model(Some(20))),
        typed(ValueRole::Plan, &model(Some(20))),
    )
    .await;
    assert!(resp.diagnostics.has_errors());
    let d = resp.diagnostics.iter().next().unwrap();
    assert!(
        d.detail.contains("marked tainted") && d.detail.contains("terraform destroy"),
        "{d}"
    );
    let state: AssociationModel = resp.state.get().expect("recorded despite the error");
    assert_eq!(state.weight, Some(20));
    let pending: PendingWrite = resp
        .private
        .get("pending_write")
        .unwrap()
        .expect("the task is kept in private data");
    assert_eq!(pending.task_id.as_deref(), Some("task-1"));

    // A refresh waits for the task and then reads the real binding; the private data is settled.
    fake.script.lock().unwrap().task_timeout = false;
    let read = read(&r, &ctx, resp.state, resp.private).await;
    assert!(!read.diagnostics.has_errors(), "{:?}", read.diagnostics);
    assert!(!read.state.is_null());
    assert!(read.private.is_empty(), "{:?}", read.private);
    assert_eq!(identity_of(&read.identity).target_group_id, "lbtg-v2");
}

#[tokio::test]
async fn failed_task_records_nothing() {
    let (r, fake, ctx) = resource();
    fake.script.lock().unwrap().task_failure = Some("no capacity".into());
    let resp = create(
        &r,
        &ctx,
        typed(ValueRole::Config, &model(Some(20))),
        typed(ValueRole::Plan, &model(Some(20))),
    )
    .await;
    assert!(resp.state.is_null());
    let d = resp.diagnostics.iter().next().unwrap();
    assert!(
        d.detail.contains("no capacity") && d.detail.contains("RequestId: task-2"),
        "{d}"
    );
}

#[tokio::test]
async fn refresh_keeps_a_binding_whose_bind_answer_never_arrived_until_destroy() {
    let (r, fake, ctx) = resource();
    let mut private = Private::new();
    private
        .set("pending_write", &PendingWrite { task_id: None })
        .unwrap();
    let read = read(&r, &ctx, recorded(), private.clone()).await;
    assert!(!read.diagnostics.has_errors());
    assert_eq!(read.diagnostics.iter().count(), 1, "a warning");
    let kept: AssociationModel = read.state.get().unwrap();
    let recorded_model: AssociationModel = recorded().get().unwrap();
    assert_eq!(kept, recorded_model, "kept as recorded");
    assert_eq!(
        read.private.get::<PendingWrite>("pending_write").unwrap(),
        Some(PendingWrite { task_id: None }),
        "the pending write stays recorded"
    );
    assert_eq!(identity_of(&read.identity).target_group_id, "lbtg-v2");

    let mut deleted = DeleteResponse::default();
    let req = DeleteRequest {
        prior_state: recorded(),
        private,
        identity: no_identity(),
    };
    r.delete(&ctx, req, &mut deleted).await;
    assert!(
        !deleted.diagnostics.has_errors(),
        "{:?}",
        deleted.diagnostics
    );
    assert_eq!(fake.script.lock().unwrap().writes, 1, "one unbind sent");
}

#[tokio::test]
async fn import_accepts_both_forms_and_explains_bad_ones() {
    let (r, _, ctx) = resource();
    let importer = r.importer().unwrap();
    let import = |id: &str| {
        let req = ImportRequest {
            target: ImportTarget::Id(id.to_string()),
            deferral_allowed: false,
        };
        let ctx = ctx.clone();
        async move {
            let mut resp = ImportResponse {
                state: null_state(),
                private: Private::new(),
                identity: no_identity(),
                deferred: None,
                diagnostics: Diagnostics::new(),
            };
            importer.import_state(&ctx, req, &mut resp).await;
            resp
        }
    };
    for id in ["lb-a#lbl-tcp#lbtg-v2", "lbtg-v2#lbl-tcp#lb-a#"] {
        let resp = import(id).await;
        let state: AssociationModel = resp.state.get().expect(id);
        assert_eq!(state.id.as_deref(), Some("lb-a#lbl-tcp#lbtg-v2"));
        assert_eq!(identity_of(&resp.identity).target_group_id, "lbtg-v2");
    }
    let resp = import("nonsense").await;
    assert!(resp.state.is_null());
    assert!(
        resp.diagnostics
            .iter()
            .next()
            .unwrap()
            .detail
            .contains("Accepted forms")
    );
}

#[tokio::test]
async fn unconfigured_api_is_a_diagnostic_not_a_panic() {
    let mut resp = DeleteResponse::default();
    let req = DeleteRequest {
        prior_state: typed(ValueRole::State, &model(Some(10))),
        private: Private::new(),
        identity: no_identity(),
    };
    AssociationResource
        .delete(&Context::default(), req, &mut resp)
        .await;
    assert!(resp.diagnostics.has_errors());
    assert_eq!(
        resp.diagnostics.iter().next().unwrap().summary,
        "Provider not configured"
    );
}
