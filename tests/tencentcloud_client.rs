//! `Client::call` and the CLB helpers against an in-test HTTP server on 127.0.0.1: signing and
//! headers, error kinds, retries and backoff, deadlines, cancellation, rate limiting, task waiting.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tencentcloud_provider::tencentcloud::clb::{
    AssociateTargetGroupsRequest, DescribeTargetGroupsResponse, TargetGroupAssociation, TaskError,
    TaskWaiter,
};
use tencentcloud_provider::tencentcloud::client::{CallOptions, Client, ClientConfig};
use tencentcloud_provider::tencentcloud::credentials::{CredentialOptions, StaticEnvironment};
use tencentcloud_provider::tencentcloud::endpoint::EndpointOptions;
use tencentcloud_provider::tencentcloud::error::ApiError;
use tencentcloud_provider::tencentcloud::retry::{Jitter, RetryPolicy};
use tencentcloud_provider::tencentcloud::sign::{self, SignRequest};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const SECRET_ID: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    at: std::time::Instant,
    action: String,
    headers: HeaderMap,
    body: Value,
    signature_ok: bool,
}

/// What the server answers.
#[derive(Clone)]
struct Reply {
    status: u16,
    body: String,
    delay: Duration,
}

fn ok(request_id: &str, fields: Value) -> Reply {
    let mut response = fields;
    response["RequestId"] = json!(request_id);
    Reply {
        status: 200,
        body: json!({ "Response": response }).to_string(),
        delay: Duration::ZERO,
    }
}

fn api_error(code: &str, request_id: &str) -> Reply {
    Reply {
        status: 200,
        body: json!({"Response": {"Error": {"Code": code, "Message": format!("simulated {code}")}, "RequestId": request_id}})
            .to_string(),
        delay: Duration::ZERO,
    }
}

type Script = dyn Fn(&str, usize) -> Reply + Send + Sync;

struct ServerState {
    seen: Mutex<Vec<Seen>>,
    script: Box<Script>,
}

struct TestServer {
    url: String,
    state: Arc<ServerState>,
}

impl TestServer {
    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Checks the TC3 signature the way a server would, from the received headers and body.
fn verify_signature(headers: &HeaderMap, body: &[u8]) -> bool {
    let auth = header(headers, "authorization");
    let Some(rest) = auth.strip_prefix("TC3-HMAC-SHA256 Credential=") else {
        return false;
    };
    let mut parts = rest.split(", ");
    let (Some(cred), Some(signed), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let cred: Vec<&str> = cred.split('/').collect();
    if cred.len() != 4 || cred[0] != SECRET_ID || signed != "SignedHeaders=content-type;host" {
        return false;
    }
    let Ok(timestamp) = header(headers, "x-tc-timestamp").parse::<i64>() else {
        return false;
    };
    let expected = sign::signature(&SignRequest {
        secret_id: SECRET_ID,
        secret_key: SECRET_KEY,
        service: cred[2],
        host: header(headers, "host"),
        timestamp,
        method: "POST",
        canonical_uri: "/",
        canonical_query: "",
        content_type: header(headers, "content-type"),
        payload: body,
        extra_signed_headers: &[],
    });
    cred[1] == sign::utc_date(timestamp) && sig == format!("Signature={expected}")
}

async fn handle(
    State(state): State<Arc<ServerState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let action = header(&headers, "x-tc-action").to_string();
    let signature_ok = verify_signature(&headers, &body);
    let n = {
        let mut seen = state.seen.lock().unwrap();
        seen.push(Seen {
            at: std::time::Instant::now(),
            action: action.clone(),
            headers: headers.clone(),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            signature_ok,
        });
        seen.iter().filter(|s| s.action == action).count() - 1
    };
    let reply = if signature_ok {
        (state.script)(&action, n)
    } else {
        api_error("AuthFailure.SignatureFailure", "sig-bad")
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    (
        StatusCode::from_u16(reply.status).unwrap(),
        [("content-type", "application/json")],
        reply.body,
    )
        .into_response()
}

async fn start(script: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> TestServer {
    let state = Arc::new(ServerState {
        seen: Mutex::new(Vec::new()),
        script: Box::new(script),
    });
    let app = Router::new().fallback(handle).with_state(state.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    TestServer {
        url: format!("http://{addr}"),
        state,
    }
}

/// A server that accepts connections, reads a little, and hangs up without answering.
async fn start_hangup_server() -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(Mutex::new(0usize));
    let c = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            *c.lock().unwrap() += 1;
            tokio::spawn(async move {
                use tokio::io::AsyncReadExt;
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                drop(sock);
            });
        }
    });
    (format!("http://{addr}"), count)
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(400),
        max_attempts: 10,
        jitter: Jitter::None,
    }
}

async fn client_for(url: &str, retry: RetryPolicy, rate: u32, token: Option<&str>) -> Client {
    build(config_for(url, retry, rate, token)).await
}

async fn build(config: ClientConfig) -> Client {
    Client::with_environment(config, &StaticEnvironment::default())
        .await
        .expect("client builds")
}

fn config_for(url: &str, retry: RetryPolicy, rate: u32, token: Option<&str>) -> ClientConfig {
    ClientConfig {
        credentials: CredentialOptions {
            secret_id: Some(SECRET_ID.into()),
            secret_key: Some(SECRET_KEY.into()),
            security_token: token.map(String::from),
            ..Default::default()
        },
        region: Some("ap-guangzhou".into()),
        endpoint: EndpointOptions {
            endpoint: Some(url.to_string()),
            ..Default::default()
        },
        rate_limit_per_second: rate,
        request_timeout: Duration::from_secs(5),
        retry,
        ..Default::default()
    }
}

fn one_association() -> AssociateTargetGroupsRequest {
    AssociateTargetGroupsRequest {
        associations: vec![TargetGroupAssociation {
            load_balancer_id: "lb-demo0001".into(),
            target_group_id: "lbtg-web00001".into(),
            listener_id: Some("lbl-tcp00001".into()),
            location_id: None,
            weight: Some(10),
        }],
    }
}

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
            &CallOptions::read(Duration::from_secs(5)),
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
    let opts = CallOptions::read(Duration::from_millis(300));
    let call = |action: &'static str| {
        let client = client.clone();
        let opts = opts.clone();
        async move {
            client
                .call::<_, Value>("clb", "2018-03-17", action, &json!({}), &opts)
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
        ApiError::DeadlineExceeded { last: Some(last) } => {
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
            &CallOptions::read(Duration::from_millis(200)),
        )
        .await
        .unwrap_err();
    match err {
        ApiError::DeadlineExceeded { last: Some(last) } => {
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
    let opts = CallOptions {
        deadline: tokio::time::Instant::now() + Duration::from_secs(20),
        idempotent,
        cancel: None,
    };
    let result = client
        .call::<_, Value>("clb", "2018-03-17", "SomeAction", &json!({}), &opts)
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
        let opts = CallOptions {
            deadline: tokio::time::Instant::now() + Duration::from_secs(10),
            idempotent,
            cancel: None,
        };
        let err = client
            .call::<_, Value>("clb", "2018-03-17", "SomeAction", &json!({}), &opts)
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
            &CallOptions::read(budget),
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
            &CallOptions::read(Duration::from_millis(300)),
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
        .associate_target_groups(
            &one_association(),
            &CallOptions::write(Duration::from_secs(5)),
        )
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
        .describe_task_status("t-1", &CallOptions::read(Duration::from_millis(400)))
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
            &CallOptions::write(Duration::from_millis(300)),
        )
        .await
        .unwrap_err();
    match err {
        ApiError::DeadlineExceeded { last: Some(last) } => match *last {
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
        .describe_task_status(
            "t",
            &CallOptions::read(Duration::from_secs(60)).with_cancel(cancel),
        )
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
                .describe_task_status(
                    &format!("t-{i}"),
                    &CallOptions::read(Duration::from_secs(60)),
                )
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
    let span = times[199] - times[0];
    let rate = 199.0 / span.as_secs_f64();
    assert!(rate <= 21.0, "average rate {rate:.1}/s over {span:?}");
}

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
        .associate_target_groups(
            &one_association(),
            &CallOptions::write(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(accepted.request_id, "task-0001");
    let err = TaskWaiter::new(client)
        .first_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50))
        .wait(
            &accepted.request_id,
            tokio::time::Instant::now() + Duration::from_secs(20),
            None,
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
        .wait(
            "t-ok",
            tokio::time::Instant::now() + Duration::from_secs(20),
            None,
        )
        .await
        .unwrap();
    assert_eq!(done.load_balancer_ids, vec!["lb-demo0001".to_string()]);
    assert_eq!(done.request_id.as_deref(), Some("poll-ok"));

    let running = start(|_, _| ok("poll", json!({"Status": 2}))).await;
    let waiter = TaskWaiter::new(client_for(&running.url, fast_retry(), 0, None).await)
        .first_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50));
    let err = waiter
        .wait(
            "t-slow",
            tokio::time::Instant::now() + Duration::from_millis(300),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, TaskError::DeadlineExceeded { .. }), "{err:?}");

    let cancel = CancellationToken::new();
    cancel.cancel();
    let err = waiter
        .wait(
            "t-slow",
            tokio::time::Instant::now() + Duration::from_secs(5),
            Some(cancel),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, TaskError::Cancelled), "{err:?}");

    let broken = start(|_, _| api_error("InvalidParameter", "poll-bad")).await;
    let waiter = TaskWaiter::new(client_for(&broken.url, fast_retry(), 0, None).await)
        .first_delay(Duration::from_millis(10));
    let err = waiter
        .wait(
            "t-unknown",
            tokio::time::Instant::now() + Duration::from_secs(5),
            None,
        )
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
        .describe_all_target_groups(&[], &CallOptions::read(Duration::from_secs(10)))
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
        .describe_task_status("t", &CallOptions::read(Duration::from_secs(20)))
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
        .associate_target_groups(
            &one_association(),
            &CallOptions::write(Duration::from_secs(20)),
        )
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
