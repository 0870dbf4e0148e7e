//! One benchmark case and the physical floor of its write phases.

use std::time::Duration;

use crate::world::Layout;

/// At most this many associations go into one `AssociateTargetGroups` /
/// `DisassociateTargetGroups` call.
pub const BATCH_LIMIT: usize = 20;

/// One point of the matrix.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// Bindings and how they are spread.
    pub layout: Layout,
    /// The emulator's task time.
    pub task_time: Duration,
    /// `terraform -parallelism`.
    pub parallelism: usize,
}

impl Case {
    /// The shortest possible apply or destroy. Two bounds, the larger wins:
    /// - per load balancer, one task at a time of at most 20 associations:
    ///   `ceil(N_per_LB / 20)` tasks in a row (load balancers run in parallel);
    /// - Terraform runs at most `-parallelism` bindings at once, across all load balancers,
    ///   and each binding's operation lasts at least one task: `ceil(N / parallelism)` rounds.
    ///
    /// On one load balancer that is `ceil(N / min(parallelism, 20)) x T`.
    pub fn write_floor(&self) -> Duration {
        let per_lb_tasks = self.layout.per_load_balancer().div_ceil(BATCH_LIMIT);
        let terraform_rounds = self.layout.bindings.div_ceil(self.parallelism.max(1));
        self.task_time * per_lb_tasks.max(terraform_rounds) as u32
    }

    /// A short name for logs and directories.
    pub fn slug(&self) -> String {
        format!(
            "n{}-lb{}-t{}ms-p{}",
            self.layout.bindings,
            self.layout.load_balancers,
            self.task_time.as_millis(),
            self.parallelism
        )
    }
}
