//! CVM instance role credentials from the metadata service, refreshed before they expire.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use tokio::sync::Mutex;

use super::{Credentials, REFRESH_MARGIN_SECS};
use crate::error::ApiError;

/// Temporary credentials with their expiry (Unix seconds).
#[derive(Clone)]
pub(super) struct CachedRole {
    credentials: Credentials,
    expires_at: i64,
}

/// CVM instance role credentials from the metadata service.
pub(super) struct RoleProvider {
    http: reqwest::Client,
    base_url: String,
    role_name: Option<String>,
    cached: Mutex<Option<CachedRole>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleCredentialDoc {
    #[serde(default)]
    tmp_secret_id: Option<String>,
    #[serde(default)]
    tmp_secret_key: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    expired_time: Option<i64>,
    #[serde(default)]
    code: Option<String>,
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

// Short: on a machine that is not a CVM the metadata host does not answer, and the chain must not
// hang there before reporting "nothing found".
const METADATA_TIMEOUT: Duration = Duration::from_secs(2);

impl RoleProvider {
    /// A provider for `role_name` (else the first role the service lists) at `base_url`.
    pub(super) fn new(http: reqwest::Client, base_url: &str, role_name: Option<String>) -> Self {
        RoleProvider {
            http,
            base_url: base_url.to_string(),
            role_name,
            cached: Mutex::new(None),
        }
    }

    /// Keeps already fetched credentials, so the first call does not fetch them again.
    pub(super) async fn store(&self, cached: CachedRole) {
        *self.cached.lock().await = Some(cached);
    }

    async fn get_text(&self, url: &str) -> Result<String, String> {
        let resp = self
            .http
            .get(url)
            .timeout(METADATA_TIMEOUT)
            .send()
            .await
            .map_err(|e| format!("no answer ({})", without_url(&e)))?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err("no role attached (HTTP 404)".to_string());
        }
        if !status.is_success() {
            return Err(format!("HTTP status {}", status.as_u16()));
        }
        resp.text()
            .await
            .map_err(|e| format!("unreadable answer ({})", without_url(&e)))
    }

    pub(super) async fn fetch(&self) -> Result<(String, CachedRole), String> {
        let prefix = format!(
            "{}/latest/meta-data/cam/security-credentials/",
            self.base_url
        );
        let role = match &self.role_name {
            Some(r) => r.clone(),
            None => {
                let text = self.get_text(&prefix).await?;
                let name = text.lines().next().unwrap_or("").trim().to_string();
                if name.is_empty() {
                    return Err("no role attached (empty role list)".to_string());
                }
                name
            }
        };
        let text = self.get_text(&format!("{prefix}{role}")).await?;
        let doc: RoleCredentialDoc = serde_json::from_str(&text)
            .map_err(|e| format!("role {role:?}: undecodable credentials ({e})"))?;
        if let Some(code) = doc.code.as_deref().filter(|c| *c != "Success") {
            return Err(format!(
                "role {role:?}: metadata service answered Code {code:?}"
            ));
        }
        match (doc.tmp_secret_id, doc.tmp_secret_key) {
            (Some(secret_id), Some(secret_key))
                if !secret_id.is_empty() && !secret_key.is_empty() =>
            {
                let cached = CachedRole {
                    credentials: Credentials {
                        secret_id,
                        secret_key,
                        token: doc.token.filter(|t| !t.is_empty()),
                    },
                    // Without an expiry, assume a short life so the next call refreshes.
                    expires_at: doc.expired_time.unwrap_or_else(now_unix),
                };
                Ok((role, cached))
            }
            _ => Err(format!("role {role:?}: TmpSecretId/TmpSecretKey missing")),
        }
    }

    pub(super) async fn current(&self) -> Result<Credentials, ApiError> {
        // Holding the lock across the refresh makes concurrent callers wait for one fetch instead
        // of all hitting the metadata service.
        let mut guard = self.cached.lock().await;
        if let Some(c) = guard.as_ref()
            && c.expires_at - now_unix() > REFRESH_MARGIN_SECS
        {
            return Ok(c.credentials.clone());
        }
        match self.fetch().await {
            Ok((_, fresh)) => {
                let creds = fresh.credentials.clone();
                *guard = Some(fresh);
                Ok(creds)
            }
            Err(why) => match guard.as_ref() {
                // Still valid, only inside the refresh margin: keep using it.
                Some(c) if c.expires_at > now_unix() => {
                    tracing::warn!(error = %why, "refreshing CVM role credentials failed; using the current ones until they expire");
                    Ok(c.credentials.clone())
                }
                _ => Err(ApiError::Credentials(format!(
                    "refreshing CVM role credentials from {} failed: {why}",
                    self.base_url
                ))),
            },
        }
    }
}

/// A reqwest error's message without its URL (which could carry nothing secret here, but keeps
/// the messages short).
fn without_url(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    if let Some(url) = e.url() {
        msg = msg.replace(&format!(" ({url})"), "");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
