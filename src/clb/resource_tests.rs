//! Unit tests of the resource through the framework's traits, against the fake API.

use std::sync::Arc;

use crate::clb::association::PendingWrite;
use crate::clb::engine::Engine;
use crate::clb::fake::FakeClb;
use crate::clb::provider::{ApiState, Shared};
use crate::clb::resource::{AssociationResource, schema};
use crate::tfplug::provider::Context;
use crate::tfplug::resource::*;
use crate::tfplug::value::Value;

fn resource() -> (AssociationResource, Arc<FakeClb>) {
    let fake = Arc::new(FakeClb::new());
    (resource_on(&fake), fake)
}

/// The resource as a new provider process (a new Terraform command) sees `fake`.
fn resource_on(fake: &Arc<FakeClb>) -> AssociationResource {
    let shared = Arc::new(Shared::new());
    shared.set_api(ApiState::Ready(Engine::new(fake.clone())));
    AssociationResource::new(shared)
}

fn config(weight: Value) -> Value {
    let mut v = Value::object(
        schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .chain([("timeouts".to_string(), Value::Null)]),
    );
    v.set_attr("load_balancer_id", Value::string("lb-a"));
    v.set_attr("listener_id", Value::string("lbl-tcp"));
    v.set_attr("target_group_id", Value::string("lbtg-v2"));
    v.set_attr("weight", weight);
    v
}

#[tokio::test]
async fn create_fills_computed_values_and_read_sees_removal() {
    let (r, fake) = resource();
    let ctx = Context::default();
    let mut planned = config(Value::Null);
    planned.set_attr("weight", Value::Unknown);
    planned.set_attr("id", Value::Unknown);
    let resp = r
        .create(
            &ctx,
            CreateRequest {
                config: config(Value::Null),
                planned_state: planned,
                planned_private: vec![],
            },
        )
        .await;
    assert!(!resp.diagnostics.has_errors(), "{:?}", resp.diagnostics);
    let state = resp.new_state.unwrap();
    assert!(state.is_fully_known());
    assert_eq!(
        state.get_attr("id").unwrap().as_str(),
        Some("lb-a#lbl-tcp#lbtg-v2")
    );
    assert_eq!(state.get_attr("weight").unwrap().as_i64(), Some(10));

    // Removed out of band; the next command (a new provider process) reads it as gone.
    fake.bindings.lock().unwrap().clear();
    let read = resource_on(&fake)
        .read(
            &ctx,
            ReadRequest {
                current_state: state,
                private: vec![],
            },
        )
        .await;
    assert!(!read.diagnostics.has_errors());
    assert!(read.new_state.is_none(), "a removed binding reads as gone");
}

#[tokio::test]
async fn failed_task_records_nothing() {
    let (r, fake) = resource();
    fake.script.lock().unwrap().task_failure = Some("no capacity".into());
    let resp = r
        .create(
            &Context::default(),
            CreateRequest {
                config: config(Value::int(20)),
                planned_state: config(Value::int(20)),
                planned_private: vec![],
            },
        )
        .await;
    assert!(resp.new_state.is_none());
    let d = resp.diagnostics.iter().next().unwrap();
    assert!(
        d.detail.contains("no capacity") && d.detail.contains("RequestId: task-2"),
        "{d}"
    );
}

#[tokio::test]
async fn refresh_keeps_the_binding_when_the_credentials_are_refused() {
    let (r, fake) = resource();
    let ctx = Context::default();
    let mut state = config(Value::int(10));
    state.set_attr("id", Value::string("lb-a#lbl-tcp#lbtg-v2"));
    fake.script.lock().unwrap().read_error = Some("AuthFailure.SecretIdNotFound".into());
    let read = r
        .read(
            &ctx,
            ReadRequest {
                current_state: state,
                private: vec![],
            },
        )
        .await;
    // No state with an error: the framework keeps what Terraform had.
    assert!(read.new_state.is_none());
    let d = read.diagnostics.iter().next().expect("an error");
    assert!(read.diagnostics.has_errors());
    for needle in [
        "AuthFailure.SecretIdNotFound",
        "RequestId: req-fake",
        "secret_id",
    ] {
        assert!(d.detail.contains(needle), "{needle} in {d}");
    }
}

#[tokio::test]
async fn create_whose_task_was_not_seen_to_finish_records_the_binding_with_its_task() {
    let (r, fake) = resource();
    fake.script.lock().unwrap().task_timeout = true;
    let ctx = Context::default();
    let resp = r
        .create(
            &ctx,
            CreateRequest {
                config: config(Value::int(20)),
                planned_state: config(Value::int(20)),
                planned_private: vec![],
            },
        )
        .await;
    assert!(resp.diagnostics.has_errors());
    let d = resp.diagnostics.iter().next().unwrap();
    assert!(
        d.detail.contains("marked tainted") && d.detail.contains("terraform destroy"),
        "{d}"
    );
    let state = resp.new_state.expect("recorded despite the error");
    assert_eq!(state.get_attr("weight").unwrap().as_i64(), Some(20));
    assert!(String::from_utf8_lossy(&resp.private).contains("task-1"));

    // A refresh waits for the task and then reads the real binding; the private state is settled.
    fake.script.lock().unwrap().task_timeout = false;
    let read = r
        .read(
            &ctx,
            ReadRequest {
                current_state: state,
                private: resp.private,
            },
        )
        .await;
    assert!(!read.diagnostics.has_errors(), "{:?}", read.diagnostics);
    assert!(read.new_state.is_some());
    assert!(!String::from_utf8_lossy(&read.private).contains("task-1"));
}

#[tokio::test]
async fn refresh_keeps_a_binding_whose_bind_answer_never_arrived_until_destroy() {
    let (r, fake) = resource();
    let ctx = Context::default();
    let mut state = config(Value::int(10));
    state.set_attr("id", Value::string("lb-a#lbl-tcp#lbtg-v2"));
    let private = PendingWrite { task_id: None }.to_private();
    let read = r
        .read(
            &ctx,
            ReadRequest {
                current_state: state.clone(),
                private: private.clone(),
            },
        )
        .await;
    assert!(!read.diagnostics.has_errors());
    assert_eq!(read.diagnostics.iter().count(), 1, "a warning");
    assert_eq!(read.new_state, Some(state.clone()), "kept as recorded");
    assert_eq!(
        PendingWrite::from_private(&read.private),
        Some(PendingWrite { task_id: None }),
        "the pending write stays recorded"
    );

    let deleted = r
        .delete(
            &ctx,
            DeleteRequest {
                prior_state: state,
                private,
            },
        )
        .await;
    assert!(
        !deleted.diagnostics.has_errors(),
        "{:?}",
        deleted.diagnostics
    );
    assert_eq!(fake.script.lock().unwrap().writes, 1, "one unbind sent");
}

#[tokio::test]
async fn import_accepts_both_forms_and_explains_bad_ones() {
    let (r, _) = resource();
    let ctx = Context::default();
    let importer = r.importer().unwrap();
    for id in ["lb-a#lbl-tcp#lbtg-v2", "lbtg-v2#lbl-tcp#lb-a#"] {
        let resp = importer.import_state(&ctx, id).await;
        let state = resp.state.expect(id);
        assert_eq!(
            state.get_attr("id").unwrap().as_str(),
            Some("lb-a#lbl-tcp#lbtg-v2")
        );
    }
    let resp = importer.import_state(&ctx, "nonsense").await;
    assert!(resp.state.is_none());
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
    let r = AssociationResource::new(Arc::new(Shared::new()));
    let resp = r
        .delete(
            &Context::default(),
            DeleteRequest {
                prior_state: config(Value::int(10)),
                private: vec![],
            },
        )
        .await;
    assert!(resp.diagnostics.has_errors());
}
