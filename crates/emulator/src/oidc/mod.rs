//! The emulator as an OIDC identity provider: it signs RS256 tokens for tests (admin
//! `POST /_emulator/oidc/token`) with an RSA key made at first use, and STS verifies tokens
//! against that key and the provider's issuer and audiences.

use crate::admin::json_reply;
use crate::cam::OidcProvider;
use crate::server::Shared;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::sync::OnceLock;

/// Longest lifetime the admin endpoint signs a token for.
pub(crate) const MAX_TOKEN_SECONDS: u64 = 86_400;

/// The signing key pair of this emulator process (never persisted: tokens die with it).
pub(crate) struct Issuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// `kid` in every token header.
    key_id: String,
}

/// The claims the emulator signs and checks.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
}

/// Why a web identity token is refused (the message of `InvalidParameter.WebIdentityTokenError`).
pub(crate) fn refusal(e: &jsonwebtoken::errors::Error) -> &'static str {
    use jsonwebtoken::errors::ErrorKind::*;
    match e.kind() {
        ExpiredSignature => "the token has expired (exp is in the past)",
        InvalidSignature => "the token's signature does not verify with the provider's key",
        InvalidIssuer => "the token's iss does not match the provider's issuer URL",
        InvalidAudience => "the token's aud is not one of the provider's client IDs",
        InvalidAlgorithm => "the token is not signed with RS256",
        MissingRequiredClaim(_) => "the token lacks one of iss, aud, sub, exp",
        _ => "the token is not a well-formed JWT",
    }
}

impl Issuer {
    /// The process-wide issuer key, generated on first use (RSA 2048).
    pub(crate) fn get() -> Result<&'static Issuer, String> {
        static ISSUER: OnceLock<Result<Issuer, String>> = OnceLock::new();
        ISSUER
            .get_or_init(|| {
                let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
                    .map_err(|e| format!("cannot generate the OIDC signing key: {e}"))?;
                let encoding = EncodingKey::from_rsa_pem(pair.serialize_pem().as_bytes())
                    .map_err(|e| format!("cannot load the OIDC signing key: {e}"))?;
                let decoding = DecodingKey::from_rsa_pem(pair.public_key_pem().as_bytes())
                    .map_err(|e| format!("cannot load the OIDC public key: {e}"))?;
                let key_id = uuid::Uuid::new_v4().simple().to_string()[..16].to_string();
                Ok(Issuer {
                    encoding,
                    decoding,
                    key_id,
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Signs a token of `provider` for `subject` and `audience`, valid `seconds` from `now`.
    pub(crate) fn mint(
        &self,
        provider: &OidcProvider,
        subject: &str,
        audience: &str,
        now: u64,
        seconds: u64,
    ) -> Result<(String, u64), String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key_id.clone());
        let claims = Claims {
            iss: provider.issuer.clone(),
            sub: subject.to_string(),
            aud: audience.to_string(),
            iat: now,
            exp: now + seconds,
        };
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| format!("cannot sign the token: {e}"))?;
        Ok((token, claims.exp))
    }

    /// Verifies signature, issuer, audience and expiry (no leeway: tests expire tokens on purpose).
    pub(crate) fn verify(
        &self,
        provider: &OidcProvider,
        token: &str,
    ) -> Result<Claims, jsonwebtoken::errors::Error> {
        let mut v = Validation::new(Algorithm::RS256);
        v.leeway = 0;
        v.set_issuer(&[provider.issuer.as_str()]);
        v.set_audience(&provider.client_ids);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &v).map(|d| d.claims)
    }
}

/// Body of `POST /_emulator/oidc/token`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MintRequest {
    /// Provider name; default: the world's first OIDC provider.
    #[serde(default)]
    provider: Option<String>,
    /// `sub`.
    subject: String,
    /// `aud`; default: the provider's first client ID.
    #[serde(default)]
    audience: Option<String>,
    /// Lifetime; default 3600. Negative values mint an already expired token (tests).
    #[serde(default)]
    expires_in_seconds: Option<i64>,
}

/// `POST /_emulator/oidc/token`: a signed token for tests, as a CI system's OIDC issuer would
/// hand a job.
pub(crate) async fn mint_for_test(
    State(shared): State<Arc<Shared>>,
    body: axum::body::Bytes,
) -> Response {
    let bad = |m: String| json_reply(StatusCode::BAD_REQUEST, json!({ "Error": m }));
    let req: MintRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return bad(format!(
                "expected {{\"Subject\", \"Audience\"?, \"Provider\"?, \"ExpiresInSeconds\"?}}: {e}"
            ));
        }
    };
    let provider = {
        let core = shared.core();
        let providers = &core.world.oidc_providers;
        match &req.provider {
            Some(name) => providers.iter().find(|p| &p.name == name).cloned(),
            None => providers.first().cloned(),
        }
    };
    let Some(provider) = provider else {
        return bad("the world has no such OIDC provider (add one under OidcProviders)".into());
    };
    let audience = req
        .audience
        .or_else(|| provider.client_ids.first().cloned())
        .unwrap_or_default();
    let ttl = req
        .expires_in_seconds
        .unwrap_or(3600)
        .min(MAX_TOKEN_SECONDS as i64);
    let now = (crate::state::now_ms() / 1000) as i64;
    // An expired token is minted by backdating it, so `exp` stays after `iat`.
    let (issued, seconds) = if ttl > 0 {
        (now, ttl as u64)
    } else {
        (now + ttl - 60, 60)
    };
    let minted = Issuer::get().and_then(|i| {
        i.mint(
            &provider,
            &req.subject,
            &audience,
            issued.max(0) as u64,
            seconds,
        )
    });
    match minted {
        Ok((token, exp)) => json_reply(
            StatusCode::OK,
            json!({"Token": token, "ExpiredTime": exp, "Issuer": provider.issuer, "Audience": audience}),
        ),
        Err(e) => json_reply(StatusCode::INTERNAL_SERVER_ERROR, json!({ "Error": e })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_verify_and_bad_ones_say_why() {
        let p = OidcProvider {
            name: "OIDC".into(),
            issuer: "https://oidc.example".into(),
            client_ids: vec!["sts.tencentcloudapi.com".into()],
        };
        let issuer = Issuer::get().unwrap();
        let now = crate::state::now_ms() / 1000;
        let (t, _) = issuer
            .mint(&p, "repo:x", "sts.tencentcloudapi.com", now, 60)
            .unwrap();
        assert_eq!(issuer.verify(&p, &t).unwrap().sub, "repo:x");
        let why = |t: &str, p: &OidcProvider| refusal(&issuer.verify(p, t).unwrap_err());
        let (other_aud, _) = issuer.mint(&p, "s", "someone-else", now, 60).unwrap();
        assert!(why(&other_aud, &p).contains("aud"));
        let (old, _) = issuer
            .mint(&p, "s", "sts.tencentcloudapi.com", now - 120, 60)
            .unwrap();
        assert!(why(&old, &p).contains("expired"));
        // One changed character inside the signature (not its last, which holds padding bits).
        let mut tampered: Vec<char> = t.chars().collect();
        let at = tampered.len() - 20;
        tampered[at] = if tampered[at] == 'A' { 'B' } else { 'A' };
        let tampered: String = tampered.into_iter().collect();
        assert!(why(&tampered, &p).contains("signature"));
        let other_issuer = OidcProvider {
            issuer: "https://elsewhere".into(),
            ..p.clone()
        };
        assert!(why(&t, &other_issuer).contains("iss"));
        assert!(why("not-a-jwt", &p).contains("well-formed"));
    }
}
