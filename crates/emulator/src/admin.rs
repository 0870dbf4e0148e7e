//! Admin endpoints under `/_emulator/`: unsigned, so answered only to local tools: the peer must
//! be on loopback, the `Host` a loopback name or address (a DNS-rebound name is refused), and a
//! browser request must come from the emulator's own origin (a web page open on the developer's
//! machine cannot reset or read the world).

use crate::persist::Snapshot;
use crate::server::Shared;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use tencentcloud::endpoint::is_loopback;

/// The admin routes, relative to `/_emulator`.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", get(health))
        .route("/state", get(get_state).put(put_state))
        .route("/metrics", get(metrics))
        .route("/reset", post(reset))
        .route("/oidc/token", post(crate::oidc::mint_for_test))
        .layer(middleware::from_fn(loopback_only))
}

pub(crate) fn json_reply(status: StatusCode, body: serde_json::Value) -> Response {
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response()
}

async fn loopback_only(req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let refusal = match peer {
        Some(ip) if ip.is_loopback() => refusal(req.headers()),
        _ => Some("admin endpoints answer loopback clients only"),
    };
    match refusal {
        None => next.run(req).await,
        Some(reason) => json_reply(StatusCode::FORBIDDEN, json!({ "Error": reason })),
    }
}

/// Why a request from a loopback peer is still refused, if it is.
fn refusal(headers: &HeaderMap) -> Option<&'static str> {
    let text = |name: header::HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    let Some(host) = text(header::HOST).filter(|h| is_loopback(host_name(h))) else {
        return Some(
            "admin endpoints answer only requests whose Host is a loopback name or address",
        );
    };
    // A browser names the page's origin; only the emulator's own is accepted. Tools send none.
    if let Some(origin) = text(header::ORIGIN) {
        let authority = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        if !authority.is_some_and(|a| a.eq_ignore_ascii_case(host)) {
            return Some("admin endpoints refuse requests from another origin");
        }
    }
    // Requests a browser makes without an Origin (e.g. a cross-site GET) still say where from.
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site"))
        && site != "same-origin"
        && site != "none"
    {
        return Some("admin endpoints refuse requests from another site");
    }
    None
}

/// The host part of a `Host` header value (`[::1]:80` → `[::1]`, `localhost:80` → `localhost`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

async fn health() -> Response {
    json_reply(StatusCode::OK, json!({"Status": "ok"}))
}

async fn get_state(State(shared): State<Arc<Shared>>) -> Response {
    let snapshot = shared.settled().snapshot();
    json_reply(
        StatusCode::OK,
        serde_json::to_value(snapshot).unwrap_or_default(),
    )
}

/// Replaces the world. Accepts the seed format or a whole `GET state` document; its
/// `Tasks` are ignored (tasks only come from API calls).
async fn put_state(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let snapshot: Snapshot = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            return json_reply(
                StatusCode::BAD_REQUEST,
                json!({"Error": format!("not a world document: {e}")}),
            );
        }
    };
    let (world, _tasks) = snapshot.into_parts();
    match shared.settled().replace_world(world) {
        Ok(()) => json_reply(StatusCode::OK, json!({"Status": "ok"})),
        Err(e) => json_reply(StatusCode::BAD_REQUEST, json!({"Error": e})),
    }
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let m = shared.settled().metrics.clone();
    json_reply(StatusCode::OK, serde_json::to_value(m).unwrap_or_default())
}

async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.core().reset();
    json_reply(StatusCode::OK, json!({"Status": "ok"}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn host_and_origin_rules() {
        for ok in [
            vec![("host", "127.0.0.1:18931")],
            vec![("host", "localhost")],
            vec![("host", "[::1]:9")],
            vec![("host", "api.localhost:9")],
            vec![
                ("host", "127.0.0.1:18931"),
                ("origin", "http://127.0.0.1:18931"),
            ],
            vec![("host", "localhost:1"), ("sec-fetch-site", "same-origin")],
            vec![("host", "localhost:1"), ("sec-fetch-site", "none")],
        ] {
            assert_eq!(refusal(&headers(&ok)), None, "{ok:?}");
        }
        for bad in [
            vec![],
            vec![("host", "evil.example")],
            vec![("host", "evil.example:18931")],
            vec![("host", "127.0.0.1.evil.example")],
            vec![("host", "10.0.0.1:80")],
            vec![
                ("host", "127.0.0.1:18931"),
                ("origin", "http://evil.example"),
            ],
            vec![
                ("host", "127.0.0.1:18931"),
                ("origin", "http://localhost:3000"),
            ],
            vec![("host", "127.0.0.1:18931"), ("origin", "null")],
            vec![("host", "127.0.0.1:1"), ("sec-fetch-site", "cross-site")],
            vec![("host", "127.0.0.1:1"), ("sec-fetch-site", "same-site")],
        ] {
            assert!(refusal(&headers(&bad)).is_some(), "{bad:?}");
        }
    }
}
