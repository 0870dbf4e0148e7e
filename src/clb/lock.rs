//! Serialises writes per load balancer inside the provider process.
//!
//! The cloud runs one task at a time per load balancer and answers any other write with
//! `FailedOperation.ResourceInOperating`. Terraform applies resources in parallel, so without this
//! lock ten bindings on one load balancer would mostly fight and retry. Holding the lock from the
//! write call until its task has finished makes them queue instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tokio_util::sync::CancellationToken;

/// One async lock per load balancer ID, created on first use.
#[derive(Debug, Default, Clone)]
pub struct LoadBalancerLocks {
    locks: Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>,
}

/// Why the lock was not obtained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockError {
    /// The deadline passed while another operation on the same load balancer was running.
    #[error("timed out waiting for another operation on load balancer {0} to finish")]
    DeadlineExceeded(String),
    /// Terraform asked the provider to stop.
    #[error("cancelled while waiting for another operation on load balancer {0} to finish")]
    Cancelled(String),
}

/// Proof of holding a load balancer's lock; dropping it lets the next operation run.
#[derive(Debug)]
pub struct LoadBalancerGuard {
    _guard: OwnedMutexGuard<()>,
}

impl LoadBalancerLocks {
    /// An empty set of locks.
    pub fn new() -> Self {
        Self::default()
    }

    fn entry(&self, load_balancer_id: &str) -> Arc<AsyncMutex<()>> {
        let mut map = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(load_balancer_id.to_string())
            .or_insert_with(|| Arc::new(AsyncMutex::new(())))
            .clone()
    }

    /// Waits for the lock of `load_balancer_id`, giving up at `deadline` or on `cancel`.
    pub async fn acquire(
        &self,
        load_balancer_id: &str,
        deadline: Instant,
        cancel: &CancellationToken,
    ) -> Result<LoadBalancerGuard, LockError> {
        let mutex = self.entry(load_balancer_id);
        tokio::select! {
            guard = mutex.lock_owned() => Ok(LoadBalancerGuard { _guard: guard }),
            _ = tokio::time::sleep_until(deadline.into()) =>
                Err(LockError::DeadlineExceeded(load_balancer_id.to_string())),
            _ = cancel.cancelled() => Err(LockError::Cancelled(load_balancer_id.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[tokio::test]
    async fn same_load_balancer_is_exclusive() {
        let locks = LoadBalancerLocks::new();
        let cancel = CancellationToken::new();
        let held = locks.acquire("lb-a", far(), &cancel).await.unwrap();
        // A second acquire must wait: it times out while the first guard is held.
        let second = locks
            .acquire("lb-a", Instant::now() + Duration::from_millis(50), &cancel)
            .await;
        assert_eq!(
            second.unwrap_err(),
            LockError::DeadlineExceeded("lb-a".into())
        );
        drop(held);
        locks.acquire("lb-a", far(), &cancel).await.unwrap();
    }

    #[tokio::test]
    async fn different_load_balancers_do_not_block() {
        let locks = LoadBalancerLocks::new();
        let cancel = CancellationToken::new();
        let _a = locks.acquire("lb-a", far(), &cancel).await.unwrap();
        let _b = locks.acquire("lb-b", far(), &cancel).await.unwrap();
    }

    #[tokio::test]
    async fn cancellation_releases_the_waiter() {
        let locks = LoadBalancerLocks::new();
        let cancel = CancellationToken::new();
        let _held = locks.acquire("lb-a", far(), &cancel).await.unwrap();
        let waiter = {
            let locks = locks.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move { locks.acquire("lb-a", far(), &cancel).await.map(|_| ()) })
        };
        cancel.cancel();
        assert_eq!(
            waiter.await.unwrap(),
            Err(LockError::Cancelled("lb-a".into()))
        );
    }

    #[tokio::test]
    async fn waiters_run_one_at_a_time() {
        let locks = LoadBalancerLocks::new();
        let inside = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let max_seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (locks, inside, max_seen) = (locks.clone(), inside.clone(), max_seen.clone());
            tasks.push(tokio::spawn(async move {
                let cancel = CancellationToken::new();
                let _g = locks.acquire("lb-a", far(), &cancel).await.unwrap();
                let now = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                max_seen.fetch_max(now, std::sync::atomic::Ordering::SeqCst);
                tokio::task::yield_now().await;
                inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(max_seen.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
