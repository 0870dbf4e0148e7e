//! CAM as the emulator plays it: accounts that own keys, roles with their trust and permissions,
//! and the identity providers roles may trust. The types are part of the world (seed, state file,
//! admin `state`), so they use the API's PascalCase names.

pub(crate) mod policy;

use serde::{Deserialize, Serialize};

pub use policy::PolicyDocument;

/// The account that owns the emulator's long-term key when no `Accounts` entry lists it.
pub(crate) const DEFAULT_ACCOUNT_UIN: &str = "100000000001";

/// A root account (its uin is the `AccountId` of everything it owns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Account {
    /// Root uin, digits only.
    pub uin: String,
    /// SecretIds this account owns (the emulator's `--secret-id` key among them, if listed).
    #[serde(default)]
    pub secret_ids: Vec<String>,
    /// The code its MFA soft token (`qcs::cam:uin/<Uin>::mfa/softToken`) shows; fixed, for tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_token_code: Option<String>,
}

/// A CAM role: who may assume it (trust) and what its sessions may do (permissions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Role {
    /// Numeric role ID (for `…:role/<RoleId>` ARNs and `assumed-role/<RoleId>`).
    pub role_id: String,
    /// Role name (for `…:roleName/<RoleName>` ARNs).
    pub role_name: String,
    /// Uin of the account that owns the role.
    pub owner_uin: String,
    /// Trust: accounts (root uins) whose keys may call AssumeRole on it.
    #[serde(default)]
    pub trusted_accounts: Vec<String>,
    /// Trust: OIDC or SAML provider names whose tokens or assertions may assume it.
    #[serde(default)]
    pub trusted_providers: Vec<String>,
    /// Trust: when set, AssumeRole must pass this `ExternalId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Permissions of the role's sessions, a CAM policy (`version`, `statement`).
    pub policy: PolicyDocument,
}

/// An OIDC identity provider whose tokens the emulator itself signs (`POST /_emulator/oidc/token`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OidcProvider {
    /// The provider's name: `ProviderId` in AssumeRoleWithWebIdentity.
    pub name: String,
    /// Issuer URL: the `iss` every token must carry.
    pub issuer: String,
    /// Accepted audiences (`aud`).
    pub client_ids: Vec<String>,
}

/// A SAML identity provider (`qcs::cam::uin/<OwnerUin>:saml-provider/<Name>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct SamlProvider {
    /// Provider name.
    pub name: String,
    /// Owning account.
    pub owner_uin: String,
}

impl Role {
    /// `qcs::cam::uin/<owner>:roleName/<name>`, as denials quote it.
    pub fn arn(&self) -> String {
        format!(
            "qcs::cam::uin/{}:roleName/{}",
            self.owner_uin, self.role_name
        )
    }

    /// Whether `arn` names this role, in either documented form.
    pub(crate) fn is_named_by(&self, arn: &str) -> bool {
        let Some(rest) = arn.strip_prefix(&format!("qcs::cam::uin/{}:", self.owner_uin)) else {
            return false;
        };
        rest.strip_prefix("roleName/") == Some(self.role_name.as_str())
            || rest.strip_prefix("role/") == Some(self.role_id.as_str())
    }
}

impl SamlProvider {
    /// `qcs::cam::uin/<owner>:saml-provider/<name>`.
    pub fn arn(&self) -> String {
        format!(
            "qcs::cam::uin/{}:saml-provider/{}",
            self.owner_uin, self.name
        )
    }
}

/// Whether `arn` has the shape of a role ARN at all (else the request is malformed, not unknown).
pub(crate) fn is_role_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("qcs::cam::uin/") else {
        return false;
    };
    let Some((uin, tail)) = rest.split_once(':') else {
        return false;
    };
    !uin.is_empty()
        && uin.bytes().all(|b| b.is_ascii_digit())
        && (tail.starts_with("roleName/") || tail.starts_with("role/"))
        && !tail.ends_with('/')
}

/// The message CAM gives a refused operation: `[request id:…]you are not authorized to perform
/// operation (<svc>:<Action>)\nresource (<six-segment>) has no permission`.
pub fn denial(request_id: &str, operation: &str, resource: &str) -> String {
    format!(
        "[request id:{request_id}]you are not authorized to perform operation ({operation})\nresource ({resource}) has no permission"
    )
}

/// The six-segment resource a CLB call acts on, as CAM checks and quotes it: the first
/// `LoadBalancerId` the request names (directly or in `Associations`), else `*`.
pub(crate) fn clb_resource(body: &serde_json::Value, region: &str, account: &str) -> String {
    let lb = body
        .get("Associations")
        .and_then(|a| a.get(0))
        .and_then(|a| a.get("LoadBalancerId"))
        .or_else(|| body.get("LoadBalancerId"))
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty() && s.len() <= 64);
    match lb {
        Some(id) => format!("qcs::clb:{region}:uin/{account}:clb/{id}"),
        None => "*".to_string(),
    }
}

/// Checks the identity part of a world: unique IDs, references that resolve, policies that parse.
pub fn check(
    accounts: &[Account],
    roles: &[Role],
    oidc: &[OidcProvider],
    saml: &[SamlProvider],
) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for a in accounts {
        if a.uin.is_empty() || !a.uin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("account uin {:?} must be digits", a.uin));
        }
        if !seen.insert(format!("account {}", a.uin)) {
            return Err(format!("account {} appears more than once", a.uin));
        }
    }
    for r in roles {
        if !seen.insert(format!("role {}", r.arn()))
            || !seen.insert(format!("roleid {}", r.role_id))
        {
            return Err(format!("role {} appears more than once", r.arn()));
        }
        if !is_role_arn(&r.arn()) || r.role_id.is_empty() {
            return Err(format!(
                "role {:?} needs digits in OwnerUin and a non-empty RoleName and RoleId",
                r.role_name
            ));
        }
        for p in &r.trusted_providers {
            if !oidc.iter().any(|o| &o.name == p) && !saml.iter().any(|s| &s.name == p) {
                return Err(format!(
                    "role {} trusts provider {p:?}, which no OidcProviders or SamlProviders entry names",
                    r.arn()
                ));
            }
        }
        r.policy
            .check()
            .map_err(|e| format!("role {}: Policy {e}", r.arn()))?;
    }
    for o in oidc {
        if o.client_ids.is_empty() {
            return Err(format!(
                "OIDC provider {:?} needs at least one ClientIds entry",
                o.name
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_in_both_forms() {
        let r = Role {
            role_id: "4611686018427397919".into(),
            role_name: "terraform-deployer".into(),
            owner_uin: "100000000001".into(),
            trusted_accounts: vec![],
            trusted_providers: vec![],
            external_id: None,
            policy: PolicyDocument::allow_all(),
        };
        assert!(r.is_named_by("qcs::cam::uin/100000000001:roleName/terraform-deployer"));
        assert!(r.is_named_by("qcs::cam::uin/100000000001:role/4611686018427397919"));
        assert!(!r.is_named_by("qcs::cam::uin/100000000002:roleName/terraform-deployer"));
        assert!(!r.is_named_by("qcs::cam::uin/100000000001:roleName/terraform"));
        assert!(is_role_arn("qcs::cam::uin/1:roleName/x"));
        for bad in [
            "",
            "arn:aws:iam::1:role/x",
            "qcs::cam::uin/abc:roleName/x",
            "qcs::cam::uin/1:user/x",
        ] {
            assert!(!is_role_arn(bad), "{bad}");
        }
    }
}
