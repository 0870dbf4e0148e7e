//! What the CLB API documents about its answers, in one place for the client and the emulator:
//! the error codes each action lists, the codes that mean "this object does not exist", how
//! many associations one call carries, and the listener modes.
//!
//! Sources: the per-action error lists of the official Go SDK (`clb/v20180317/client.go`), the
//! CLB error code table and the API 3.0 common error codes; see `docs/emulator.md`.

/// Most associations one `AssociateTargetGroups` / `DisassociateTargetGroups` call carries.
pub const MAX_ASSOCIATIONS_PER_CALL: usize = 20;

/// The codes the API lists for `action` (its own list, without the common codes).
pub(crate) fn documented_codes(action: &str) -> &'static [&'static str] {
    match action {
        "AssociateTargetGroups" => &[
            "FailedOperation",
            "FailedOperation.ResourceInOperating",
            "InternalError",
            "InvalidParameter",
            "InvalidParameterValue",
            "LimitExceeded",
            "UnauthorizedOperation",
        ],
        "DisassociateTargetGroups" => &[
            "FailedOperation",
            "FailedOperation.ResourceInOperating",
            "InternalError",
            "InvalidParameter",
            "InvalidParameterValue",
            "UnauthorizedOperation",
        ],
        "DescribeTargetGroups" => &[
            "FailedOperation",
            "InternalError",
            "InvalidParameter",
            "InvalidParameterValue",
            "UnauthorizedOperation",
        ],
        "DescribeTargetGroupList" => &[
            "InternalError",
            "InvalidParameter",
            "InvalidParameter.FormatError",
            "InvalidParameterValue",
            "UnauthorizedOperation",
        ],
        "DescribeListeners" => &[
            "FailedOperation",
            "InternalError",
            "InvalidParameter",
            "InvalidParameter.FormatError",
            "InvalidParameter.LBIdNotFound",
            "InvalidParameter.RegionNotFound",
            "InvalidParameterValue",
            "InvalidParameterValue.InvalidFilter",
            "InvalidParameterValue.Length",
            "UnauthorizedOperation",
        ],
        "DescribeLoadBalancers" => &[
            "FailedOperation",
            "InternalError",
            "InvalidParameter",
            "InvalidParameter.FormatError",
            "InvalidParameter.RegionNotFound",
            "InvalidParameterValue",
            "InvalidParameterValue.InvalidFilter",
            "InvalidParameterValue.Length",
            "InvalidParameterValue.Range",
            "UnauthorizedOperation",
            "UnsupportedOperation",
        ],
        "DescribeTaskStatus" => &[
            "FailedOperation",
            "InternalError",
            "InvalidParameter",
            "InvalidParameter.RegionNotFound",
        ],
        _ => &[],
    }
}

/// The common API 3.0 codes about the request itself (signature, action, version, rate, size,
/// region), which any action may answer although no action lists them. The common codes about
/// resources (`ResourceNotFound`, `ResourceInUse`, …) are not here: an action answers those only
/// when its own list says so.
pub(crate) const REQUEST_CODES: &[&str] = &[
    "ActionOffline",
    "AuthFailure.InvalidAuthorization",
    "AuthFailure.InvalidSecretId",
    "AuthFailure.MFAFailure",
    "AuthFailure.SecretIdNotFound",
    "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureFailure",
    "AuthFailure.TokenFailure",
    "AuthFailure.UnauthorizedOperation",
    "InternalError",
    "InvalidAction",
    "InvalidRequest",
    "MissingParameter",
    "NoSuchProduct",
    "NoSuchVersion",
    "RequestLimitExceeded",
    "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    "RequestLimitExceeded.IPLimitExceeded",
    "RequestLimitExceeded.UinLimitExceeded",
    "RequestSizeLimitExceeded",
    "ResponseSizeLimitExceeded",
    "ServiceUnavailable",
    "UnknownParameter",
    "UnsupportedProtocol",
    "UnsupportedRegion",
];

/// True when `action` may answer `code` as documented.
pub fn is_documented(action: &str, code: &str) -> bool {
    documented_codes(action).contains(&code) || REQUEST_CODES.contains(&code)
}

/// The code a documented answer uses for a refusal a detailed answer calls `code`: the code
/// itself when documented for the action, else its documented family (`InvalidParameter` for
/// `InvalidParameter.LBIdNotFound`), else the generic parameter refusal.
pub fn documented_form(action: &str, code: &str) -> &'static str {
    let documented = |c: &str| {
        documented_codes(action)
            .iter()
            .chain(REQUEST_CODES)
            .copied()
            .find(|d| *d == c)
    };
    let family = code.split('.').next().unwrap_or(code);
    documented(code)
        .or_else(|| documented(family))
        .or_else(|| documented("InvalidParameterValue"))
        .unwrap_or("InvalidParameter")
}

/// The CLB objects the provider reads, each with its own "does not exist" codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClbObject {
    /// A load balancer (`lb-…`), read with `DescribeLoadBalancers`.
    LoadBalancer,
    /// A listener (`lbl-…`), read with `DescribeListeners` on its load balancer.
    Listener,
    /// A layer-7 forwarding rule (`loc-…`) of a listener.
    Rule,
    /// A target group (`lbtg-…`), read with `DescribeTargetGroups`.
    TargetGroup,
}

/// One entry of the not-found list: an exact code, or a family written as `Prefix.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePattern {
    /// Exactly this code.
    Exact(&'static str),
    /// This code or any code below it (`ResourceNotFound` and `ResourceNotFound.…`).
    Family(&'static str),
}

impl CodePattern {
    /// True when `code` is this code (or, for a family, one below it).
    pub fn matches(&self, code: &str) -> bool {
        match *self {
            CodePattern::Exact(c) => code == c,
            CodePattern::Family(f) => {
                code == f
                    || code
                        .strip_prefix(f)
                        .is_some_and(|rest| rest.starts_with('.'))
            }
        }
    }
}

/// The only error codes that mean "this object is gone". Everything else is an error that must
/// stop refresh, plan and destroy: in particular `AuthFailure.SecretIdNotFound` names the
/// *credentials*, not the object, so a rule like "any code containing NotFound" would empty the
/// state whenever a key is rotated.
///
/// `InvalidParameter.LBIdNotFound` is documented for `DescribeListeners`; the others are CLB codes
/// the API may answer in more detail than its lists say (the emulator does with
/// `--detailed-errors`). No Describe action documents a not-found code for target groups: an
/// unknown one is left out of `TargetGroupSet`, or the call is refused with a generic code
/// (see [`refusal_names`]).
pub fn not_found_codes(object: ClbObject) -> &'static [CodePattern] {
    use CodePattern::*;
    match object {
        ClbObject::LoadBalancer => &[Exact("InvalidParameter.LBIdNotFound")],
        // A listener is gone when it is unknown, or when its load balancer is.
        ClbObject::Listener => &[
            Exact("InvalidParameter.LBIdNotFound"),
            Exact("InvalidParameter.ListenerIdNotFound"),
        ],
        // A rule is gone with its listener or load balancer, or on its own.
        ClbObject::Rule => &[
            Exact("InvalidParameter.LBIdNotFound"),
            Exact("InvalidParameter.ListenerIdNotFound"),
            Exact("InvalidParameter.LocationNotFound"),
        ],
        ClbObject::TargetGroup => &[Family("ResourceNotFound")],
    }
}

/// True when a generic parameter refusal (`InvalidParameter`, `InvalidParameterValue`) names
/// `id` in its message: how the documented API says which of the IDs it was given it refuses.
pub fn refusal_names(code: &str, message: &str, id: &str) -> bool {
    let family = code.split('.').next().unwrap_or(code);
    matches!(family, "InvalidParameter" | "InvalidParameterValue")
        && message
            .match_indices(id)
            .any(|(at, _)| !message[at + id.len()..].starts_with(is_id_char))
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// A listener's (or rule's) `TargetType`: what it forwards to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenerMode {
    /// `NODE`: backend instances directly.
    Node,
    /// `TARGETGROUP`: (v1) target groups.
    TargetGroup,
    /// `TARGETGROUP-V2`: v2 target groups.
    TargetGroupV2,
    /// `POLARIS`: the Polaris service registry.
    Polaris,
    /// A value the API reference does not list, kept as the cloud wrote it.
    Other(String),
}

impl ListenerMode {
    /// Every documented mode, as written on the wire.
    pub const DOCUMENTED: [&'static str; 4] = ["NODE", "TARGETGROUP", "TARGETGROUP-V2", "POLARIS"];

    /// Reads the wire value (case-insensitive); `None` when the cloud reported none.
    pub fn from_api(value: Option<&str>) -> Option<Self> {
        let v = value?.trim();
        if v.is_empty() {
            return None;
        }
        Some(match v.to_ascii_uppercase().as_str() {
            "NODE" => ListenerMode::Node,
            "TARGETGROUP" => ListenerMode::TargetGroup,
            "TARGETGROUP-V2" => ListenerMode::TargetGroupV2,
            "POLARIS" => ListenerMode::Polaris,
            _ => ListenerMode::Other(v.to_string()),
        })
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            ListenerMode::Node => "NODE",
            ListenerMode::TargetGroup => "TARGETGROUP",
            ListenerMode::TargetGroupV2 => "TARGETGROUP-V2",
            ListenerMode::Polaris => "POLARIS",
            ListenerMode::Other(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detailed_codes_fold_into_each_actions_documented_ones() {
        let a = "AssociateTargetGroups";
        assert_eq!(
            documented_form(a, "InvalidParameter.LBIdNotFound"),
            "InvalidParameter"
        );
        assert_eq!(
            documented_form(a, "InvalidParameterValue.Range"),
            "InvalidParameterValue"
        );
        assert_eq!(
            documented_form(a, "ResourceNotFound"),
            "InvalidParameterValue"
        );
        assert_eq!(documented_form(a, "LimitExceeded"), "LimitExceeded");
        assert_eq!(
            documented_form(a, "AuthFailure.SignatureFailure"),
            "AuthFailure.SignatureFailure"
        );
        assert_eq!(
            documented_form(a, "FailedOperation.ResourceInOperating"),
            "FailedOperation.ResourceInOperating"
        );
        let l = "DescribeListeners";
        assert_eq!(
            documented_form(l, "InvalidParameter.LBIdNotFound"),
            "InvalidParameter.LBIdNotFound"
        );
        assert_eq!(
            documented_form("DisassociateTargetGroups", "LimitExceeded"),
            "InvalidParameterValue"
        );
        assert_eq!(
            documented_form("DescribeTaskStatus", "InvalidParameterValue"),
            "InvalidParameter"
        );
        for action in [
            "AssociateTargetGroups",
            "DescribeTargetGroups",
            "DescribeTaskStatus",
        ] {
            for code in [
                "InvalidParameter.LocationNotFound",
                "ResourceNotFound",
                "InvalidParameterValue.Duplicate",
            ] {
                assert!(
                    is_documented(action, documented_form(action, code)),
                    "{action} {code}"
                );
            }
        }
    }

    #[test]
    fn a_refusal_names_an_id_only_as_a_whole_word() {
        let m = "TargetGroupIds.1: target group lbtg-gone0001 does not exist.";
        assert!(refusal_names("InvalidParameterValue", m, "lbtg-gone0001"));
        assert!(!refusal_names("InvalidParameterValue", m, "lbtg-gone"));
        assert!(!refusal_names("AuthFailure", m, "lbtg-gone0001"));
    }

    #[test]
    fn listener_modes_keep_unknown_values() {
        for v in ListenerMode::DOCUMENTED {
            assert_eq!(ListenerMode::from_api(Some(v)).unwrap().as_str(), v);
        }
        assert_eq!(
            ListenerMode::from_api(Some("targetgroup-v2")),
            Some(ListenerMode::TargetGroupV2)
        );
        assert_eq!(
            ListenerMode::from_api(Some("MESH")),
            Some(ListenerMode::Other("MESH".into()))
        );
        assert_eq!(ListenerMode::from_api(None), None);
        assert_eq!(ListenerMode::from_api(Some("")), None);
    }
}
