//! The credential files: tccli's `<profile>.credential` (JSON) and the SDK's INI file.

use std::path::Path;

use serde::Deserialize;

use super::{Credentials, pair};
use crate::error::ConfigError;

#[derive(Deserialize)]
struct ProfileCredential {
    #[serde(rename = "secretId", default)]
    secret_id: Option<String>,
    #[serde(rename = "secretKey", default)]
    secret_key: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

/// The text of a credentials file; `None` when there is no such file. A file that exists but
/// cannot be read (permissions, a directory, not UTF-8) is an error naming it: skipping it would
/// silently fall through to the next source, which may hold other credentials.
fn read_if_present(path: &Path) -> Result<Option<String>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(ConfigError::InvalidCredentials {
            source_name: path.display().to_string(),
            detail: format!(
                "the file exists but cannot be read ({e}). Make it a readable UTF-8 file for the user running Terraform, or remove it."
            ),
        }),
    }
}

pub(super) fn read_profile_credential(path: &Path) -> Result<Option<Credentials>, ConfigError> {
    let Some(text) = read_if_present(path)? else {
        return Ok(None);
    };
    let source_name = path.display().to_string();
    let parsed: ProfileCredential =
        serde_json::from_str(&text).map_err(|e| ConfigError::InvalidCredentials {
            source_name: source_name.clone(),
            detail: format!("not valid JSON ({e}); expected {{\"secretId\": …, \"secretKey\": …}}"),
        })?;
    let nonempty = |v: Option<String>| v.filter(|s| !s.is_empty());
    pair(
        &source_name,
        nonempty(parsed.secret_id),
        nonempty(parsed.secret_key),
        parsed.token,
        "secretId",
        "secretKey",
    )
}

/// A profile's `role-arn` and `role-session-name`, when it names a role to assume.
pub(super) fn read_profile_role(path: &Path) -> Option<(String, Option<String>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let field = |k: &str| {
        v.get(k)
            .and_then(|s| s.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Some((field("role-arn")?, field("role-session-name")))
}

pub(super) fn read_ini_credentials(path: &Path) -> Result<Option<Credentials>, ConfigError> {
    let Some(text) = read_if_present(path)? else {
        return Ok(None);
    };
    let mut in_default = false;
    let mut id = None;
    let mut key = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_default = section.trim() == "default";
            continue;
        }
        if !in_default {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim().to_string();
            match k.trim() {
                "secret_id" if !v.is_empty() => id = Some(v),
                "secret_key" if !v.is_empty() => key = Some(v),
                _ => {}
            }
        }
    }
    pair(
        &format!("{} [default]", path.display()),
        id,
        key,
        None,
        "secret_id",
        "secret_key",
    )
}
