//! A minimal signed caller of the emulator's API, for tests and tools. It signs with the
//! emulator's own TC3 helpers so it does not depend on the client layer.

use crate::auth;
use crate::config::{DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY};
use crate::server::API_VERSION;
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};

/// What a raw call returned.
#[derive(Debug, Clone)]
pub struct ProbeReply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Parsed body (Null when not JSON).
    pub body: Value,
}

impl ProbeReply {
    /// `Response` object of the envelope.
    pub fn response(&self) -> &Value {
        &self.body["Response"]
    }

    /// `Response.Error.Code`, if the call failed.
    pub fn error_code(&self) -> Option<&str> {
        self.body["Response"]["Error"]["Code"].as_str()
    }
}

/// Knobs for one raw call; the defaults produce a correct request.
#[derive(Debug, Clone)]
pub struct ProbeRequest {
    /// `X-TC-Action` (None omits the header).
    pub action: Option<String>,
    /// `X-TC-Version` (None omits the header).
    pub version: Option<String>,
    /// Exact body bytes.
    pub body: Vec<u8>,
    /// Unix seconds put in `X-TC-Timestamp` and signed.
    pub timestamp: i64,
    /// Host value to sign (the real connection always goes to the emulator).
    pub host: Option<String>,
    /// SecretId to sign with.
    pub secret_id: String,
    /// SecretKey to sign with.
    pub secret_key: String,
    /// Send no `Authorization` at all.
    pub unsigned: bool,
}

/// A caller bound to one emulator base URL.
#[derive(Debug, Clone)]
pub struct ApiProbe {
    base_url: String,
    http: reqwest::Client,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl ApiProbe {
    /// A probe for `base_url` (`http://127.0.0.1:PORT`).
    pub fn new(base_url: impl Into<String>) -> Self {
        ApiProbe {
            base_url: base_url.into(),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_default(),
        }
    }

    /// A correct, signed request for `action` with this JSON body.
    pub fn request(&self, action: &str, body: &Value) -> ProbeRequest {
        ProbeRequest {
            action: Some(action.to_string()),
            version: Some(API_VERSION.to_string()),
            body: serde_json::to_vec(body).unwrap_or_default(),
            timestamp: unix_now(),
            host: None,
            secret_id: DEFAULT_SECRET_ID.to_string(),
            secret_key: DEFAULT_SECRET_KEY.to_string(),
            unsigned: false,
        }
    }

    /// Sends a request as described.
    pub async fn send(&self, r: &ProbeRequest) -> Result<ProbeReply, reqwest::Error> {
        let authority = self.base_url.trim_start_matches("http://").to_string();
        let host = r.host.clone().unwrap_or(authority);
        let mut req = self
            .http
            .post(format!("{}/", self.base_url))
            .header("Content-Type", "application/json")
            .header("Host", &host)
            .header("X-TC-Timestamp", r.timestamp.to_string())
            .header("X-TC-Region", "ap-guangzhou")
            .body(r.body.clone());
        if let Some(a) = &r.action {
            req = req.header("X-TC-Action", a);
        }
        if let Some(v) = &r.version {
            req = req.header("X-TC-Version", v);
        }
        if !r.unsigned {
            let authorization = auth::authorization(
                &r.secret_id,
                &r.secret_key,
                &host,
                "application/json",
                r.timestamp,
                &r.body,
            );
            req = req.header("Authorization", authorization);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp.bytes().await?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(ProbeReply {
            status,
            content_type,
            body,
        })
    }

    /// Calls `action` with `body` and returns the whole reply.
    pub async fn call(&self, action: &str, body: Value) -> Result<ProbeReply, reqwest::Error> {
        self.send(&self.request(action, &body)).await
    }
}
