//! The CLB helpers against an in-test HTTP server on 127.0.0.1: the task waiter (failure with
//! Message and RequestId, success, deadline, cancel, hard errors) and target-group paging.

#[path = "tencentcloud_server/mod.rs"]
mod server;

use std::time::Duration;

use serde_json::{Value, json};
use server::*;
use tencentcloud::clb::{TaskError, TaskWaiter};
use tencentcloud::deadline::Deadline;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn task_waiter_surfaces_a_failed_tasks_message_and_request_id() {
    let server = start(|action, n| match (action, n) {
        ("AssociateTargetGroups", _) => ok("task-0001", json!({})),
        // Rate limits and transient errors while polling are ridden out.
        ("DescribeTaskStatus", 0) => api_error("RequestLimitExceeded", "poll-0"),
        ("DescribeTaskStatus", 1) => api_error("InternalError", "poll-1"),
        ("DescribeTaskStatus", 2) => ok("poll-2", json!({"Status": 2})),
        _ => ok(
            "poll-final",
            json!({"Status": 1, "Message": "listener lbl-tcp00001 is locked by another task", "LoadBalancerIds": ["lb-demo0001"]}),
        ),
    })
    .await;
    let client = client_for(&server.url, fast_retry(), 0, None).await;
    let accepted = client
        .associate_target_groups(&one_association(), &Deadline::in_(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(accepted.request_id, "task-0001");
    let err = TaskWaiter::new(client)
        .first_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50))
        .wait(
            &accepted.request_id,
            &Deadline::in_(Duration::from_secs(20)),
        )
        .await
        .unwrap_err();
    match &err {
        TaskError::Failed {
            task_id,
            message,
            request_id,
        } => {
            assert_eq!(task_id, "task-0001");
            assert_eq!(message, "listener lbl-tcp00001 is locked by another task");
            assert_eq!(request_id.as_deref(), Some("poll-final"));
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("task-0001") && text.contains("is locked") && text.contains("poll-final")
    );
    let polls: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.action == "DescribeTaskStatus")
        .collect();
    assert_eq!(polls.len(), 4);
    assert!(
        polls
            .iter()
            .all(|p| p.body == json!({"TaskId": "task-0001"}))
    );
}

#[tokio::test]
async fn task_waiter_success_deadline_and_hard_errors() {
    let server = start(|_, n| {
        if n < 2 {
            ok("poll", json!({"Status": 2}))
        } else {
            ok(
                "poll-ok",
                json!({"Status": 0, "LoadBalancerIds": ["lb-demo0001"]}),
            )
        }
    })
    .await;
    let client = client_for(&server.url, fast_retry(), 0, None).await;
    let waiter = TaskWaiter::new(client)
        .first_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50));
    let done = waiter
        .wait("t-ok", &Deadline::in_(Duration::from_secs(20)))
        .await
        .unwrap();
    assert_eq!(done.load_balancer_ids, vec!["lb-demo0001".to_string()]);
    assert_eq!(done.request_id.as_deref(), Some("poll-ok"));

    let running = start(|_, _| ok("poll", json!({"Status": 2}))).await;
    let waiter = TaskWaiter::new(client_for(&running.url, fast_retry(), 0, None).await)
        .first_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50));
    let err = waiter
        .wait("t-slow", &Deadline::in_(Duration::from_millis(300)))
        .await
        .unwrap_err();
    assert!(matches!(err, TaskError::DeadlineExceeded { .. }), "{err:?}");

    let cancel = CancellationToken::new();
    cancel.cancel();
    let err = waiter
        .wait("t-slow", &Deadline::after(Duration::from_secs(5), cancel))
        .await
        .unwrap_err();
    assert!(matches!(err, TaskError::Cancelled { .. }), "{err:?}");

    let broken = start(|_, _| api_error("InvalidParameter", "poll-bad")).await;
    let waiter = TaskWaiter::new(client_for(&broken.url, fast_retry(), 0, None).await)
        .first_delay(Duration::from_millis(10));
    let err = waiter
        .wait("t-unknown", &Deadline::in_(Duration::from_secs(5)))
        .await
        .unwrap_err();
    match err {
        TaskError::Api(error) => {
            assert_eq!(error.code(), Some("InvalidParameter"));
            assert_eq!(error.request_id(), Some("poll-bad"));
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

#[tokio::test]
async fn describe_all_target_groups_walks_every_page() {
    let server = start(|_, n| {
        let total = 45;
        let start = n * 20;
        let count = (total - start).min(20);
        let set: Vec<Value> = (start..start + count)
            .map(|i| json!({"TargetGroupId": format!("lbtg-{i:05}"), "AssociatedRule": null}))
            .collect();
        ok(
            &format!("page-{n}"),
            json!({"TotalCount": total, "TargetGroupSet": set}),
        )
    })
    .await;
    let client = client_for(&server.url, fast_retry(), 0, None).await;
    let all = client
        .describe_all_target_groups(&[], &Deadline::in_(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(all.len(), 45);
    assert_eq!(all[44].target_group_id.as_deref(), Some("lbtg-00044"));
    let offsets: Vec<_> = server
        .seen()
        .iter()
        .map(|s| s.body["Offset"].clone())
        .collect();
    assert_eq!(offsets, vec![json!(0), json!(20), json!(40)]);
}

#[tokio::test]
async fn task_waiter_learns_the_task_time_and_sees_later_ends_promptly() {
    // Tasks of 2 s with the default pace: the first wait backs off (and sees the end up to a
    // third of the task time late); from the fourth on, the end is seen within one short
    // interval. (A waiter that only crept towards the learned time, 50 ms per task, was still
    // about 0.5 s late at the fourth task.)
    const TASK: Duration = Duration::from_millis(2000);
    let started = std::sync::Arc::new(std::sync::Mutex::new(std::time::Instant::now()));
    let clock = started.clone();
    let server = start(move |_, _| {
        let running = clock.lock().unwrap().elapsed() < TASK;
        ok("poll", json!({"Status": if running { 2 } else { 0 }}))
    })
    .await;
    let waiter = TaskWaiter::new(client_for(&server.url, fast_retry(), 0, None).await);
    let mut polls = Vec::new();
    let mut late = Vec::new();
    for task in ["t-1", "t-2", "t-3", "t-4", "t-5", "t-6"] {
        *started.lock().unwrap() = std::time::Instant::now();
        let before = server.seen().len();
        waiter
            .wait(task, &Deadline::in_(Duration::from_secs(20)))
            .await
            .unwrap();
        polls.push(server.seen().len() - before);
        late.push(started.lock().unwrap().elapsed().saturating_sub(TASK));
    }
    println!("polls per task: {polls:?}, seen late by: {late:?}");
    assert!(
        polls[0] >= 4,
        "the first wait backs off from a short delay: {polls:?}"
    );
    assert!(late[0] <= TASK / 2, "first wait: {late:?}");
    // 300 ms: one 50 ms interval plus room for a loaded machine (CI runs tests in parallel on
    // two cores); the creeping waiter was 420 to 515 ms late here.
    assert!(
        late[3..].iter().all(|l| *l <= Duration::from_millis(300)),
        "later waits see the end promptly: {late:?}"
    );
    assert!(
        polls[1..].iter().all(|p| *p <= 4) && polls[1..].iter().sum::<usize>() <= 2 * 5 + 2,
        "later waits poll once or twice around the learned time: {polls:?}"
    );
}
