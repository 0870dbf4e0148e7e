//! The per-load-balancer operation engine: every call the association resource makes goes
//! through here.
//!
//! - [`writes`]: binds and unbinds queue per load balancer and go out as one call of up to 20
//!   associations per task, one task per load balancer at a time, load balancers in parallel;
//!   a refused member is isolated so every binding gets its own outcome.
//! - [`reads`]: concurrent reads of target groups share `DescribeTargetGroups` calls, answers are
//!   kept briefly and invalidated by every write that touches them.
//! - [`catalog`]: load balancers and listeners for the plan-time checks, once per process.
//! - the data source's lookups of binding details go straight to the API, uncached: a data
//!   source reports the cloud as it is now.
//!
//! One [`Engine`] lives in the provider process, shared by every resource instance.

mod error;
pub use error::OpError;

pub(crate) mod catalog;
pub mod reads;
pub mod writes;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::clb::binding::id::AssociationId;
use crate::clb::cloud::{
    BindingDetail, ClbApi, Deadline, Listener, LoadBalancer, TargetGroup, TargetGroupType, Weight,
};
use tencentcloud::clb::TaskError;
use tencentcloud::error::ApiError;

pub use reads::Freshness;
use writes::Change;

/// Locks `m` even if a holder panicked: every critical section of the engine and the run memory
/// leaves its data whole, so a poisoned lock still guards consistent data.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Why an operation never got its turn on the load balancer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    /// The deadline passed while other operations on the same load balancer were running.
    #[error("timed out waiting for other operations on load balancer {0} to finish")]
    DeadlineExceeded(String),
    /// Terraform asked the provider to stop.
    #[error("cancelled while waiting for other operations on load balancer {0} to finish")]
    Cancelled(String),
}

/// Reads and writes of one provider process.
pub struct Engine {
    api: Arc<dyn ClbApi>,
    reads: Arc<reads::TargetGroupReads>,
    catalog: catalog::Catalog,
    writes: Arc<writes::Writes>,
}

impl Engine {
    /// An engine over `api`.
    pub fn new(api: Arc<dyn ClbApi>) -> Arc<Self> {
        let reads = reads::TargetGroupReads::new(api.clone());
        Arc::new(Engine {
            catalog: catalog::Catalog::new(api.clone()),
            writes: writes::Writes::new(api.clone(), reads.clone()),
            reads,
            api,
        })
    }

    /// The target group with its bindings; `None` when it does not exist.
    pub async fn target_group(
        &self,
        id: &str,
        freshness: Freshness,
        deadline: &Deadline,
    ) -> Result<Option<TargetGroup>, ApiError> {
        self.reads.get(id, Vec::new(), freshness, deadline).await
    }

    /// The target group of binding `id`, read together with the other target groups bound on its
    /// load balancer (from the listener listing, asked for once per process) when it has to be
    /// fetched: a refresh of many bindings then needs about one call per 20 target groups.
    pub async fn target_group_of(
        &self,
        id: &AssociationId,
        freshness: Freshness,
        deadline: &Deadline,
    ) -> Result<Option<TargetGroup>, ApiError> {
        let siblings =
            if freshness == Freshness::Recent && !self.reads.is_cached(&id.target_group_id) {
                self.catalog
                    .bound_target_groups(&id.load_balancer_id, deadline)
                    .await
            } else {
                Vec::new()
            };
        self.reads
            .get(&id.target_group_id, siblings, freshness, deadline)
            .await
    }

    /// The load balancer; `None` when it does not exist (asked once per process).
    pub async fn load_balancer(
        &self,
        id: &str,
        deadline: &Deadline,
    ) -> Result<Option<LoadBalancer>, ApiError> {
        self.catalog.load_balancer(id, deadline).await
    }

    /// The listener; `None` when it or its load balancer does not exist (the load balancer's
    /// listeners are asked for once per process).
    pub async fn listener(
        &self,
        load_balancer_id: &str,
        listener_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<Listener>, ApiError> {
        self.catalog
            .listener(load_balancer_id, listener_id, deadline)
            .await
    }

    /// Binds (in a batch with others on the same load balancer); returns the finished task's ID.
    pub async fn bind(
        &self,
        id: &AssociationId,
        weight: Option<Weight>,
        deadline: &Deadline,
    ) -> Result<String, OpError> {
        let kind = self.kind_of(id, deadline).await;
        self.writes
            .submit(id, Change::Bind(weight), kind, deadline)
            .await
    }

    /// Unbinds (in a batch with others on the same load balancer); returns the finished task's ID.
    pub async fn unbind(&self, id: &AssociationId, deadline: &Deadline) -> Result<String, OpError> {
        let kind = self.kind_of(id, deadline).await;
        self.writes.submit(id, Change::Unbind, kind, deadline).await
    }

    /// Waits for a task started earlier (a bind whose result an interrupted create did not see).
    pub async fn wait_task(&self, task_id: &str, deadline: &Deadline) -> Result<(), TaskError> {
        self.writes.wait_task(task_id, deadline).await
    }

    /// Every binding of a target group with its listener's and rule's details; `None` when the
    /// target group does not exist.
    pub async fn target_group_binding_details(
        &self,
        target_group_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError> {
        self.api
            .target_group_binding_details(target_group_id, deadline)
            .await
    }

    /// Every binding on the listeners of a load balancer (only on `listener_id` when given), with
    /// their details; `None` when the load balancer does not exist.
    pub async fn load_balancer_binding_details(
        &self,
        load_balancer_id: &str,
        listener_id: Option<&str>,
        deadline: &Deadline,
    ) -> Result<Option<Vec<BindingDetail>>, ApiError> {
        self.api
            .load_balancer_binding_details(load_balancer_id, listener_id, deadline)
            .await
    }

    /// v1 and v2 target groups never share a call. Unknown (not found, read failed): v2, and the
    /// cloud's refusal of the call isolates it.
    async fn kind_of(&self, id: &AssociationId, deadline: &Deadline) -> TargetGroupType {
        match self
            .reads
            .get(&id.target_group_id, Vec::new(), Freshness::Recent, deadline)
            .await
        {
            Ok(Some(tg)) => tg.kind,
            _ => TargetGroupType::V2,
        }
    }
}
