//! Unit tests of [`crate::clb::association`] and [`crate::clb::checks`] against the fake.

use std::sync::Arc;
use std::time::Duration;

use crate::clb::association::{self, PendingWrite, RunMemory};
use crate::clb::binding::id::AssociationId;
use crate::clb::checks::check_binding;
use crate::clb::cloud::Deadline;
use crate::clb::cloud::fake::FakeClb;
use crate::clb::engine::Engine;
use crate::clb::engine::OpError;

fn limits() -> Deadline {
    Deadline::in_(Duration::from_secs(30))
}

/// The fake and an engine over it (one provider process).
fn world() -> (Arc<FakeClb>, Arc<Engine>) {
    let fake = Arc::new(FakeClb::new());
    (fake.clone(), Engine::new(fake))
}

fn id(s: &str) -> AssociationId {
    AssociationId {
        load_balancer_id: "lb-a".into(),
        listener_id: "lbl-tcp".into(),
        location_id: None,
        target_group_id: s.into(),
    }
}

#[tokio::test]
async fn create_read_delete() {
    let (api, engine) = world();
    let run = RunMemory::new();
    let b = association::create(&engine, &run, &id("lbtg-v2"), Some(30), &limits())
        .await
        .unwrap();
    assert_eq!(b.binding.weight, Some(30));
    assert!(
        association::read(&engine, &id("lbtg-v2"), &limits())
            .await
            .unwrap()
            .is_some()
    );
    association::delete(
        &engine,
        &RunMemory::new(),
        &id("lbtg-v2"),
        None,
        None,
        &limits(),
    )
    .await
    .unwrap();
    assert!(
        association::read(&engine, &id("lbtg-v2"), &limits())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(api.count(), 0);
}

#[tokio::test]
async fn create_adopts_an_existing_binding() {
    let (api, engine) = world();
    let run = RunMemory::new();
    association::create(&engine, &run, &id("lbtg-v2"), None, &limits())
        .await
        .unwrap();
    let writes = api.script.lock().unwrap().writes;
    association::create(&engine, &run, &id("lbtg-v2"), None, &limits())
        .await
        .unwrap();
    assert_eq!(api.script.lock().unwrap().writes, writes, "no second write");
    assert_eq!(api.count(), 1);
}

#[tokio::test]
async fn create_refuses_to_adopt_a_different_weight() {
    let (_, engine) = world();
    let run = RunMemory::new();
    association::create(&engine, &run, &id("lbtg-v2"), Some(10), &limits())
        .await
        .unwrap();
    let err = association::create(&engine, &run, &id("lbtg-v2"), Some(20), &limits())
        .await
        .unwrap_err()
        .error;
    assert!(
        matches!(
            err,
            OpError::WeightConflict {
                existing: Some(10),
                wanted: 20
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn lost_answer_is_checked_not_resent() {
    let (api, engine) = world();
    api.script.lock().unwrap().lost_answers = 1;
    let run = RunMemory::new();
    association::create(&engine, &run, &id("lbtg-v2"), None, &limits())
        .await
        .unwrap();
    assert_eq!(
        api.script.lock().unwrap().writes,
        1,
        "the write was applied once and adopted"
    );
    assert_eq!(api.count(), 1);
}

#[tokio::test]
async fn failed_task_reports_message_and_binds_nothing() {
    let (api, engine) = world();
    api.script.lock().unwrap().task_failure = Some("backend busy".into());
    let run = RunMemory::new();
    let err = association::create(&engine, &run, &id("lbtg-v2"), None, &limits())
        .await
        .unwrap_err();
    assert_eq!(
        err.pending, None,
        "the cloud said the task failed: nothing to record"
    );
    let f = err.error.failure();
    assert!(f.message.contains("backend busy"), "{f:?}");
    // Tried once more after the first failure; the diagnostic names the last task.
    assert_eq!(f.request_id.as_deref(), Some("task-2"));
    assert_eq!(api.script.lock().unwrap().writes, 2);
    assert_eq!(api.count(), 0);
}

#[tokio::test]
async fn delete_of_a_gone_binding_succeeds_without_writing() {
    let (api, engine) = world();
    association::delete(
        &engine,
        &RunMemory::new(),
        &id("lbtg-v2"),
        None,
        None,
        &limits(),
    )
    .await
    .unwrap();
    association::delete(
        &engine,
        &RunMemory::new(),
        &id("lbtg-gone"),
        None,
        None,
        &limits(),
    )
    .await
    .unwrap();
    assert_eq!(api.script.lock().unwrap().writes, 0);
}

#[tokio::test]
async fn delete_with_lost_answer_converges() {
    let (api, engine) = world();
    let run = RunMemory::new();
    association::create(&engine, &run, &id("lbtg-v2"), None, &limits())
        .await
        .unwrap();
    api.script.lock().unwrap().lost_answers = 1;
    association::delete(
        &engine,
        &RunMemory::new(),
        &id("lbtg-v2"),
        None,
        None,
        &limits(),
    )
    .await
    .unwrap();
    assert_eq!(api.count(), 0);
}

#[tokio::test]
async fn layer4_read_ignores_layer7_bindings_of_the_same_listener_id() {
    let (_, engine) = world();
    let run = RunMemory::new();
    let l7 = AssociationId {
        listener_id: "lbl-http".into(),
        location_id: Some("loc-r1".into()),
        ..id("lbtg-v2")
    };
    association::create(&engine, &run, &l7, None, &limits())
        .await
        .unwrap();
    let l4_same_listener = AssociationId {
        location_id: None,
        ..l7.clone()
    };
    assert!(
        association::read(&engine, &l4_same_listener, &limits())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        association::read(&engine, &l7, &limits())
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn write_without_effect_and_unknown_outcome_is_sent_again_until_it_lands() {
    let (api, engine) = world();
    api.script.lock().unwrap().unapplied_unknown = 2;
    let run = RunMemory::new();
    association::create(&engine, &run, &id("lbtg-v2"), None, &limits())
        .await
        .unwrap();
    assert_eq!(api.script.lock().unwrap().writes, 3);
    assert_eq!(api.count(), 1);
}

#[tokio::test]
async fn a_failed_task_is_tried_once_more() {
    let (api, engine) = world();
    api.script.lock().unwrap().failing_tasks = 1;
    let run = RunMemory::new();
    association::create(&engine, &run, &id("lbtg-v2"), None, &limits())
        .await
        .unwrap();
    assert_eq!(api.script.lock().unwrap().writes, 2);
    assert_eq!(api.count(), 1);
}

#[tokio::test]
async fn unfinished_wait_after_an_accepted_bind_hands_back_the_pending_task() {
    let (api, engine) = world();
    api.script.lock().unwrap().task_timeout = true;
    let err = association::create(&engine, &RunMemory::new(), &id("lbtg-v2"), None, &limits())
        .await
        .unwrap_err();
    assert!(matches!(err.error, OpError::Task(_)), "{:?}", err.error);
    let pending = err.pending.expect("the accepted bind is pending");
    assert_eq!(pending.task_id.as_deref(), Some("task-1"));

    // Destroy (another run) waits for the task, then unbinds what it made.
    api.script.lock().unwrap().task_timeout = false;
    association::delete(
        &engine,
        &RunMemory::new(),
        &id("lbtg-v2"),
        Some(&pending),
        None,
        &limits(),
    )
    .await
    .unwrap();
    assert_eq!(api.count(), 0);
}

#[tokio::test]
async fn delete_after_a_bind_with_no_answer_unbinds_once_even_when_nothing_is_visible() {
    let (api, engine) = world();
    let unanswered = PendingWrite { task_id: None };
    // Nothing visible: one unbind is sent (the cloud answers "not bound"), then done.
    association::delete(
        &engine,
        &RunMemory::new(),
        &id("lbtg-v2"),
        Some(&unanswered),
        None,
        &limits(),
    )
    .await
    .unwrap();
    assert_eq!(api.script.lock().unwrap().writes, 1);
    // Without a pending write, nothing visible means nothing to send.
    association::delete(
        &engine,
        &RunMemory::new(),
        &id("lbtg-v2"),
        None,
        None,
        &limits(),
    )
    .await
    .unwrap();
    assert_eq!(api.script.lock().unwrap().writes, 1);
}

#[tokio::test]
async fn a_refused_bind_or_a_failed_read_leaves_nothing_pending() {
    let (api, engine) = world();
    api.script.lock().unwrap().read_error = Some("AuthFailure.SecretIdNotFound".into());
    let err = association::create(&engine, &RunMemory::new(), &id("lbtg-v2"), None, &limits())
        .await
        .unwrap_err();
    assert_eq!(err.pending, None);
    assert_eq!(
        err.error.failure().code.as_deref(),
        Some("AuthFailure.SecretIdNotFound")
    );
    assert_eq!(api.script.lock().unwrap().writes, 0);
}

#[tokio::test]
async fn deposed_object_of_a_binding_created_this_run_is_not_unbound() {
    let (api, engine) = world();
    let run = RunMemory::new();
    // An earlier run made the binding (its object carries that run's mark); this run replaces it
    // with itself (create_before_destroy): create adopts, then the destroy of the deposed object
    // must leave it alone.
    let earlier = association::create(&engine, &RunMemory::new(), &id("lbtg-v2"), None, &limits())
        .await
        .unwrap();
    let writes = api.script.lock().unwrap().writes;
    let newer = association::create(&engine, &run, &id("lbtg-v2"), None, &limits())
        .await
        .unwrap();
    assert_ne!(earlier.mark, newer.mark, "every create marks a new object");
    for deposed in [Some(&earlier.mark), None] {
        association::delete(&engine, &run, &id("lbtg-v2"), None, deposed, &limits())
            .await
            .unwrap();
        assert_eq!(api.count(), 1, "the live binding stays");
        assert_eq!(api.script.lock().unwrap().writes, writes, "no write at all");
    }
    // Destroying the object this run created is no replacement: the binding goes.
    association::delete(
        &engine,
        &run,
        &id("lbtg-v2"),
        None,
        Some(&newer.mark),
        &limits(),
    )
    .await
    .unwrap();
    assert_eq!(api.count(), 0);
    // A different binding is still unbound normally in the same run.
    association::create(&engine, &RunMemory::new(), &id("lbtg-far"), None, &limits())
        .await
        .unwrap();
    association::delete(&engine, &run, &id("lbtg-far"), None, None, &limits())
        .await
        .unwrap();
    assert_eq!(api.count(), 0);
}

async fn findings(
    id: AssociationId,
    weight: Option<crate::clb::cloud::Weight>,
) -> Vec<(String, String)> {
    check_binding(&world().1, &id, weight, &limits())
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.attribute.unwrap().to_string(), f.summary))
        .collect()
}

#[tokio::test]
async fn plan_checks() {
    assert!(findings(id("lbtg-v2"), Some(5)).await.is_empty());
    let l7 = |loc: Option<&str>| AssociationId {
        listener_id: "lbl-http".into(),
        location_id: loc.map(str::to_string),
        ..id("lbtg-v2")
    };
    assert!(findings(l7(Some("loc-r1")), None).await.is_empty());
    let attrs = |v: Vec<(String, String)>| v.into_iter().map(|(a, _)| a).collect::<Vec<_>>();
    assert_eq!(attrs(findings(l7(None), None).await), ["location_id"]);
    assert_eq!(
        attrs(findings(l7(Some("loc-zz")), None).await),
        ["location_id"]
    );
    let l4_with_loc = AssociationId {
        location_id: Some("loc-r1".into()),
        ..id("lbtg-v2")
    };
    assert_eq!(attrs(findings(l4_with_loc, None).await), ["location_id"]);
    // A layer-4 listener in NODE mode takes a v2 target group but not a legacy (v1) one.
    let node = |tg: &str| AssociationId {
        listener_id: "lbl-node".into(),
        ..id(tg)
    };
    assert!(findings(node("lbtg-v2"), None).await.is_empty());
    assert_eq!(
        attrs(findings(node("lbtg-v1"), None).await),
        ["listener_id"]
    );
    let no_listener = AssociationId {
        listener_id: "lbl-none".into(),
        ..id("lbtg-v2")
    };
    assert_eq!(attrs(findings(no_listener, None).await), ["listener_id"]);
    let no_lb = AssociationId {
        load_balancer_id: "lb-none".into(),
        ..id("lbtg-v2")
    };
    assert_eq!(attrs(findings(no_lb, None).await), ["load_balancer_id"]);
    assert_eq!(
        attrs(findings(id("lbtg-none"), None).await),
        ["target_group_id"]
    );
    assert_eq!(
        attrs(findings(id("lbtg-far"), None).await),
        ["target_group_id"]
    );
    assert_eq!(attrs(findings(id("lbtg-v1"), Some(5)).await), ["weight"]);
    assert!(findings(id("lbtg-v1"), None).await.is_empty());
}

#[tokio::test]
async fn plan_check_notices_an_existing_binding() {
    let (_, engine) = world();
    let run = RunMemory::new();
    association::create(&engine, &run, &id("lbtg-v2"), Some(10), &limits())
        .await
        .unwrap();
    let same = check_binding(&engine, &id("lbtg-v2"), Some(10), &limits())
        .await
        .unwrap();
    assert_eq!(same.len(), 1);
    assert!(
        !same.iter().next().unwrap().is_error(),
        "same binding: adopt with a warning"
    );
    let other = check_binding(&engine, &id("lbtg-v2"), Some(20), &limits())
        .await
        .unwrap();
    // Another weight is what a weight replacement plans: no finding.
    assert!(other.is_empty(), "{other:?}");
}
