//! Offline checks on attribute values: ID shapes and the weight range.
//!
//! These run at `terraform validate`/`plan` time without any API call; each returns a
//! sentence that says what is wrong and what a valid value looks like.

use crate::clb::binding::id::has_id_shape;
use crate::clb::cloud::Weight;
use tencentcloud::clb::rules;

pub use tencentcloud::clb::rules::{WEIGHT_MAX, WEIGHT_MIN};

/// The kinds of cloud IDs the resource takes, with their prefixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// `lb-…`
    LoadBalancer,
    /// `lbl-…`
    Listener,
    /// `loc-…`
    Location,
    /// `lbtg-…`
    TargetGroup,
}

impl IdKind {
    /// The prefix every ID of this kind starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::LoadBalancer => "lb-",
            IdKind::Listener => "lbl-",
            IdKind::Location => "loc-",
            IdKind::TargetGroup => "lbtg-",
        }
    }

    /// What the ID names, for messages.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            IdKind::LoadBalancer => "load balancer",
            IdKind::Listener => "listener",
            IdKind::Location => "forwarding rule",
            IdKind::TargetGroup => "target group",
        }
    }
}

/// Checks that `value` is an ID of `kind`: its prefix followed by letters and digits.
pub(crate) fn check_id(kind: IdKind, value: &str) -> Result<(), String> {
    if has_id_shape(value, kind.prefix()) {
        return Ok(());
    }
    let hint = if value.contains('#') {
        " It contains '#': pass the plain ID (for example `tencentcloud_clb_listener.x.listener_id`), not a composite resource ID."
    } else {
        ""
    };
    Err(format!(
        "{value:?} is not a {noun} ID. A {noun} ID starts with {prefix:?} followed by letters and digits, for example \"{prefix}1a2b3c4d\".{hint}",
        noun = kind.noun(),
        prefix = kind.prefix(),
    ))
}

/// Checks that `value` has the shape of a region code: lowercase letters and digits in at
/// least two parts joined by '-', starting with a letter (`ap-shanghai`, `na-siliconvalley`,
/// `ap-shanghai-fsi`). Whether the cloud knows the region is the cloud's answer.
pub(crate) fn check_region(value: &str) -> Result<(), String> {
    let parts: Vec<&str> = value.split('-').collect();
    let shaped = value.len() <= 40
        && value.starts_with(|c: char| c.is_ascii_lowercase())
        && parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if shaped {
        return Ok(());
    }
    Err(format!(
        "{:?} is not a region. A region is lowercase letters and digits joined by '-', for example \"ap-shanghai\" or \"na-siliconvalley\".",
        tfplug::value::excerpt(value, 100)
    ))
}

/// Checks that a weight is within the range the API accepts.
pub(crate) fn check_weight(weight: Weight) -> Result<(), String> {
    if rules::weight_in_range(weight) {
        Ok(())
    } else {
        Err(format!(
            "weight is {weight}, but it must be between {WEIGHT_MIN} and {WEIGHT_MAX} (inclusive). Omit it to use the cloud's default of 10."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(check_id(IdKind::LoadBalancer, "lb-demo0001").is_ok());
        assert!(check_id(IdKind::Listener, "lbl-tcp00001").is_ok());
        assert!(check_id(IdKind::Location, "loc-web00001").is_ok());
        assert!(check_id(IdKind::TargetGroup, "lbtg-web00001").is_ok());
        let e = check_id(IdKind::Listener, "lb-demo0001").unwrap_err();
        assert!(
            e.contains("not a listener ID") && e.contains("\"lbl-\""),
            "{e}"
        );
        let e = check_id(IdKind::Listener, "lb-1#lbl-2").unwrap_err();
        assert!(e.contains("contains '#'"), "{e}");
        assert!(check_id(IdKind::TargetGroup, "").is_err());
        assert!(check_id(IdKind::TargetGroup, "lbtg-").is_err());
    }

    #[test]
    fn regions() {
        for ok in [
            "ap-shanghai",
            "na-siliconvalley",
            "ap-shanghai-fsi",
            "eu-frankfurt",
        ] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "shanghai",
            "AP-Shanghai",
            "ap-",
            "-ap",
            "ap--x",
            "ap shanghai",
            "1p-x",
        ] {
            let e = check_region(bad).unwrap_err();
            assert!(
                e.contains("is not a region") && e.contains("ap-shanghai"),
                "{e}"
            );
        }
    }

    #[test]
    fn weights() {
        assert!(check_weight(0).is_ok());
        assert!(check_weight(100).is_ok());
        assert!(check_weight(10).is_ok());
        assert!(check_weight(-1).unwrap_err().contains("between 0 and 100"));
        assert!(check_weight(101).is_err());
    }
}
