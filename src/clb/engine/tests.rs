//! The engine against the fake: batching, isolation of a refused member, per-waiter deadlines,
//! shared reads.

use std::sync::Arc;
use std::time::Duration;

use crate::clb::association::{self, RunMemory};
use crate::clb::binding::id::AssociationId;
use crate::clb::cloud::fake::FakeClb;
use crate::clb::cloud::{ClbApi, Deadline};
use crate::clb::engine::OpError;
use crate::clb::engine::{Engine, Freshness, LockError};
use tencentcloud::clb::TaskError;

fn deadline() -> Deadline {
    Deadline::in_(Duration::from_secs(60))
}

fn binding(n: usize) -> AssociationId {
    AssociationId {
        load_balancer_id: "lb-a".into(),
        listener_id: "lbl-tcp".into(),
        location_id: None,
        target_group_id: format!("lbtg-many-{n}"),
    }
}

fn world(task_time: Duration) -> (Arc<FakeClb>, Arc<Engine>) {
    let fake = Arc::new(FakeClb::new());
    fake.script.lock().unwrap().task_time = task_time;
    (fake.clone(), Engine::new(fake as Arc<dyn ClbApi>))
}

/// Creates `ids` at once, as Terraform does with -parallelism; each result in order.
async fn create_all(engine: &Arc<Engine>, ids: Vec<AssociationId>) -> Vec<Result<(), OpError>> {
    let run = Arc::new(RunMemory::new());
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let (engine, run) = (engine.clone(), run.clone());
            tokio::spawn(async move {
                association::create(&engine, &run, &id, None, &deadline())
                    .await
                    .map(|_| ())
                    .map_err(|f| f.error)
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(start_paused = true)]
async fn concurrent_binds_on_one_load_balancer_share_one_call() {
    let (fake, engine) = world(Duration::from_secs(2));
    let results = create_all(&engine, (0..10).map(binding).collect()).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let script = fake.script.lock().unwrap();
    assert_eq!(script.batch_sizes, [10], "one call, one task");
    // One read before (all ten groups in one call), one read-back after the task.
    assert_eq!(script.target_group_reads, [10, 10]);
    assert_eq!(fake.count(), 10);
}

/// Binds `n` bindings spread over `lbs` load balancers the way Terraform applies them: at most
/// `parallelism` at once, each freed slot refilled 20 ms later with the next binding in a
/// shuffled order. Returns the (virtual) time it took.
async fn apply_like_terraform(
    engine: &Arc<Engine>,
    n: usize,
    lbs: usize,
    parallelism: usize,
) -> Duration {
    let started = tokio::time::Instant::now();
    let slots = Arc::new(tokio::sync::Semaphore::new(parallelism));
    // A fixed shuffle (stride coprime with n), so refills land on load balancers in no order.
    let order: Vec<usize> = (0..n).map(|i| (i * 37 + 11) % n).collect();
    let mut tasks = Vec::new();
    for i in order {
        let permit = slots.clone().acquire_owned().await.unwrap();
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            let id = AssociationId {
                load_balancer_id: format!("lb-{}", i % lbs),
                ..binding(i)
            };
            let done = engine.bind(&id, None, &deadline()).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(permit);
            done
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    started.elapsed()
}

#[tokio::test(start_paused = true)]
async fn load_balancers_run_their_tasks_in_step() {
    // Tasks of 2 s, ending up to 150 ms apart. Without waiting for the other load balancers'
    // tasks about to end, a worker sends the one or two refills it got at once, the refills of
    // the others' answers then wait a whole task behind it, and rounds drift apart (about 1.5 x
    // the floor); in step, 100 bindings at parallelism 10 take close to 10 task times.
    let (fake, engine) = world(Duration::from_secs(2));
    fake.script.lock().unwrap().task_time_extra = [0, 150, 40, 110, 70, 20, 130]
        .map(Duration::from_millis)
        .to_vec();
    let took = apply_like_terraform(&engine, 100, 5, 10).await;
    let floor = Duration::from_secs(2) * 10;
    let tasks = fake.script.lock().unwrap().batch_sizes.len();
    println!("100 bindings on 5 load balancers: {took:?} (floor {floor:?}), {tasks} tasks");
    assert!(
        took <= floor.mul_f64(1.15),
        "took {took:?}, floor {floor:?}"
    );
    assert_eq!(fake.count(), 100);
}

#[tokio::test(start_paused = true)]
async fn read_backs_of_tasks_ending_together_share_one_call() {
    let (fake, engine) = world(Duration::from_secs(2));
    let binds = (0..4).map(|i| {
        let engine = engine.clone();
        let id = AssociationId {
            load_balancer_id: format!("lb-{i}"),
            ..binding(i)
        };
        async move { engine.bind(&id, None, &deadline()).await }
    });
    for done in futures::future::join_all(binds).await {
        done.unwrap();
    }
    // One read for the four kinds before, one for the four read-backs after (before: one each).
    assert_eq!(fake.script.lock().unwrap().target_group_reads, [4, 4]);
}

#[tokio::test(start_paused = true)]
async fn a_call_carries_at_most_twenty_and_the_rest_waits_for_the_next_task() {
    let (fake, engine) = world(Duration::from_secs(2));
    let results = create_all(&engine, (0..25).map(binding).collect()).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(fake.script.lock().unwrap().batch_sizes, [20, 5]);
    assert_eq!(fake.count(), 25);
}

#[tokio::test(start_paused = true)]
async fn a_batch_with_one_bad_member_gives_exactly_one_error() {
    let (fake, engine) = world(Duration::from_millis(500));
    fake.script
        .lock()
        .unwrap()
        .refused_target_groups
        .push("lbtg-many-6".into());
    let results = create_all(&engine, (0..10).map(binding).collect()).await;
    let failed: Vec<usize> = (0..10).filter(|i| results[*i].is_err()).collect();
    assert_eq!(failed, [6], "{results:?}");
    match &results[6] {
        Err(OpError::Api(e)) => assert_eq!(e.code(), Some("InvalidParameter"), "{e:?}"),
        other => panic!("the bad member gets the cloud's own refusal: {other:?}"),
    }
    assert_eq!(fake.count(), 9, "every other binding was made");
    let script = fake.script.lock().unwrap();
    assert_eq!(script.batch_sizes[0], 10);
    assert!(
        script.batch_sizes.iter().filter(|n| **n > 1).count() >= 2,
        "isolated by splitting: {:?}",
        script.batch_sizes
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_batch_task_is_split_and_nobody_sees_an_error() {
    let (fake, engine) = world(Duration::from_millis(500));
    fake.script.lock().unwrap().failing_tasks = 1;
    let results = create_all(&engine, (0..8).map(binding).collect()).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(fake.script.lock().unwrap().batch_sizes, [8, 4, 4]);
    assert_eq!(fake.count(), 8);
}

#[tokio::test(start_paused = true)]
async fn v1_and_v2_target_groups_never_share_a_call() {
    let (fake, engine) = world(Duration::from_millis(500));
    let mut ids: Vec<AssociationId> = (0..3).map(binding).collect();
    ids.push(AssociationId {
        target_group_id: "lbtg-v1".into(),
        listener_id: "lbl-node".into(),
        ..binding(0)
    });
    let results = create_all(&engine, ids).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let mut sizes = fake.script.lock().unwrap().batch_sizes.clone();
    sizes.sort();
    assert_eq!(sizes, [1, 3], "no call was refused for mixing types");
}

#[tokio::test(start_paused = true)]
async fn a_waiter_whose_deadline_passes_in_the_queue_gets_its_own_error() {
    let (fake, engine) = world(Duration::from_secs(10));
    let first = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.bind(&binding(1), None, &deadline()).await })
    };
    // Let the first batch go out and its task start.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let short = Deadline::in_(Duration::from_secs(2));
    let queued = engine.bind(&binding(2), None, &short).await;
    assert_eq!(
        queued.unwrap_err().to_string(),
        OpError::Lock(LockError::DeadlineExceeded("lb-a".into())).to_string()
    );
    assert!(first.await.unwrap().is_ok(), "the batch went on");
    assert_eq!(
        fake.script.lock().unwrap().batch_sizes,
        [1],
        "the abandoned one was never sent"
    );
}

#[tokio::test(start_paused = true)]
async fn a_waiter_that_gives_up_after_its_write_was_accepted_learns_the_task() {
    let (fake, engine) = world(Duration::from_secs(10));
    let short = Deadline::in_(Duration::from_secs(3));
    let err = engine.bind(&binding(1), None, &short).await.unwrap_err();
    match err {
        OpError::Task(TaskError::DeadlineExceeded { task_id }) => assert_eq!(task_id, "task-1"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        fake.count(),
        1,
        "the write stands; integrity rules record it"
    );
}

#[tokio::test(start_paused = true)]
async fn concurrent_reads_share_one_call_and_a_write_invalidates_them() {
    let (fake, engine) = world(Duration::from_millis(100));
    let reads: Vec<_> = (0..15)
        .map(|n| {
            let engine = engine.clone();
            tokio::spawn(async move {
                engine
                    .target_group(
                        &format!("lbtg-many-{}", n % 5),
                        Freshness::Recent,
                        &deadline(),
                    )
                    .await
            })
        })
        .collect();
    for r in reads {
        assert!(r.await.unwrap().unwrap().is_some());
    }
    assert_eq!(fake.script.lock().unwrap().target_group_reads, [5]);
    // Cached now: no call.
    engine
        .target_group("lbtg-many-1", Freshness::Recent, &deadline())
        .await
        .unwrap();
    assert_eq!(fake.script.lock().unwrap().target_group_reads.len(), 1);
    // A write through the engine; the next read sees it.
    engine.bind(&binding(1), None, &deadline()).await.unwrap();
    let tg = engine
        .target_group("lbtg-many-1", Freshness::Recent, &deadline())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tg.bindings.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn plan_checks_ask_for_the_load_balancer_and_its_listeners_once() {
    let (fake, engine) = world(Duration::ZERO);
    let checks: Vec<_> = (0..10)
        .map(|n| {
            let engine = engine.clone();
            tokio::spawn(async move {
                crate::clb::checks::check_binding(&engine, &binding(n), Some(10), &deadline()).await
            })
        })
        .collect();
    for c in checks {
        assert!(c.await.unwrap().unwrap().is_empty());
    }
    assert_eq!(fake.script.lock().unwrap().catalog_reads, 2);
}
