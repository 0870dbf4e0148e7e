//! Role sessions from STS, refreshed before they expire: one refresh at a time for every
//! concurrent caller (the others wait for it and share its result), so a burst of calls near
//! expiry makes one STS call, and no call is signed with a session about to end.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::Mutex;

use super::exchange::{Exchange, Origins};
use super::{CredentialProvider, Credentials};
use crate::error::{ApiError, ConfigError};
use crate::sts::{StsClient, TemporaryCredentials};

/// Largest head start of a refresh before expiry, in milliseconds.
const MAX_REFRESH_MARGIN_MS: i64 = 300_000;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[derive(Clone)]
struct Cached {
    credentials: Credentials,
    expires_at_ms: i64,
    refresh_at_ms: i64,
}

/// A role session (or MFA session) from STS.
pub(crate) struct SessionProvider {
    sts: StsClient,
    /// Signs the exchange; `None` for the unsigned ones (web identity, SAML).
    base: Option<CredentialProvider>,
    exchange: Exchange,
    origins: Origins,
    cached: Mutex<Option<Cached>>,
    refreshes: std::sync::atomic::AtomicU64,
}

impl SessionProvider {
    pub(crate) fn new(
        sts: StsClient,
        base: Option<CredentialProvider>,
        exchange: Exchange,
        origins: Origins,
    ) -> Self {
        SessionProvider {
            sts,
            base,
            exchange,
            origins,
            cached: Mutex::new(None),
            refreshes: Default::default(),
        }
    }

    /// What the exchange is, for the credential source (no secrets).
    pub(crate) fn describe(&self) -> String {
        self.exchange.describe()
    }

    /// Gets the first session now, so bad settings are reported at configuration time with the
    /// setting they concern.
    pub(crate) async fn start(&self) -> Result<(), ConfigError> {
        let mut cached = self.cached.lock().await;
        let fresh = self.fetch().await?;
        *cached = Some(self.remember(fresh));
        Ok(())
    }

    /// The credentials to sign the next request with.
    pub(crate) async fn current(&self) -> Result<Credentials, ApiError> {
        let mut cached = self.cached.lock().await;
        let now = now_ms();
        if let Some(c) = cached.as_ref()
            && now < c.refresh_at_ms
        {
            return Ok(c.credentials.clone());
        }
        match self.fetch().await {
            Ok(fresh) => {
                let c = self.remember(fresh);
                let out = c.credentials.clone();
                *cached = Some(c);
                Ok(out)
            }
            // A failed early refresh keeps the current session while it still has time left.
            Err(e) => match cached.as_ref() {
                Some(c) if now + 1000 < c.expires_at_ms => {
                    tracing::warn!(error = %e, "refreshing the role session failed; the current one is still valid");
                    Ok(c.credentials.clone())
                }
                _ => Err(ApiError::Credentials(e.to_string())),
            },
        }
    }

    /// After the cloud refused `refused` (the session signing a call): a fresh session, once for
    /// every caller refused with the same one (the others find it already replaced and retry).
    pub(crate) async fn replace_refused(&self, refused: &Credentials) -> Result<(), ApiError> {
        let mut cached = self.cached.lock().await;
        if cached
            .as_ref()
            .is_some_and(|c| c.credentials.secret_id != refused.secret_id)
        {
            return Ok(());
        }
        let fresh = self
            .fetch()
            .await
            .map_err(|e| ApiError::Credentials(e.to_string()))?;
        *cached = Some(self.remember(fresh));
        Ok(())
    }

    fn remember(&self, fresh: TemporaryCredentials) -> Cached {
        self.refreshes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let now = now_ms();
        let expires_at_ms = fresh.expires_at.saturating_mul(1000);
        let lifetime = (expires_at_ms - now).max(0);
        // Half the lifetime for short sessions, so a call signed just before the refresh point
        // still has time to reach the service.
        let margin = (lifetime / 2).min(MAX_REFRESH_MARGIN_MS);
        tracing::debug!(
            exchange = %self.exchange.describe(),
            request_id = %fresh.request_id,
            lifetime_ms = lifetime,
            "role session obtained"
        );
        Cached {
            credentials: fresh.credentials,
            expires_at_ms,
            refresh_at_ms: expires_at_ms - margin,
        }
    }

    async fn fetch(&self) -> Result<TemporaryCredentials, ConfigError> {
        let signer = match &self.base {
            Some(b) => Some(b.current().await.map_err(|e| ConfigError::Setting {
                setting: self.exchange.block().to_string(),
                detail: format!(
                    "the credentials that sign {} are not available: {e}",
                    self.exchange.action()
                ),
            })?),
            None => None,
        };
        self.exchange
            .run(&self.sts, signer.as_ref(), &self.origins)
            .await
    }
}

/// A provider that is a session.
pub(crate) fn provider(p: Arc<SessionProvider>) -> CredentialProvider {
    CredentialProvider {
        source: super::CredentialSource::RoleSession(p.describe()),
        inner: super::ProviderKind::Session(p),
    }
}
