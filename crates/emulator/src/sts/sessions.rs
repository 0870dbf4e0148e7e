//! Temporary credentials the emulator issued: `TmpSecretId` → key, token, who, until when.

use crate::cam::PolicyDocument;
use rand::Rng;
use rand::distr::Alphanumeric;
use std::collections::HashMap;

/// Expired sessions are kept this long (seconds) so a late call gets `AuthFailure.TokenFailure`
/// ("expired") rather than "unknown key".
const KEEP_EXPIRED_SECS: u64 = 3600;

/// One role session. (`Debug` by hand: the key and token never reach a log.)
#[derive(Clone)]
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

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account_id", &self.account_id)
            .field("role_id", &self.role_id)
            .field("session_name", &self.session_name)
            .field("principal_id", &self.principal_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_print_no_secret_and_are_forgotten_an_hour_later() {
        let mut sessions = Sessions::default();
        let make = |expires_at| {
            move |key, token| Session {
                tmp_secret_key: key,
                token,
                account_id: "1".into(),
                role_id: "2".into(),
                session_name: "s".into(),
                principal_id: "1".into(),
                expires_at,
                role_policy: PolicyDocument::allow_all(),
                session_policy: None,
            }
        };
        let (old, s) = sessions.issue(1_000, make(1_010));
        let shown = format!("{s:?}");
        assert!(
            !shown.contains(&s.tmp_secret_key) && !shown.contains(&s.token),
            "{shown}"
        );
        assert!(sessions.get(&old).is_some());
        let (_, _) = sessions.issue(1_010 + KEEP_EXPIRED_SECS, make(9_999));
        assert!(sessions.get(&old).is_none());
    }
}
