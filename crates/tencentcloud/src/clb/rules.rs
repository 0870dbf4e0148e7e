//! The cloud's rules for binding a target group, as pure functions.
//!
//! One implementation serves both sides: the provider's plan-time checks (`crate::clb::checks`)
//! and the emulator's `AssociateTargetGroups` validation call these, so a binding the plan accepts
//! is one the emulator accepts, and the other way round. Each side words its own message (a
//! Terraform diagnostic on an attribute, or the API's error code); the decision lives here.
//! Source: the AssociateTargetGroups API page (see `docs/emulator.md`).

use super::Weight;
use super::codes::ListenerMode;

/// Target group version: v2 bindings carry a weight, v1 (legacy) ones do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetGroupType {
    /// Legacy target group.
    V1,
    /// New-style target group.
    V2,
}

impl TargetGroupType {
    /// Reads the API's `TargetGroupType` field. The cloud reports `v1` or `v2`; a group that does
    /// not say is legacy, the stricter reading.
    pub fn from_api(value: Option<&str>) -> Self {
        match value {
            Some(t) if t.eq_ignore_ascii_case("v2") => TargetGroupType::V2,
            _ => TargetGroupType::V1,
        }
    }
}

/// Which layer a listener works at, which decides what a target group binds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// TCP, UDP, TCP_SSL, QUIC: the target group binds to the listener itself.
    Four,
    /// HTTP, HTTPS: the target group binds to one forwarding rule (`LocationId`).
    Seven,
}

impl Layer {
    /// The layer of a listener protocol (case-insensitive). Only HTTP and HTTPS have
    /// forwarding rules.
    pub fn of_protocol(protocol: &str) -> Self {
        if protocol.eq_ignore_ascii_case("HTTP") || protocol.eq_ignore_ascii_case("HTTPS") {
            Layer::Seven
        } else {
            Layer::Four
        }
    }
}

/// The listener `TargetType` that turns on "backend target groups" for a layer-4 listener.
pub const TARGET_GROUP_MODE: &str = "TARGETGROUP";

/// Smallest weight of a v2 binding.
pub const WEIGHT_MIN: Weight = 0;
/// Largest weight of a v2 binding.
pub const WEIGHT_MAX: Weight = 100;
/// Weight the cloud gives a v2 binding when the request names none.
pub const DEFAULT_WEIGHT: Weight = 10;

/// Why the cloud refuses a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A layer-7 listener binds per forwarding rule, and no rule was named.
    LocationRequired,
    /// A layer-4 listener has no forwarding rules, and one was named.
    LocationNotAllowed,
    /// A v1 target group on a layer-4 listener whose `TargetType` is not `TARGETGROUP`.
    LegacyNeedsTargetGroupMode,
    /// The target group and the load balancer are in different VPCs.
    VpcMismatch,
}

/// Whether a rule must (layer 7) or must not (layer 4) be named.
pub fn check_location(layer: Layer, has_location: bool) -> Result<(), Refusal> {
    match (layer, has_location) {
        (Layer::Seven, false) => Err(Refusal::LocationRequired),
        (Layer::Four, true) => Err(Refusal::LocationNotAllowed),
        _ => Ok(()),
    }
}

/// The layer-4 listener mode rule, the only one the API documents: a legacy (v1) target group
/// needs a layer-4 listener with backend target groups enabled (`TargetType` `TARGETGROUP`; not
/// `NODE`, `TARGETGROUP-V2`, `POLARIS` or an unreported mode). Nothing is documented for a v2
/// target group, so none is refused here: the cloud decides. Layer-7 listeners are not concerned.
pub fn check_listener_mode(
    layer: Layer,
    listener_target_type: Option<&str>,
    target_group: TargetGroupType,
) -> Result<(), Refusal> {
    let enabled = ListenerMode::from_api(listener_target_type) == Some(ListenerMode::TargetGroup);
    match (layer, target_group) {
        (Layer::Four, TargetGroupType::V1) if !enabled => Err(Refusal::LegacyNeedsTargetGroupMode),
        _ => Ok(()),
    }
}

/// The load balancer and the target group must share a VPC. An unreported VPC is not held
/// against the binding (the cloud decides then).
pub fn check_vpc(
    load_balancer_vpc: Option<&str>,
    target_group_vpc: Option<&str>,
) -> Result<(), Refusal> {
    match (load_balancer_vpc, target_group_vpc) {
        (Some(lb), Some(tg)) if lb != tg => Err(Refusal::VpcMismatch),
        _ => Ok(()),
    }
}

/// Whether a binding of this target group has a weight (v2 only; the cloud ignores one given
/// for v1).
pub fn has_weight(target_group: TargetGroupType) -> bool {
    target_group == TargetGroupType::V2
}

/// Whether `weight` is one the cloud accepts.
pub fn weight_in_range(weight: Weight) -> bool {
    (WEIGHT_MIN..=WEIGHT_MAX).contains(&weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_by_protocol() {
        for p in ["TCP", "udp", "TCP_SSL", "QUIC"] {
            assert_eq!(Layer::of_protocol(p), Layer::Four, "{p}");
        }
        for p in ["HTTP", "https"] {
            assert_eq!(Layer::of_protocol(p), Layer::Seven, "{p}");
        }
    }

    #[test]
    fn location_follows_the_layer() {
        assert_eq!(check_location(Layer::Seven, true), Ok(()));
        assert_eq!(check_location(Layer::Four, false), Ok(()));
        assert_eq!(
            check_location(Layer::Seven, false),
            Err(Refusal::LocationRequired)
        );
        assert_eq!(
            check_location(Layer::Four, true),
            Err(Refusal::LocationNotAllowed)
        );
    }

    /// The whole table of the layer-4 mode rule, as the API page states it.
    #[test]
    fn listener_mode_table() {
        use TargetGroupType::*;
        let cases = [
            (Layer::Four, Some("TARGETGROUP"), V1, true),
            (Layer::Four, Some("targetgroup"), V1, true),
            (Layer::Four, Some("NODE"), V1, false),
            (Layer::Four, Some("TARGETGROUP-V2"), V1, false),
            (Layer::Four, Some("POLARIS"), V1, false),
            (Layer::Four, Some("MESH"), V1, false),
            (Layer::Four, Some("TARGETGROUP-V2"), V2, true),
            (Layer::Four, Some("POLARIS"), V2, true),
            (Layer::Four, None, V1, false),
            (Layer::Four, Some("TARGETGROUP"), V2, true),
            (Layer::Four, Some("NODE"), V2, true),
            (Layer::Four, None, V2, true),
            (Layer::Seven, None, V1, true),
            (Layer::Seven, Some("NODE"), V1, true),
        ];
        for (layer, mode, tg, ok) in cases {
            let got = check_listener_mode(layer, mode, tg);
            assert_eq!(got.is_ok(), ok, "{layer:?} {mode:?} {tg:?}: {got:?}");
            if !ok {
                assert_eq!(got, Err(Refusal::LegacyNeedsTargetGroupMode));
            }
        }
    }

    #[test]
    fn vpc_and_weight() {
        assert_eq!(check_vpc(Some("vpc-a"), Some("vpc-a")), Ok(()));
        assert_eq!(
            check_vpc(Some("vpc-a"), Some("vpc-b")),
            Err(Refusal::VpcMismatch)
        );
        assert_eq!(check_vpc(None, Some("vpc-b")), Ok(()));
        assert!(weight_in_range(0) && weight_in_range(100));
        assert!(!weight_in_range(-1) && !weight_in_range(101));
        assert!(has_weight(TargetGroupType::V2) && !has_weight(TargetGroupType::V1));
        assert_eq!(TargetGroupType::from_api(Some("V2")), TargetGroupType::V2);
        assert_eq!(TargetGroupType::from_api(Some("v1")), TargetGroupType::V1);
        assert_eq!(TargetGroupType::from_api(None), TargetGroupType::V1);
    }
}
