//! `allowed_account_ids` / `forbidden_account_ids`: which account the final credentials act in,
//! asked of STS once, before any CLB call.

use super::{CredentialOptions, CredentialProvider};
use crate::error::ConfigError;
use crate::sts::{CallerIdentity, StsClient};

/// `allowed_account_ids` / `forbidden_account_ids`: asks STS who the credentials belong to.
pub(super) async fn check_account(
    opts: &CredentialOptions,
    sts: &StsClient,
    provider: &CredentialProvider,
) -> Result<CallerIdentity, ConfigError> {
    let setting = if opts.allowed_account_ids.is_empty() {
        "forbidden_account_ids"
    } else {
        "allowed_account_ids"
    };
    let fail = |detail: String| ConfigError::Setting {
        setting: setting.to_string(),
        detail,
    };
    let creds = provider
        .current()
        .await
        .map_err(|e| fail(format!("cannot check the account: {e}")))?;
    let me = sts.get_caller_identity(&creds).await.map_err(|e| {
        fail(format!(
            "cannot check the account: STS GetCallerIdentity at {} failed: {e}. Check sts_endpoint (or endpoint/domain) and the credentials.",
            sts.endpoint().url
        ))
    })?;
    let account = me.account_id.trim();
    if account.is_empty() {
        return Err(fail(
            "STS GetCallerIdentity returned no AccountId; the account cannot be checked.".into(),
        ));
    }
    if !opts.allowed_account_ids.is_empty()
        && !opts.allowed_account_ids.iter().any(|a| a.trim() == account)
    {
        return Err(fail(format!(
            "the credentials in use act in account {account} ({}), which is not in allowed_account_ids {:?}. Use credentials (or a role) of an allowed account, or add {account} to the list if it is meant to be managed here.",
            me.arn, opts.allowed_account_ids
        )));
    }
    if opts
        .forbidden_account_ids
        .iter()
        .any(|a| a.trim() == account)
    {
        return Err(ConfigError::Setting {
            setting: "forbidden_account_ids".into(),
            detail: format!(
                "the credentials in use act in account {account} ({}), which forbidden_account_ids lists. Use credentials (or a role) of another account.",
                me.arn
            ),
        });
    }
    tracing::debug!(account, arn = %me.arn, "account check passed");
    Ok(me)
}
