//! Asynchronous tasks: an accepted Associate/Disassociate call becomes a task that stays
//! "in progress" for the configured duration and then applies its whole change at once.

use crate::clb::world::{TargetGroupAssociation, World};
use serde::{Deserialize, Serialize};

/// Task status codes of `DescribeTaskStatus`.
pub mod status {
    /// Succeeded.
    pub const SUCCEEDED: i64 = 0;
    /// Failed.
    pub const FAILED: i64 = 1;
    /// In progress.
    pub(crate) const RUNNING: i64 = 2;
}

/// What a task changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskAction {
    /// Adds associations.
    AssociateTargetGroups,
    /// Removes associations.
    DisassociateTargetGroups,
}

/// One task, as kept in memory, in the state file and in the admin `state` view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Task {
    /// The RequestId of the call that created it.
    pub task_id: String,
    /// The change requested.
    pub action: TaskAction,
    /// The validated associations (weights already defaulted).
    pub associations: Vec<TargetGroupAssociation>,
    /// Load balancers locked while the task runs.
    pub load_balancer_ids: Vec<String>,
    /// 0 succeeded, 1 failed, 2 in progress.
    pub status: i64,
    /// Failure reason, if any.
    #[serde(default)]
    pub message: Option<String>,
    /// Unix milliseconds when accepted.
    pub created_at_ms: u64,
    /// Unix milliseconds when it completes.
    pub deadline_ms: u64,
    /// Decided at creation by the fault generator so a replay with the same seed matches.
    #[serde(default)]
    pub injected_failure: bool,
    /// With `injected_failure`: the first half of the members (rounded up) is applied before
    /// the task reports its failure, as a backend that fails midway does.
    #[serde(default)]
    pub injected_partial: bool,
}

impl Task {
    /// Whether the task is still in progress.
    pub fn running(&self) -> bool {
        self.status == status::RUNNING
    }

    /// Finishes the task: applies the change to `world` atomically, or records why it failed.
    /// Re-checks the world because the admin API may have changed it while the task ran.
    pub fn complete(&mut self, world: &mut World) {
        if self.injected_failure {
            if self.injected_partial {
                let half = self.associations.len().div_ceil(2);
                self.apply(world, half);
            }
            return self.fail("Injected fault: the backend failed to update the load balancer.");
        }
        if let Err(reason) = self.check_still_applicable(world) {
            return self.fail(&reason);
        }
        self.apply(world, self.associations.len());
        self.status = status::SUCCEEDED;
        self.message = None;
    }

    /// Applies the first `count` members (those whose change still makes sense).
    fn apply(&self, world: &mut World, count: usize) {
        for a in self.associations.iter().take(count) {
            let bound = world.associations.iter().any(|b| b.same_binding(a));
            match self.action {
                TaskAction::AssociateTargetGroups if !bound => world.associations.push(a.clone()),
                TaskAction::DisassociateTargetGroups => {
                    world.associations.retain(|b| !a.same_binding(b))
                }
                TaskAction::AssociateTargetGroups => {}
            }
        }
    }

    fn fail(&mut self, reason: &str) {
        self.status = status::FAILED;
        self.message = Some(reason.to_string());
    }

    fn check_still_applicable(&self, world: &World) -> Result<(), String> {
        for a in &self.associations {
            let listener = world
                .load_balancer(&a.load_balancer_id)
                .and_then(|lb| lb.listener(&a.listener_id));
            let target_ok = match (listener, &a.location_id) {
                (Some(l), Some(loc)) => l.rule(loc).is_some(),
                (Some(_), None) => true,
                (None, _) => false,
            };
            if !target_ok || world.target_group(&a.target_group_id).is_none() {
                return Err(format!(
                    "The listener, rule or target group of association {}/{}/{} no longer exists.",
                    a.load_balancer_id, a.listener_id, a.target_group_id
                ));
            }
            let bound = world.associations.iter().any(|b| b.same_binding(a));
            match (self.action, bound) {
                (TaskAction::AssociateTargetGroups, true) => {
                    return Err(format!(
                        "Target group {} is already bound to listener {}.",
                        a.target_group_id, a.listener_id
                    ));
                }
                (TaskAction::DisassociateTargetGroups, false) => {
                    return Err(format!(
                        "Target group {} is no longer bound to listener {}.",
                        a.target_group_id, a.listener_id
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        let mut w: World = serde_json::from_str(
            r#"{"LoadBalancers":[{"LoadBalancerId":"lb-1","VpcId":"v","Listeners":[
                {"ListenerId":"lbl-1","Protocol":"TCP","Port":80,"TargetType":"TARGETGROUP"}]}],
               "TargetGroups":[{"TargetGroupId":"lbtg-1","VpcId":"v"},{"TargetGroupId":"lbtg-2","VpcId":"v"}]}"#,
        )
        .unwrap();
        w.normalize().unwrap();
        w
    }

    fn task(action: TaskAction, tgs: &[&str]) -> Task {
        Task {
            task_id: "t".into(),
            action,
            associations: tgs
                .iter()
                .map(|tg| TargetGroupAssociation {
                    load_balancer_id: "lb-1".into(),
                    listener_id: "lbl-1".into(),
                    location_id: None,
                    target_group_id: tg.to_string(),
                    weight: None,
                })
                .collect(),
            load_balancer_ids: vec!["lb-1".into()],
            status: status::RUNNING,
            message: None,
            created_at_ms: 0,
            deadline_ms: 0,
            injected_failure: false,
            injected_partial: false,
        }
    }

    #[test]
    fn associate_then_disassociate_applies_all_at_once() {
        let mut w = world();
        let mut t = task(TaskAction::AssociateTargetGroups, &["lbtg-1", "lbtg-2"]);
        t.complete(&mut w);
        assert_eq!(t.status, status::SUCCEEDED);
        assert_eq!(w.associations.len(), 2);
        let mut t = task(TaskAction::DisassociateTargetGroups, &["lbtg-1", "lbtg-2"]);
        t.complete(&mut w);
        assert_eq!(t.status, status::SUCCEEDED);
        assert!(w.associations.is_empty());
    }

    #[test]
    fn a_task_whose_target_vanished_fails_and_changes_nothing() {
        let mut w = world();
        let mut t = task(TaskAction::AssociateTargetGroups, &["lbtg-1", "lbtg-2"]);
        w.target_groups.retain(|tg| tg.target_group_id != "lbtg-2");
        t.complete(&mut w);
        assert_eq!(t.status, status::FAILED);
        assert!(t.message.unwrap().contains("no longer exists"));
        assert!(w.associations.is_empty());
    }

    #[test]
    fn a_partial_failure_applies_the_first_half_then_fails() {
        let mut w = world();
        let mut t = task(TaskAction::AssociateTargetGroups, &["lbtg-1", "lbtg-2"]);
        t.injected_failure = true;
        t.injected_partial = true;
        t.complete(&mut w);
        assert_eq!(t.status, status::FAILED);
        assert_eq!(w.associations.len(), 1);
    }

    #[test]
    fn injected_failure_changes_nothing() {
        let mut w = world();
        let mut t = task(TaskAction::AssociateTargetGroups, &["lbtg-1"]);
        t.injected_failure = true;
        t.complete(&mut w);
        assert_eq!(t.status, status::FAILED);
        assert!(t.message.is_some());
        assert!(w.associations.is_empty());
    }
}
