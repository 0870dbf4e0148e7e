//! Load balancers and their listeners, fetched once per process for the plan-time checks.
//!
//! Every binding on a load balancer asks about the same load balancer and the same listener list;
//! the first asker fetches (the others wait for that one call) and the answer serves the rest of
//! the process. Failures are not kept, so the next asker tries again. Out-of-band changes are seen
//! by the next Terraform command, which starts a new provider process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::clb::cloud::{ClbApi, Deadline, Listener, LoadBalancer};
use crate::clb::engine::reads::ended_error;
use tencentcloud::error::ApiError;

type Slot<T> = Arc<OnceCell<Option<T>>>;

/// Per-process answers about load balancers and listeners.
pub(crate) struct Catalog {
    api: Arc<dyn ClbApi>,
    load_balancers: Mutex<HashMap<String, Slot<LoadBalancer>>>,
    listeners: Mutex<HashMap<String, Slot<Vec<Listener>>>>,
}

fn slot<T>(map: &Mutex<HashMap<String, Slot<T>>>, key: &str) -> Slot<T> {
    map.lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key.to_string())
        .or_default()
        .clone()
}

impl Catalog {
    /// Asks `api` on first use.
    pub fn new(api: Arc<dyn ClbApi>) -> Self {
        Catalog {
            api,
            load_balancers: Mutex::default(),
            listeners: Mutex::default(),
        }
    }

    /// The load balancer; `None` when it does not exist.
    pub(crate) async fn load_balancer(
        &self,
        id: &str,
        deadline: &Deadline,
    ) -> Result<Option<LoadBalancer>, ApiError> {
        let cell = slot(&self.load_balancers, id);
        let fetch = cell.get_or_try_init(|| self.api.load_balancer(id, deadline));
        match deadline.run(fetch).await {
            Ok(found) => found.cloned(),
            Err(ended) => Err(ended_error(ended, "DescribeLoadBalancers")),
        }
    }

    /// Every target group the listing shows bound on the load balancer; empty when it cannot be
    /// had (it only decides what to read together).
    pub(crate) async fn bound_target_groups(
        &self,
        load_balancer_id: &str,
        deadline: &Deadline,
    ) -> Vec<String> {
        let cell = slot(&self.listeners, load_balancer_id);
        let fetch = cell.get_or_try_init(|| self.api.listeners(load_balancer_id, deadline));
        let mut ids: Vec<String> = Vec::new();
        if let Ok(Ok(Some(all))) = deadline.run(fetch).await {
            for id in all.iter().flat_map(|l| &l.target_group_ids) {
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
        }
        ids
    }

    /// The listener of a load balancer; `None` when either does not exist.
    pub async fn listener(
        &self,
        load_balancer_id: &str,
        listener_id: &str,
        deadline: &Deadline,
    ) -> Result<Option<Listener>, ApiError> {
        let cell = slot(&self.listeners, load_balancer_id);
        let fetch = cell.get_or_try_init(|| self.api.listeners(load_balancer_id, deadline));
        match deadline.run(fetch).await {
            Ok(Ok(all)) => Ok(all
                .as_ref()
                .and_then(|all| all.iter().find(|l| l.id == listener_id).cloned())),
            Ok(Err(e)) => Err(e),
            Err(ended) => Err(ended_error(ended, "DescribeListeners")),
        }
    }
}
