//! Temporary credentials the emulator issued: `TmpSecretId` → key, token, who, until when.

use crate::cam::PolicyDocument;
use rand::Rng;
use rand::distr::Alphanumeric;
use std::collections::HashMap;

/// Expired sessions are kept this long (seconds) so a late call gets `AuthFailure.TokenFailure`
/// ("expired") rather than "unknown key".
const KEEP_EXPIRED_SECS: u64 = 3600;

/// One role session.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub tmp_secret_key: String,
    pub token: String,
    /// The role's owner: `AccountId` of the session.
    pub account_id: String,
    pub role_id: String,
    pub session_name: String,
    /// Who asked for it: a uin, or the identity provider's name for federated sessions.
    pub principal_id: String,
    /// Unix seconds.
    pub expires_at: u64,
    /// The role's permissions.
    pub role_policy: PolicyDocument,
    /// AssumeRole's `Policy`, narrowing the role's permissions.
    pub session_policy: Option<PolicyDocument>,
}

impl Session {
    /// Whether the session may perform `operation` on `resource`: the role allows it and the
    /// session policy, if any, does too.
    pub fn allows(&self, operation: &str, resource: &str) -> bool {
        self.role_policy.allows(operation, resource)
            && self
                .session_policy
                .as_ref()
                .is_none_or(|p| p.allows(operation, resource))
    }
}

/// Issued sessions by `TmpSecretId`.
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    by_id: HashMap<String, Session>,
}

fn random(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

impl Sessions {
    /// Stores a session; returns its `TmpSecretId`.
    pub fn issue(
        &mut self,
        now: u64,
        make: impl FnOnce(String, String) -> Session,
    ) -> (String, Session) {
        self.by_id
            .retain(|_, s| s.expires_at.saturating_add(KEEP_EXPIRED_SECS) > now);
        let id = format!("AKID{}", random(32));
        let session = make(random(40), random(96));
        self.by_id.insert(id.clone(), session.clone());
        (id, session)
    }

    /// The session of a `TmpSecretId`.
    pub fn get(&self, tmp_secret_id: &str) -> Option<&Session> {
        self.by_id.get(tmp_secret_id)
    }

    /// Forgets every session (admin reset).
    pub fn clear(&mut self) {
        self.by_id.clear();
    }
}
