//! STS (version 2018-08-13) on the emulator's port: AssumeRole, AssumeRoleWithWebIdentity,
//! AssumeRoleWithSAML, GetCallerIdentity and GetSessionToken (MFA), with the official SDK's request and response
//! shapes. The two federated actions are unsigned, as in the real service; the others are
//! signed with scope service `sts`.

pub(crate) mod sessions;

use crate::auth::{self, Caller};
use crate::cam::{self, Role};
use crate::config::EmulatorConfig;
use crate::error::ApiFailure;
use crate::oidc::{self, Issuer};
use crate::params::Params;
use crate::state::Core;
use base64::Engine as _;
use http::HeaderMap;
use serde_json::{Map, Value, json};
use sessions::Session;

/// TC3 credential-scope service name of STS.
pub const SERVICE: &str = "sts";
/// The STS API version.
pub const API_VERSION: &str = "2018-08-13";
/// Session length when the request names none.
pub(crate) const DEFAULT_DURATION_SECS: u64 = 7200;
/// Longest session AssumeRole* grants.
pub(crate) const MAX_DURATION_SECS: u64 = 43_200;

const ACTIONS: [&str; 5] = [
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "AssumeRoleWithSAML",
    "GetCallerIdentity",
    "GetSessionToken",
];

/// The action's name as metrics count it, if it is an STS action.
pub(crate) fn metrics_key(action: &str) -> Option<&'static str> {
    ACTIONS.iter().copied().find(|a| *a == action)
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Whether a request is for STS: by host (`sts.…`), by the signed scope's service, or by the STS
/// version (unsigned calls to a local endpoint carry neither of the others).
pub(crate) fn is_sts_request(headers: &HeaderMap) -> bool {
    let host = header(headers, "host").unwrap_or("");
    if host.starts_with("sts.") {
        return true;
    }
    if let Some(a) =
        header(headers, "authorization").and_then(tencentcloud::sign::parse_authorization)
    {
        return a.service == SERVICE;
    }
    header(headers, "x-tc-version") == Some(API_VERSION)
}

/// Answers one STS call. Returns the response fields (without `RequestId`) and, for metrics, the
/// kind of credential it came with.
pub(crate) fn handle(
    core: &mut Core,
    config: &EmulatorConfig,
    headers: &HeaderMap,
    body: &[u8],
    action: &str,
    request_id: &str,
    now: i64,
) -> (Result<Map<String, Value>, ApiFailure>, &'static str) {
    let Some(action) = metrics_key(action) else {
        let f = if action.is_empty() {
            ApiFailure::new("MissingParameter", "The X-TC-Action header is missing.")
        } else {
            ApiFailure::new(
                "InvalidAction",
                format!(
                    "The action {} does not exist in sts version {API_VERSION}.",
                    crate::error::excerpt(action.to_string(), 64)
                ),
            )
        };
        return (Err(f), "Unsigned");
    };
    let unsigned = matches!(action, "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML");
    // The federated actions ignore any Authorization and X-TC-Token (the official Terraform
    // provider signs them with whatever it has, then replaces the header with SKIP).
    let caller = if unsigned {
        None
    } else {
        match auth::authenticate(
            config,
            &core.world,
            &core.sessions,
            headers,
            body,
            SERVICE,
            now,
        ) {
            Ok(c) => Some(c),
            Err(f) => return (Err(f), "Unsigned"),
        }
    };
    let kind = caller.as_ref().map_or("Unsigned", Caller::credential_kind);
    let result = (|| {
        match header(headers, "x-tc-version") {
            None | Some("") => {
                return Err(ApiFailure::new(
                    "MissingParameter",
                    "The X-TC-Version header is missing.",
                ));
            }
            Some(API_VERSION) => {}
            Some(v) => {
                return Err(ApiFailure::new(
                    "NoSuchVersion",
                    format!("The API version {v} does not exist; sts uses {API_VERSION}."),
                ));
            }
        }
        let json: Value = serde_json::from_slice(body).map_err(|e| {
            ApiFailure::new(
                "InvalidParameter.FormatError",
                format!("The request body is not valid JSON: {e}"),
            )
        })?;
        let p = Params::top(&json)?;
        let now = u64::try_from(now).unwrap_or(0);
        match (action, caller) {
            ("GetCallerIdentity", Some(c)) => {
                p.only(&[])?;
                Ok(caller_identity(&c))
            }
            ("AssumeRole", Some(c)) => assume_role(core, config, &c, &p, request_id, now),
            ("GetSessionToken", Some(c)) => session_token(core, &c, &p, now),
            ("AssumeRoleWithWebIdentity", _) => web_identity(core, config, &p, request_id, now),
            _ => saml(core, config, &p, request_id, now),
        }
    })();
    (result, kind)
}

fn caller_identity(c: &Caller) -> Map<String, Value> {
    let v = match c {
        Caller::Account { uin } => json!({
            "Arn": format!("qcs::cam::uin/{uin}:uin/{uin}"),
            "AccountId": uin,
            "UserId": uin,
            "PrincipalId": uin,
            "Type": "CAMUser",
        }),
        // An MFA session acts as its account.
        Caller::Session(s) if s.role_id.is_empty() => json!({
            "Arn": format!("qcs::cam::uin/{0}:uin/{0}", s.account_id),
            "AccountId": s.account_id,
            "UserId": s.account_id,
            "PrincipalId": s.principal_id,
            "Type": "CAMUser",
        }),
        Caller::Session(s) => json!({
            "Arn": format!("qcs::sts:{}:assumed-role/{}", s.account_id, s.role_id),
            "AccountId": s.account_id,
            "UserId": format!("{}:{}", s.role_id, s.session_name),
            "PrincipalId": s.principal_id,
            "Type": "CAMRole",
        }),
    };
    v.as_object().cloned().unwrap_or_default()
}

fn param_error(m: impl Into<String>) -> ApiFailure {
    ApiFailure::new("InvalidParameter.ParamError", m)
}

/// `RoleSessionName`: 2 to 128 of `[\w+=,.@-]`.
fn session_name<'a>(p: &Params<'a>) -> Result<&'a str, ApiFailure> {
    let name = p.req_str("RoleSessionName")?;
    let ok = (2..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if ok {
        Ok(name)
    } else {
        Err(param_error(
            "RoleSessionName must be 2 to 128 characters of letters, digits and _+=,.@-",
        ))
    }
}

/// `DurationSeconds`: a number or (as the documentation's own example sends it) a string.
fn duration(p: &Params, config: &EmulatorConfig) -> Result<u64, ApiFailure> {
    let asked =
        match p.opt_u64("DurationSeconds") {
            Ok(v) => v,
            Err(_) => match p.opt_str("DurationSeconds")? {
                Some(s) => Some(s.trim().parse::<u64>().map_err(|_| {
                    param_error("DurationSeconds must be a whole number of seconds")
                })?),
                None => None,
            },
        };
    let secs = match asked {
        None | Some(0) => DEFAULT_DURATION_SECS,
        Some(s) if s > MAX_DURATION_SECS => {
            return Err(ApiFailure::new(
                "InvalidParameter.OverTimeError",
                format!("DurationSeconds {s} is above the maximum of {MAX_DURATION_SECS}."),
            ));
        }
        Some(s) => s,
    };
    // The emulator's --sts-max-session-seconds shortens every session so tests can see refreshes.
    Ok(config
        .sts_max_session_seconds
        .map_or(secs, |cap| secs.min(cap.max(1))))
}

/// The role a RoleArn names: a malformed ARN is a parameter error, an unknown one RoleNotFound.
fn role<'w>(core: &'w Core, arn: &str) -> Result<&'w Role, ApiFailure> {
    if !cam::is_role_arn(arn) {
        return Err(param_error(format!(
            "RoleArn {:?} is not a role ARN; use qcs::cam::uin/<owner uin>:roleName/<name> or …:role/<role id>",
            crate::error::excerpt(arn.to_string(), 160)
        )));
    }
    core.world
        .roles
        .iter()
        .find(|r| r.is_named_by(arn))
        .ok_or_else(|| {
            ApiFailure::new(
                "ResourceNotFound.RoleNotFound",
                format!(
                    "The role {} does not exist.",
                    crate::error::excerpt(arn.to_string(), 160)
                ),
            )
        })
}

fn refuse_role(request_id: &str, role: &Role) -> ApiFailure {
    ApiFailure::new(
        "UnauthorizedOperation",
        cam::denial(request_id, "sts:AssumeRole", &role.arn()),
    )
}

fn issue(
    core: &mut Core,
    role: &Role,
    session_name: &str,
    principal_id: &str,
    seconds: u64,
    session_policy: Option<cam::PolicyDocument>,
    now: u64,
) -> Map<String, Value> {
    let expires_at = now + seconds;
    let (tmp_id, s) = core.sessions.issue(now, |key, token| Session {
        tmp_secret_key: key,
        token,
        account_id: role.owner_uin.clone(),
        role_id: role.role_id.clone(),
        session_name: session_name.to_string(),
        principal_id: principal_id.to_string(),
        expires_at,
        role_policy: role.policy.clone(),
        session_policy,
    });
    reply(&tmp_id, &s)
}

/// The AssumeRole* / GetSessionToken reply for an issued session.
fn reply(tmp_id: &str, s: &Session) -> Map<String, Value> {
    let expires_at = s.expires_at;
    let expiration = time::OffsetDateTime::from_unix_timestamp(expires_at as i64)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .ok()
        })
        .unwrap_or_default();
    let v = json!({
        "Credentials": {"Token": s.token, "TmpSecretId": tmp_id, "TmpSecretKey": s.tmp_secret_key},
        "ExpiredTime": expires_at,
        "Expiration": expiration,
    });
    v.as_object().cloned().unwrap_or_default()
}

/// Checks an MFA code of the caller's account (`FailedOperation.CheckMFAError` when wrong).
fn check_mfa(core: &Core, account: &str, serial: &str, code: &str) -> Result<(), ApiFailure> {
    let expected_serial = format!("qcs::cam:uin/{account}::mfa/softToken");
    let device_code = core
        .world
        .accounts
        .iter()
        .find(|a| a.uin == account)
        .and_then(|a| a.mfa_token_code.as_deref());
    match device_code {
        Some(want) if serial == expected_serial && code == want => Ok(()),
        _ => Err(ApiFailure::new(
            "FailedOperation.CheckMFAError",
            format!(
                "The MFA check failed: SerialNumber must be {expected_serial} (the account's soft token) and TokenCode its current code."
            ),
        )),
    }
}

/// GetSessionToken: an MFA session of the caller's own account (long-term keys only).
fn session_token(
    core: &mut Core,
    caller: &Caller,
    p: &Params,
    now: u64,
) -> Result<Map<String, Value>, ApiFailure> {
    p.only(&["SerialNumber", "TokenCode", "DurationSeconds"])?;
    let Caller::Account { uin } = caller else {
        return Err(ApiFailure::new(
            "FailedOperation.TempKeyNotAllowed",
            "GetSessionToken cannot be called with temporary credentials; sign it with a long-term key.",
        ));
    };
    let serial = p.req_str("SerialNumber")?;
    let code = p.req_str("TokenCode")?;
    let seconds = match p.opt_u64("DurationSeconds")? {
        None | Some(0) => 1800,
        // A root account's limit.
        Some(s) if s > 7200 => {
            return Err(ApiFailure::new(
                "InvalidParameter.OverTimeError",
                format!("DurationSeconds {s} is above a root account's maximum of 7200."),
            ));
        }
        Some(s) => s,
    };
    check_mfa(core, uin, serial, code)?;
    let (tmp_id, s) = core.sessions.issue(now, |key, token| Session {
        tmp_secret_key: key,
        token,
        account_id: uin.clone(),
        role_id: String::new(),
        session_name: String::new(),
        principal_id: uin.clone(),
        expires_at: now + seconds,
        role_policy: cam::PolicyDocument::allow_all(),
        session_policy: None,
    });
    Ok(reply(&tmp_id, &s))
}

fn assume_role(
    core: &mut Core,
    config: &EmulatorConfig,
    caller: &Caller,
    p: &Params,
    request_id: &str,
    now: u64,
) -> Result<Map<String, Value>, ApiFailure> {
    p.only(&[
        "RoleArn",
        "RoleSessionName",
        "DurationSeconds",
        "Policy",
        "ExternalId",
        "Tags",
        "SourceIdentity",
        "SerialNumber",
        "TokenCode",
    ])?;
    let arn = p.req_str("RoleArn")?;
    let name = session_name(p)?;
    let seconds = duration(p, config)?;
    let external_id = p.opt_str("ExternalId")?;
    if let Some(e) = external_id
        && !((2..=128).contains(&e.len())
            && e.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c)))
    {
        return Err(param_error(
            "ExternalId must be 2 to 128 characters of letters, digits and _+=,.@:/-",
        ));
    }
    let session_policy = match p.opt_str("Policy")? {
        Some(text) if !text.is_empty() => {
            Some(cam::PolicyDocument::parse_session(text).map_err(|e| {
                ApiFailure::new(
                    "InvalidParameter.StrategyFormatError",
                    format!("Policy is not a usable session policy: {e}."),
                )
            })?)
        }
        _ => None,
    };
    let account = caller.account_id().to_string();
    match (p.opt_str("SerialNumber")?, p.opt_str("TokenCode")?) {
        (None, None) => {}
        (Some(serial), Some(code)) => check_mfa(core, &account, serial, code)?,
        _ => return Err(param_error("SerialNumber and TokenCode go together")),
    }
    let role = role(core, arn)?.clone();
    if !role.trusted_accounts.contains(&account) {
        return Err(refuse_role(request_id, &role));
    }
    if let Some(want) = &role.external_id
        && external_id != Some(want.as_str())
    {
        return Err(ApiFailure::new(
            "UnauthorizedOperation",
            format!(
                "{} (the role's trust policy requires a matching ExternalId)",
                cam::denial(request_id, "sts:AssumeRole", &role.arn())
            ),
        ));
    }
    Ok(issue(
        core,
        &role,
        name,
        &account,
        seconds,
        session_policy,
        now,
    ))
}

fn web_identity(
    core: &mut Core,
    config: &EmulatorConfig,
    p: &Params,
    request_id: &str,
    now: u64,
) -> Result<Map<String, Value>, ApiFailure> {
    p.only(&[
        "ProviderId",
        "WebIdentityToken",
        "RoleArn",
        "RoleSessionName",
        "DurationSeconds",
    ])?;
    let provider_id = p.req_str("ProviderId")?;
    let token = p.req_str("WebIdentityToken")?;
    let arn = p.req_str("RoleArn")?;
    let name = session_name(p)?;
    let seconds = duration(p, config)?;
    let token_error = |m: String| ApiFailure::new("InvalidParameter.WebIdentityTokenError", m);
    let provider = core
        .world
        .oidc_providers
        .iter()
        .find(|o| o.name == provider_id)
        .cloned()
        .ok_or_else(|| {
            token_error(format!(
                "No OIDC identity provider is named {:?}.",
                crate::error::excerpt(provider_id.to_string(), 64)
            ))
        })?;
    let issuer = Issuer::get().map_err(|e| ApiFailure::new("InternalError.SystemError", e))?;
    issuer
        .verify(&provider, token)
        .map_err(|e| token_error(format!("WebIdentityToken refused: {}.", oidc::refusal(&e))))?;
    let role = role(core, arn)?.clone();
    if !role.trusted_providers.contains(&provider.name) {
        return Err(refuse_role(request_id, &role));
    }
    Ok(issue(core, &role, name, &provider.name, seconds, None, now))
}

fn saml(
    core: &mut Core,
    config: &EmulatorConfig,
    p: &Params,
    request_id: &str,
    now: u64,
) -> Result<Map<String, Value>, ApiFailure> {
    p.only(&[
        "SAMLAssertion",
        "PrincipalArn",
        "RoleArn",
        "RoleSessionName",
        "DurationSeconds",
    ])?;
    let assertion = p.req_str("SAMLAssertion")?;
    let principal = p.req_str("PrincipalArn")?;
    let arn = p.req_str("RoleArn")?;
    let name = session_name(p)?;
    let seconds = duration(p, config)?;
    let provider = core
        .world
        .saml_providers
        .iter()
        .find(|s| s.arn() == principal)
        .cloned()
        .ok_or_else(|| {
            param_error(format!(
                "PrincipalArn {:?} names no SAML provider.",
                crate::error::excerpt(principal.to_string(), 160)
            ))
        })?;
    // A simplified assertion: base64 text that grants "<role arn>,<principal arn>", as the
    // Role attribute of a real one does. Signatures are not modelled.
    let text = base64::engine::general_purpose::STANDARD
        .decode(assertion.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| param_error("SAMLAssertion is not base64 text"))?;
    if !text.contains(&format!("{arn},{principal}")) {
        return Err(param_error(
            "the SAMLAssertion does not grant this RoleArn through this PrincipalArn",
        ));
    }
    let role = role(core, arn)?.clone();
    if !role.trusted_providers.contains(&provider.name) {
        return Err(refuse_role(request_id, &role));
    }
    Ok(issue(core, &role, name, &provider.name, seconds, None, now))
}
