//! `Client::call` against an in-test HTTP server on 127.0.0.1: signing and headers, error kinds,
//! retries and backoff, deadlines, per-attempt timeouts, cancellation, rate limiting.

#[path = "tencentcloud_server/mod.rs"]
mod server;

use std::time::Duration;

use serde_json::{Value, json};
use server::*;
use tencentcloud::clb::DescribeTargetGroupsResponse;
use tencentcloud::client::{CallKind, Client, ClientConfig};
use tencentcloud::credentials::StaticEnvironment;
use tencentcloud::deadline::Deadline;
use tencentcloud::error::ApiError;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn requests_are_signed_with_the_sent_host_and_carry_the_tc_headers() {
    let server = start(|_, _| ok("req-1", json!({"TotalCount": 0, "TargetGroupSet": []}))).await;
    let client = client_for(&server.url, fast_retry(), 0, Some("session-token-1")).await;
    let resp: DescribeTargetGroupsResponse = client
        .call(
            "clb",
            "2018-03-17",
            "DescribeTargetGroups",
            &json!({"TargetGroupIds": ["lbtg-1"]}),
            CallKind::Read,
            &Deadline::in_(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(resp.request_id.as_deref(), Some("req-1"));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert!(s.signature_ok, "server could not verify the signature");
    let h = &s.headers;
    let port = server.url.rsplit(':').next().unwrap();
    assert_eq!(header(h, "host"), format!("127.0.0.1:{port}"));
    assert_eq!(header(h, "content-type"), "application/json");
    assert_eq!(header(h, "x-tc-action"), "DescribeTargetGroups");
    assert_eq!(header(h, "x-tc-version"), "2018-03-17");
    assert_eq!(header(h, "x-tc-region"), "ap-guangzhou");
    assert_eq!(header(h, "x-tc-language"), "en-US");
    assert_eq!(header(h, "x-tc-token"), "session-token-1");
    assert!(header(h, "x-tc-requestclient").starts_with("terraform-provider-tencentcloud"));
    assert_eq!(s.body, json!({"TargetGroupIds": ["lbtg-1"]}));
}

#[tokio::test]
async fn error_kinds_are_distinct() {
    let server = start(|action, _| match action {
        "Api" => api_error("InvalidParameter.LBIdNotFound", "req-api"),
        "Status" => Reply {
            status: 403,
            body: "forbidden by proxy".into(),
            delay: Duration::ZERO,
        },
        _ => Reply {
            status: 200,
            body: "<html>not json</html>".into(),
            delay: Duration::ZERO,
        },
    })
    .await;
    let client = client_for(&server.url, fast_retry(), 0, None).await;
    let opts = Deadline::in_(Duration::from_millis(300));
    let call = |action: &'static str| {
        let client = client.clone();
        let opts = opts.clone();
        async move {
            client
                .call::<_, Value>(
                    "clb",
                    "2018-03-17",
                    action,
                    &json!({}),
                    CallKind::Read,
                    &opts,
                )
                .await
                .unwrap_err()
        }
    };
    match call("Api").await {
        ApiError::Api {
            code,
            message,
            request_id,
        } => {
            assert_eq!(code, "InvalidParameter.LBIdNotFound");
            assert_eq!(message, "simulated InvalidParameter.LBIdNotFound");
            assert_eq!(request_id, "req-api");
        }
        other => panic!("expected Api, got {other:?}"),
    }
    // Non-200 is retried until the deadline; the last error says what happened.
    match call("Status").await {
        ApiError::DeadlineExceeded {
            last: Some(last), ..
        } => {
            assert!(
                matches!(*last, ApiError::HttpStatus { status: 403, .. }),
                "{last:?}"
            )
        }
        other => panic!("expected DeadlineExceeded(HttpStatus), got {other:?}"),
    }
    assert!(matches!(call("Garbage").await, ApiError::Decode { .. }));
    let (hangup, _) = start_hangup_server().await;
    let client2 = client_for(&hangup, fast_retry(), 0, None).await;
    let err = client2
        .call::<_, Value>(
            "clb",
            "2018-03-17",
            "DescribeTaskStatus",
            &json!({}),
            CallKind::Read,
            &Deadline::in_(Duration::from_millis(200)),
        )
        .await
        .unwrap_err();
    match err {
        ApiError::DeadlineExceeded {
            last: Some(last), ..
        } => {
            assert!(matches!(*last, ApiError::Transport(_)), "{last:?}")
        }
        other => panic!("expected DeadlineExceeded(Transport), got {other:?}"),
    }
}

/// Fails `failures` times with `reply`, then succeeds; returns the gaps between attempts.
async fn retried_gaps(reply: Reply, idempotent: bool) -> (Vec<Duration>, Result<Value, ApiError>) {
    let failures = 3;
    let server = start(move |_, n| {
        if n < failures {
            reply.clone()
        } else {
            ok("req-final", json!({}))
        }
    })
    .await;
    let client = client_for(&server.url, fast_retry(), 0, None).await;
    let opts = Deadline::in_(Duration::from_secs(20));
    let result = client
        .call::<_, Value>(
            "clb",
            "2018-03-17",
            "SomeAction",
            &json!({}),
            kind(idempotent),
            &opts,
        )
        .await;
    let seen = server.seen();
    let gaps = seen.windows(2).map(|w| w[1].at - w[0].at).collect();
    assert!(seen.iter().all(|s| s.signature_ok));
    // Each attempt is signed afresh: same body, but a timestamp header per attempt.
    assert!(
        seen.iter()
            .all(|s| s.headers.contains_key("x-tc-timestamp"))
    );
    (gaps, result)
}

fn assert_growing(gaps: &[Duration], what: &str) {
    let policy = fast_retry();
    assert_eq!(gaps.len(), 3, "{what}: expected 4 attempts, gaps {gaps:?}");
    for (i, gap) in gaps.iter().enumerate() {
        // Sleeps are never shorter than asked, so the lower bounds are robust on a busy machine.
        let floor = policy.ceiling(i as u32 + 1);
        assert!(
            *gap >= floor,
            "{what}: gap {i} was {gap:?}, expected at least {floor:?}"
        );
    }
    assert!(
        gaps[2] >= policy.ceiling(3) && policy.ceiling(3) > policy.ceiling(1),
        "{what}: delays do not grow: {gaps:?}"
    );
}

#[tokio::test]
async fn retryable_codes_are_retried_with_growing_delays() {
    for code in [
        "RequestLimitExceeded",
        "RequestLimitExceeded.UinLimitExceeded",
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        "RequestLimitExceeded.IPLimitExceeded",
        "FailedOperation.ResourceInOperating",
        "ResourceInUse",
        "ResourceUnavailable",
    ] {
        for idempotent in [true, false] {
            let (gaps, result) = retried_gaps(api_error(code, "req-x"), idempotent).await;
            assert!(result.is_ok(), "{code}: {result:?}");
            assert_growing(&gaps, code);
        }
    }
    let (gaps, result) = retried_gaps(api_error("InternalError", "req-x"), true).await;
    assert!(result.is_ok(), "InternalError on a read: {result:?}");
    assert_growing(&gaps, "InternalError on a read");
    let status_502 = Reply {
        status: 502,
        body: "bad gateway".into(),
        delay: Duration::ZERO,
    };
    let (gaps, result) = retried_gaps(status_502, true).await;
    assert!(result.is_ok(), "HTTP 502: {result:?}");
    assert_growing(&gaps, "HTTP 502");
}

#[tokio::test]
async fn non_retryable_codes_are_not_retried() {
    let cases = [
        ("AuthFailure.SecretIdNotFound", true),
        ("AuthFailure.UnauthorizedOperation", true),
        ("InvalidParameter", true),
        ("InvalidParameter.LBIdNotFound", true),
        ("InvalidParameterValue", true),
        ("MissingParameter", true),
        ("UnknownParameter", true),
        ("InvalidAction", true),
        ("UnsupportedOperation", true),
        ("UnsupportedOperation.Something", true),
        ("LimitExceeded", true),
        ("InternalError", false),
    ];
    for (code, idempotent) in cases {
        let server = start(move |_, _| api_error(code, "req-no-retry")).await;
        let client = client_for(&server.url, fast_retry(), 0, None).await;
        let opts = Deadline::in_(Duration::from_secs(10));
        let err = client
            .call::<_, Value>(
                "clb",
                "2018-03-17",
                "SomeAction",
                &json!({}),
                kind(idempotent),
                &opts,
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.request_id(), Some("req-no-retry"));
        assert_eq!(server.seen().len(), 1, "{code} was retried");
    }
}

#[tokio::test]
async fn deadline_is_respected_while_retrying_and_while_waiting_for_an_answer() {
    let server = start(|action, _| match action {
        "Slow" => Reply {
            delay: Duration::from_secs(30),
            ..ok("req-slow", json!({}))
        },
        _ => api_error("RequestLimitExceeded", "req-limited"),
    })
    .await;
    let client = client_for(&server.url, fast_retry(), 0, None).await;

    let started = std::time::Instant::now();
    let budget = Duration::from_millis(400);
    let err = client
        .call::<_, Value>(
            "clb",
            "2018-03-17",
            "Limited",
            &json!({}),
            CallKind::Read,
            &Deadline::in_(budget),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::DeadlineExceeded { .. }), "{err:?}");
    assert_eq!(err.code(), Some("RequestLimitExceeded"));
    // No attempt may start after the deadline.
    for s in server.seen() {
        assert!(
            s.at <= started + budget,
            "attempt at {:?} after deadline",
            s.at - started
        );
    }
    assert!(server.seen().len() >= 2, "expected a few retries");

    let started = std::time::Instant::now();
    let err = client
        .call::<_, Value>(
            "clb",
            "2018-03-17",
            "Slow",
            &json!({}),
            CallKind::Read,
            &Deadline::in_(Duration::from_millis(300)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::DeadlineExceeded { .. }), "{err:?}");
    // The slow answer would take 30 s; the generous bound only proves we did not wait for it.
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_write_that_failed_on_the_network_is_reported_outcome_unknown_not_resent() {
    let (url, connections) = start_hangup_server().await;
    let client = client_for(&url, fast_retry(), 0, None).await;
    let err = client
        .associate_target_groups(&one_association(), &Deadline::in_(Duration::from_secs(5)))
        .await
        .unwrap_err();
    match &err {
        ApiError::OutcomeUnknown { action, .. } => assert_eq!(action, "AssociateTargetGroups"),
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    assert!(err.to_string().contains("read the resource back"));
    assert_eq!(*connections.lock().unwrap(), 1, "the write was re-sent");

    // The same failure on a read is retried.
    let err = client
        .describe_task_status("t-1", &Deadline::in_(Duration::from_millis(400)))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::DeadlineExceeded { .. }), "{err:?}");
    assert!(
        *connections.lock().unwrap() >= 3,
        "the read was not retried"
    );
}

#[tokio::test]
async fn a_write_that_never_connected_is_retried() {
    // Bind and drop to get a port that refuses connections.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = client_for(&format!("http://127.0.0.1:{port}"), fast_retry(), 0, None).await;
    let err = client
        .associate_target_groups(
            &one_association(),
            &Deadline::in_(Duration::from_millis(300)),
        )
        .await
        .unwrap_err();
    match err {
        ApiError::DeadlineExceeded {
            last: Some(last), ..
        } => match *last {
            ApiError::Transport(t) => assert!(t.not_sent, "{t:?}"),
            other => panic!("expected Transport, got {other:?}"),
        },
        other => panic!("expected DeadlineExceeded, got {other:?}"),
    }
}

#[tokio::test]
async fn a_call_can_be_cancelled_in_flight() {
    let server = start(|_, _| Reply {
        delay: Duration::from_secs(30),
        ..ok("req-slow", json!({}))
    })
    .await;
    let client = client_for(&server.url, fast_retry(), 0, None).await;
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c.cancel();
    });
    let started = std::time::Instant::now();
    let err = client
        .describe_task_status("t", &Deadline::after(Duration::from_secs(60), cancel))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Cancelled), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limiter_holds_twenty_per_second_under_two_hundred_concurrent_calls() {
    let server = start(|_, _| ok("req", json!({"Status": 2}))).await;
    let client = client_for(&server.url, fast_retry(), 20, None).await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        // Every task uses its own clone: the limiter is shared by all clones of a client.
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client
                .describe_task_status(&format!("t-{i}"), &Deadline::in_(Duration::from_secs(60)))
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let mut times: Vec<_> = server.seen().iter().map(|s| s.at).collect();
    assert_eq!(times.len(), 200);
    times.sort();
    // At 20/s a 1 s window holds 20 requests; the slack of 3 absorbs scheduling and network
    // jitter on a loaded machine. Without the limiter all 200 arrive within a fraction of a second.
    let mut worst = 0;
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .take_while(|u| **u - *t < Duration::from_secs(1))
            .count();
        worst = worst.max(in_window);
    }
    assert!(worst <= 23, "{worst} requests within one second");
    // 200 calls at 20 per second: the last cannot go before 9 full seconds after the first (20
    // at once, then 20 per window). An average over the span would read above 20/s for a limit
    // that lets 20 go together, so the span itself is what is checked.
    let span = times[199] - times[0];
    assert!(span >= Duration::from_secs(9), "200 calls within {span:?}");
}

#[tokio::test]
async fn a_slow_attempt_times_out_and_the_read_is_retried() {
    let server = start(|_, n| {
        if n == 0 {
            Reply {
                delay: Duration::from_secs(30),
                ..ok("req-slow", json!({"Status": 2}))
            }
        } else {
            ok("req-fast", json!({"Status": 0}))
        }
    })
    .await;
    let config = ClientConfig {
        request_timeout: Duration::from_millis(300),
        ..config_for(&server.url, fast_retry(), 0, None)
    };
    let client = build(config).await;
    let status = client
        .describe_task_status("t", &Deadline::in_(Duration::from_secs(20)))
        .await
        .unwrap();
    assert_eq!(status.request_id.as_deref(), Some("req-fast"));
    assert_eq!(server.seen().len(), 2);

    // The same timeout on a write leaves the outcome unknown: the first request may have landed.
    let server = start(|_, _| Reply {
        delay: Duration::from_secs(30),
        ..ok("req-slow", json!({}))
    })
    .await;
    let config = ClientConfig {
        request_timeout: Duration::from_millis(300),
        ..config_for(&server.url, fast_retry(), 0, None)
    };
    let err = build(config)
        .await
        .associate_target_groups(&one_association(), &Deadline::in_(Duration::from_secs(20)))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn insecure_endpoints_are_refused_when_building_a_client() {
    let err = Client::with_environment(
        config_for("http://192.0.2.10:8080", fast_retry(), 0, None),
        &StaticEnvironment::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("allow_insecure_http"), "{err}");
}

fn kind(idempotent: bool) -> CallKind {
    if idempotent {
        CallKind::Read
    } else {
        CallKind::Write
    }
}
