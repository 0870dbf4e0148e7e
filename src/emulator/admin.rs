//! Admin endpoints under `/_emulator/`: unsigned, answered only to loopback peers.

use super::persist::Snapshot;
use super::server::Shared;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

/// The admin routes, relative to `/_emulator`.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", get(health))
        .route("/state", get(get_state).put(put_state))
        .route("/metrics", get(metrics))
        .route("/reset", post(reset))
        .layer(middleware::from_fn(loopback_only))
}

fn json_reply(status: StatusCode, body: serde_json::Value) -> Response {
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
    match peer {
        Some(ip) if ip.is_loopback() => next.run(req).await,
        _ => json_reply(
            StatusCode::FORBIDDEN,
            json!({"Error": "admin endpoints answer loopback clients only"}),
        ),
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
