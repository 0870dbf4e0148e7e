//! A scripted CLB API server on 127.0.0.1 for the client tests, included by them as a module.
//! It verifies every request's TC3 signature and records what it saw.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tencentcloud::clb::{AssociateTargetGroupsRequest, TargetGroupAssociation};
use tencentcloud::client::{Client, ClientConfig};
use tencentcloud::credentials::{CredentialOptions, StaticEnvironment};
use tencentcloud::endpoint::EndpointOptions;
use tencentcloud::retry::{Jitter, RetryPolicy};
use tencentcloud::sign::{self, SignRequest};
use tokio::net::TcpListener;

pub const SECRET_ID: &str = "AKIDEXAMPLE";
pub const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub at: std::time::Instant,
    pub action: String,
    pub headers: HeaderMap,
    pub body: Value,
    pub signature_ok: bool,
}

/// What the server answers.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
}

pub fn ok(request_id: &str, fields: Value) -> Reply {
    let mut response = fields;
    response["RequestId"] = json!(request_id);
    Reply {
        status: 200,
        body: json!({ "Response": response }).to_string(),
        delay: Duration::ZERO,
    }
}

pub fn api_error(code: &str, request_id: &str) -> Reply {
    Reply {
        status: 200,
        body: json!({"Response": {"Error": {"Code": code, "Message": format!("simulated {code}")}, "RequestId": request_id}})
            .to_string(),
        delay: Duration::ZERO,
    }
}

pub type Script = dyn Fn(&str, usize) -> Reply + Send + Sync;

pub struct ServerState {
    pub seen: Mutex<Vec<Seen>>,
    pub script: Box<Script>,
}

pub struct TestServer {
    pub url: String,
    pub state: Arc<ServerState>,
}

impl TestServer {
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }
}

pub fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Checks the TC3 signature the way a server would, from the received headers and body.
pub fn verify_signature(headers: &HeaderMap, body: &[u8]) -> bool {
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

pub async fn handle(
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

pub async fn start(script: impl Fn(&str, usize) -> Reply + Send + Sync + 'static) -> TestServer {
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
pub async fn start_hangup_server() -> (String, Arc<Mutex<usize>>) {
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

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(400),
        max_attempts: 10,
        jitter: Jitter::None,
    }
}

pub async fn client_for(url: &str, retry: RetryPolicy, rate: u32, token: Option<&str>) -> Client {
    build(config_for(url, retry, rate, token)).await
}

pub async fn build(config: ClientConfig) -> Client {
    Client::with_environment(config, &StaticEnvironment::default())
        .await
        .expect("client builds")
}

pub fn config_for(url: &str, retry: RetryPolicy, rate: u32, token: Option<&str>) -> ClientConfig {
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

pub fn one_association() -> AssociateTargetGroupsRequest {
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
