//! The API actions the emulator implements, parsed once from `X-TC-Action` so every dispatch on
//! them is an exhaustive `match`.

/// One implemented CLB action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Binds target groups (asynchronous).
    AssociateTargetGroups,
    /// Unbinds target groups (asynchronous).
    DisassociateTargetGroups,
    /// Status of an asynchronous task.
    DescribeTaskStatus,
    /// Target groups with their bindings.
    DescribeTargetGroups,
    /// Target groups without their bindings.
    DescribeTargetGroupList,
    /// Listeners of a load balancer.
    DescribeListeners,
    /// Load balancers.
    DescribeLoadBalancers,
}

/// Metrics key for a call whose `X-TC-Action` names no implemented action.
pub(crate) const UNKNOWN_ACTION: &str = "(unknown)";
/// Metrics key for a call without `X-TC-Action`.
pub(crate) const NO_ACTION: &str = "(none)";

impl Action {
    /// Every implemented action.
    pub const ALL: [Action; 7] = [
        Action::AssociateTargetGroups,
        Action::DisassociateTargetGroups,
        Action::DescribeTaskStatus,
        Action::DescribeTargetGroups,
        Action::DescribeTargetGroupList,
        Action::DescribeListeners,
        Action::DescribeLoadBalancers,
    ];

    /// The action's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Action::AssociateTargetGroups => "AssociateTargetGroups",
            Action::DisassociateTargetGroups => "DisassociateTargetGroups",
            Action::DescribeTaskStatus => "DescribeTaskStatus",
            Action::DescribeTargetGroups => "DescribeTargetGroups",
            Action::DescribeTargetGroupList => "DescribeTargetGroupList",
            Action::DescribeListeners => "DescribeListeners",
            Action::DescribeLoadBalancers => "DescribeLoadBalancers",
        }
    }

    /// True for the actions that change the world (they start a task).
    pub(crate) fn is_write(self) -> bool {
        matches!(
            self,
            Action::AssociateTargetGroups | Action::DisassociateTargetGroups
        )
    }

    /// The action named exactly `name`, if the emulator implements it.
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The key a call is counted under in the metrics: the action's name, or one of two fixed
    /// keys, so arbitrary `X-TC-Action` values cannot grow the metrics without bound.
    pub(crate) fn metrics_key(header: &str) -> &'static str {
        match Action::parse(header) {
            Some(a) => a.name(),
            None if header.is_empty() => NO_ACTION,
            None => UNKNOWN_ACTION,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_nothing_else_parses() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.name()), Some(a));
        }
        for bad in [
            "",
            "associateTargetGroups",
            "AssociateTargetGroups ",
            "DeleteLoadBalancer",
        ] {
            assert_eq!(Action::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Action::metrics_key("Nope"), UNKNOWN_ACTION);
        assert_eq!(Action::metrics_key(""), NO_ACTION);
        assert_eq!(
            Action::metrics_key("DescribeListeners"),
            "DescribeListeners"
        );
    }
}
