//! Turns failures (API errors, failed tasks, timeouts) into diagnostics a person can act on.
//!
//! Every diagnostic names the operation, the API error code and message, the RequestId (what
//! Tencent Cloud support asks for), and what to do next. Errors are first reduced to a plain
//! [`Failure`] ([`api_failure`], [`OpError::failure`]) and then rendered by [`explain`] into a
//! [`Diagnostic`], so the wording is tested on plain values; [`report`] and [`report_unsettled`]
//! add the result to a response's diagnostics.

use crate::clb::binding::id::AssociationId;
use crate::clb::engine::OpError;
use tencentcloud::clb::TaskError;
use tencentcloud::error::ApiError;
use tfplug::diag::{Diagnostic, Diagnostics};
use tfplug::value::AttributePath;

/// The facts of one failure, however it arrived (API error envelope, failed task, transport).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failure {
    /// The API error code, e.g. `InvalidParameter.ListenerIdNotFound`; `None` for non-API failures.
    pub code: Option<String>,
    /// The message from the cloud or the client.
    pub message: String,
    /// The RequestId of the failing call (for a failed task: the task ID, which is a RequestId).
    pub request_id: Option<String>,
    /// What to do next, when the caller knows better than the error code does.
    pub advice: Option<String>,
}

/// What to do next for a given error code (prefix matches for families such as `AuthFailure.*`).
pub fn advice(code: Option<&str>) -> &'static str {
    let Some(code) = code else {
        return "Check network access to the endpoint (provider `endpoint`, `protocol`, `domain`) and run the command again; the provider checks the cloud before re-sending a write, so retrying is safe.";
    };
    match code {
        "AuthFailure.SignatureExpire" => {
            "The request timestamp was rejected: make sure this machine's clock is correct (within 5 minutes of real time)."
        }
        "AuthFailure.TokenFailure" => {
            "The temporary credentials are invalid or expired: refresh `security_token` (TENCENTCLOUD_SECURITY_TOKEN) together with its secret pair."
        }
        c if c == "AuthFailure.UnauthorizedOperation" || c.starts_with("UnauthorizedOperation") => {
            "The credentials are valid but not allowed to do this: grant the CAM policy for the CLB actions (clb:AssociateTargetGroups, clb:DisassociateTargetGroups, clb:DescribeTargetGroups, clb:DescribeListeners, clb:DescribeLoadBalancers, clb:DescribeTaskStatus)."
        }
        "AuthFailure.SecretIdNotFound" | "AuthFailure.InvalidSecretId" => {
            "Tencent Cloud does not know this SecretId (deleted, disabled, rotated, or a key of another site). Check the credentials: `secret_id`/`secret_key` in the provider block, TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY, or the profile in `shared_credentials_dir`; and that `region`, `domain` or `endpoint` point at the site the key belongs to. Nothing was changed in the cloud or in state."
        }
        c if c.starts_with("AuthFailure") => {
            "Check the credentials: `secret_id`/`secret_key` in the provider block, TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY, or the profile in `shared_credentials_dir`. Nothing was changed in the cloud or in state."
        }
        c if c.starts_with("RequestLimitExceeded") => {
            "The API rate limit was hit even after retries: lower the provider's `rate_limit`, or run terraform with a smaller -parallelism."
        }
        "FailedOperation.ResourceInOperating" => {
            "Another task is running on this load balancer (started outside this terraform run, or still finishing). Wait for it to end and run the command again."
        }
        "InvalidParameter.LBIdNotFound" => {
            "Check `load_balancer_id`: the load balancer does not exist in this region (provider `region`)."
        }
        "InvalidParameter.ListenerIdNotFound" => {
            "Check `listener_id`: the listener does not exist on this load balancer."
        }
        "InvalidParameter.LocationNotFound" => {
            "Check `location_id`: the forwarding rule does not exist on this listener (layer-7 listeners need `location_id`, layer-4 listeners must not have it)."
        }
        "ResourceNotFound" => {
            "Check `target_group_id` and the other IDs: one of them no longer exists."
        }
        "LimitExceeded" => {
            "A quota was exceeded (for example bindings per load balancer or per target group); remove unused bindings or ask for a higher quota."
        }
        "UnsupportedRegion" | "InvalidParameter.RegionNotFound" => {
            "Check the region: the resource's `region`, else the provider's `region` (or TENCENTCLOUD_REGION)."
        }
        c if c == "FailedOperation" || c.starts_with("FailedOperation.") => {
            "The cloud refused the change for the reason in the message above (for example the listener's target type, or another target group already bound there); the API documents no finer code, so fix what the message names and run the command again."
        }
        c if c.starts_with("InvalidParameter") || c.starts_with("MissingParameter") => {
            "Check the resource's arguments against the message above; `terraform plan` validates most of them before anything changes."
        }
        "InternalError" | "ServiceUnavailable" => {
            "The cloud had an internal problem. Run the command again later; if it persists, contact Tencent Cloud support with the RequestId."
        }
        _ => {
            "The provider does not know this error code, so it changed nothing and kept the state as it was. Check the credentials (`secret_id`/`secret_key` or the profile), the provider's `region`, and that the CAM policy allows the CLB actions; if the message above does not explain it, contact Tencent Cloud support with the RequestId."
        }
    }
}

/// The attribute an error code points at, when it names one.
pub(crate) fn attribute_for_code(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "InvalidParameter.LBIdNotFound" => Some("load_balancer_id"),
        "InvalidParameter.ListenerIdNotFound" => Some("listener_id"),
        "InvalidParameter.LocationNotFound" => Some("location_id"),
        _ => None,
    }
}

/// Builds the diagnostic for `failure` while doing `operation` (e.g. "bind the target group"), on
/// the attribute the error code points at, if any.
pub(crate) fn explain(operation: &str, failure: &Failure) -> Diagnostic {
    let summary = format!("Failed to {operation}");
    let mut detail = String::new();
    if let Some(code) = &failure.code {
        detail.push_str(&format!("Tencent Cloud API error {code}: "));
    }
    detail.push_str(failure.message.trim());
    if !detail.ends_with('.') {
        detail.push('.');
    }
    match &failure.request_id {
        Some(id) => detail.push_str(&format!("\nRequestId: {id}")),
        None => {
            detail.push_str("\nRequestId: none (the request did not get an answer from the API)")
        }
    }
    detail.push_str("\n\n");
    match &failure.advice {
        Some(a) => detail.push_str(a),
        None => detail.push_str(advice(failure.code.as_deref())),
    }
    let diagnostic = Diagnostic::error(summary, detail);
    match attribute_for_code(failure.code.as_deref()) {
        Some(attribute) => diagnostic.at(attribute),
        None => diagnostic,
    }
}

/// The facts of an API error: code, message and RequestId where the cloud sent them.
pub(crate) fn api_failure(e: &ApiError) -> Failure {
    match e {
        ApiError::Api {
            code,
            message,
            request_id,
        } => Failure {
            code: Some(code.clone()),
            message: message.clone(),
            request_id: Some(request_id.clone()),
            advice: None,
        },
        ApiError::DeadlineExceeded {
            action,
            last: Some(last),
        } => {
            let inner = api_failure(last);
            Failure {
                message: format!(
                    "{} ran out of time; the last attempt failed with: {}",
                    action.as_deref().unwrap_or("the operation"),
                    inner.message
                ),
                ..inner
            }
        }
        ApiError::RoleSessionRefused { session, cause } => Failure {
            advice: Some(role_session_advice(session)),
            ..api_failure(cause)
        },
        other => Failure {
            message: other.to_string(),
            ..Failure::default()
        },
    }
}

/// What to do when the cloud refused the role session the provider obtained itself (assume_role,
/// web identity, SAML), even after one fresh session: `security_token` plays no part there.
fn role_session_advice(session: &str) -> String {
    format!(
        "The cloud refused the token of the role session the provider obtained ({session}), and a fresh session was refused too (or could not be had). Usual causes: this machine's clock is off (keep it within a few minutes of real time; sessions are checked against the cloud's clock), or the role's sessions were revoked (the role was deleted, or its trust policy no longer allows this caller). Check the clock, and that the role still exists and trusts the caller (the `assume_role*` block, or the web identity token or SAML assertion it uses); then run the command again. Nothing was changed in the cloud or in state."
    )
}

impl OpError {
    /// The facts of a failed create or delete, for [`explain`].
    pub fn failure(&self) -> Failure {
        match self {
            OpError::Api(e) => api_failure(e),
            OpError::Task(TaskError::Api(e)) => api_failure(e),
            OpError::Task(TaskError::Failed { task_id, message, .. }) => Failure {
                code: None,
                message: format!("The cloud accepted the request, but its task failed: {message}"),
                request_id: Some(task_id.clone()),
                advice: Some(
                    "The request was sent once more after the first failure and its task failed again, so the cause is probably not temporary. The cloud did not change, and neither did the state. Fix the cause named above and run the command again."
                        .into(),
                ),
            },
            OpError::Task(e @ (TaskError::DeadlineExceeded { .. } | TaskError::Cancelled { .. })) => Failure {
                message: e.to_string(),
                advice: Some(
                    "The task may still complete in the cloud. Run the command again: the provider looks at the cloud first and adopts or removes the binding as needed, without duplicating it. Raise `timeouts` if the cloud is slow."
                        .into(),
                ),
                ..Failure::default()
            },
            OpError::Lock(e) => Failure {
                message: e.to_string(),
                advice: Some(
                    "Other bindings on the same load balancer took the whole timeout. Raise `timeouts`, or run again.".into(),
                ),
                ..Failure::default()
            },
            other => Failure {
                message: other.to_string(),
                ..Failure::default()
            },
        }
    }
}

/// Adds the diagnostic for a failed operation, on the attribute the error points at when any.
pub fn report(diags: &mut Diagnostics, operation: &str, id: &AssociationId, err: &OpError) {
    if let OpError::WeightConflict { existing, wanted } = err {
        diags.attribute_error(
            AttributePath::attr_root("weight"),
            "Binding already exists with another weight",
            format!(
                "The target group is already bound ({id}) with weight {}, but the configuration asks for {wanted}. Nothing was changed. Set `weight = {}` and apply again to adopt the binding (or run `terraform import <address> '{id}'`), or remove the existing binding first. If this is a weight change of a resource with `create_before_destroy`, apply it without `create_before_destroy`: the API cannot change a weight in place, so the old binding must be removed first.",
                existing.map_or("unset".to_string(), |w| w.to_string()),
                existing.map_or("null".to_string(), |w| w.to_string()),
            ),
        );
        return;
    }
    diags.add(explain(&format!("{operation} ({id})"), &err.failure()));
}

/// Adds the diagnostic for an API call that failed while doing `operation` (no binding involved,
/// e.g. a lookup), on the attribute the error points at when any.
pub(crate) fn report_api(diags: &mut Diagnostics, operation: &str, err: &ApiError) {
    diags.add(explain(operation, &api_failure(err)));
}

/// Adds the error for a create whose bind the cloud may have accepted although its result was not
/// seen (timeout, interrupt, read-back failure): the binding is recorded, so say what happens next.
pub(crate) fn report_unconfirmed_create(
    diags: &mut Diagnostics,
    id: &AssociationId,
    err: &OpError,
    task_id: Option<&str>,
) {
    let mut f = err.failure();
    // Only a RequestId says the cloud took the bind; without one it may never have arrived.
    let what = match task_id {
        Some(task) => {
            format!("The cloud accepted the bind (task {task}) but its result was not seen")
        }
        None => {
            "The bind may or may not have reached the cloud (no answer could be read)".to_string()
        }
    };
    f.advice = Some(format!("{what}, so {UNCONFIRMED_CREATE_ADVICE}"));
    let e = explain(&format!("bind the target group ({id})"), &f);
    diags.add(Diagnostic {
        attribute: None,
        ..e
    });
}

/// What happens to a binding recorded by a create that did not see its result.
const UNCONFIRMED_CREATE_ADVICE: &str = "the binding is recorded in state, marked tainted, together with what is known of the write. `terraform destroy`, or removing the resource from the configuration, unbinds it (after waiting for the task). The next apply replaces it: it unbinds and binds again, or, under `create_before_destroy`, keeps the binding as it is. Raise `timeouts.create` if the cloud is slow.";

/// Adds the warning for a refresh that could not tell whether an earlier, unconfirmed bind
/// finished: the binding stays in state as recorded.
pub(crate) fn report_unsettled(diags: &mut Diagnostics, id: &AssociationId, err: &OpError) {
    let f = err.failure();
    diags.warning(
        format!("Binding {id} not confirmed yet"),
        format!(
            "An earlier apply sent the bind, but its task has not been seen to finish: {}\n\nThe binding stays in state as recorded (tainted), so `terraform destroy` or the next apply still removes or replaces it. Run the command again later to settle it.",
            f.message
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str) -> Failure {
        Failure {
            code: Some(code.into()),
            message: "something went wrong".into(),
            request_id: Some("6f1c0b9e-0000-4000-8000-000000000001".into()),
            advice: None,
        }
    }

    #[test]
    fn carries_code_message_request_id_and_advice() {
        let e = explain(
            "bind the target group",
            &api("AuthFailure.SignatureFailure"),
        );
        assert_eq!(e.summary, "Failed to bind the target group");
        assert!(e.detail.contains("AuthFailure.SignatureFailure"));
        assert!(e.detail.contains("something went wrong"));
        assert!(
            e.detail
                .contains("RequestId: 6f1c0b9e-0000-4000-8000-000000000001")
        );
        assert!(e.detail.contains("secret_id"));
        assert_eq!(e.attribute, None);
        assert!(e.is_error());
    }

    #[test]
    fn codes_point_at_attributes() {
        for (code, attribute) in [
            ("InvalidParameter.ListenerIdNotFound", "listener_id"),
            ("InvalidParameter.LBIdNotFound", "load_balancer_id"),
            ("InvalidParameter.LocationNotFound", "location_id"),
        ] {
            assert_eq!(
                explain("x", &api(code)).attribute,
                Some(AttributePath::attr_root(attribute))
            );
        }
    }

    #[test]
    fn advice_by_family() {
        assert!(advice(Some("RequestLimitExceeded.UinLimitExceeded")).contains("rate_limit"));
        assert!(advice(Some("AuthFailure.SignatureExpire")).contains("clock"));
        assert!(advice(Some("FailedOperation.ResourceInOperating")).contains("Another task"));
        assert!(advice(None).contains("network"));
        assert!(advice(Some("Something.New")).contains("support"));
        // Unknown codes and refused credentials say what to check and that nothing changed.
        for code in ["Something.New", "AuthFailure.SecretIdNotFound"] {
            let a = advice(Some(code));
            assert!(
                a.contains("region") && a.contains("secret_id"),
                "{code}: {a}"
            );
        }
        assert!(advice(Some("Something.New")).contains("CAM policy"));
        assert!(advice(Some("UnauthorizedOperation.Sub")).contains("CAM policy"));
        assert!(advice(Some("AuthFailure.SecretIdNotFound")).contains("Nothing was changed"));
    }

    #[test]
    fn no_request_id_is_said_plainly() {
        let e = explain(
            "read the binding",
            &Failure {
                code: None,
                message: "connection refused".into(),
                ..Failure::default()
            },
        );
        assert!(e.detail.contains("RequestId: none"), "{}", e.detail);
    }

    #[test]
    fn api_errors_keep_code_and_request_id() {
        let f = api_failure(&ApiError::Api {
            code: "InvalidParameter".into(),
            message: "bad".into(),
            request_id: "r-1".into(),
        });
        assert_eq!(f.code.as_deref(), Some("InvalidParameter"));
        assert_eq!(f.request_id.as_deref(), Some("r-1"));
        let f = api_failure(&ApiError::DeadlineExceeded {
            action: Some("DescribeTargetGroups".into()),
            last: Some(Box::new(ApiError::Api {
                code: "RequestLimitExceeded".into(),
                message: "slow down".into(),
                request_id: "r-2".into(),
            })),
        });
        assert_eq!(f.code.as_deref(), Some("RequestLimitExceeded"));
        assert!(
            f.message.contains("DescribeTargetGroups ran out of time")
                && f.message.contains("slow down")
        );
        let f = api_failure(&ApiError::Cancelled);
        assert_eq!(f.code, None);
    }

    #[test]
    fn a_refused_role_session_is_not_about_security_token() {
        let refused = ApiError::Api {
            code: "AuthFailure.TokenFailure".into(),
            message: "Token error".into(),
            request_id: "r-3".into(),
        };
        // Temporary keys given by the user: renew them.
        let own = explain("read the binding", &api_failure(&refused));
        assert!(own.detail.contains("security_token"), "{}", own.detail);
        // A session the provider assumed: the session was refused; clock, revocation.
        let session = ApiError::RoleSessionRefused {
            session: "assume_role qcs::cam::uin/1:roleName/deployer".into(),
            cause: Box::new(refused),
        };
        let f = api_failure(&session);
        assert_eq!(f.code.as_deref(), Some("AuthFailure.TokenFailure"));
        assert_eq!(f.request_id.as_deref(), Some("r-3"));
        let d = explain("read the binding", &f);
        assert!(!d.detail.contains("security_token"), "{}", d.detail);
        for needle in [
            "role session",
            "roleName/deployer",
            "clock",
            "revoked",
            "Nothing was changed",
        ] {
            assert!(
                d.detail.contains(needle),
                "{needle:?} missing in {}",
                d.detail
            );
        }
    }
}
