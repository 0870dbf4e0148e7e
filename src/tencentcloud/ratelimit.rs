//! Client-side rate limiting: one bucket per action, shared by every clone of a client.
//!
//! The bucket holds a single token and refills at the configured rate, i.e. requests of one action
//! are granted at least `1/rate` apart. A larger burst would let twice the rate through in some
//! one-second windows, which is exactly what the service's per-second limit rejects.
//!
//! Waiters queue on a fair async mutex per action; only the head of the queue sleeps, until its
//! grant time, so waiting costs no CPU and callers are served in arrival order. The next grant is
//! computed from the moment the previous one was actually granted, so a stalled runtime cannot
//! release a burst of overdue requests at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// Default requests per second per action (the documented CLB limit).
pub const DEFAULT_RATE_PER_SECOND: u32 = 20;

/// One action's queue: the earliest instant of the next grant, behind a fair async mutex.
type Bucket = Arc<tokio::sync::Mutex<Option<Instant>>>;

/// Per-action request spacing.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    interval: Option<Duration>,
    // Earliest next grant per action; the async mutex doubles as the FIFO queue of waiters.
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

/// The next grant for this request would come after the caller's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotAfterDeadline;

impl RateLimiter {
    /// A limiter allowing `per_second` requests per second for each action; 0 disables limiting.
    pub fn new(per_second: u32) -> Self {
        let interval = (per_second > 0).then(|| Duration::from_secs(1) / per_second);
        RateLimiter {
            interval,
            buckets: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn bucket(&self, action: &str) -> Bucket {
        // A poisoned lock only means another thread panicked while inserting into a plain map;
        // the map is still usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        buckets.entry(action.to_string()).or_default().clone()
    }

    /// Waits for permission to send one `action` request, unless that would be after `deadline`.
    ///
    /// Cancel-safe: dropping the future gives up the place in the queue without using a grant.
    pub async fn acquire_before(
        &self,
        action: &str,
        deadline: Instant,
    ) -> Result<(), SlotAfterDeadline> {
        let Some(interval) = self.interval else {
            return Ok(());
        };
        let bucket = self.bucket(action);
        let mut next = tokio::time::timeout_at(deadline, bucket.lock())
            .await
            .map_err(|_| SlotAfterDeadline)?;
        if let Some(at) = *next {
            if at > deadline {
                return Err(SlotAfterDeadline);
            }
            tokio::time::sleep_until(at).await;
        }
        *next = Some(Instant::now() + interval);
        Ok(())
    }

    /// Waits for permission to send one `action` request (no deadline).
    pub async fn acquire(&self, action: &str) {
        let far = Instant::now() + Duration::from_secs(86_400 * 365);
        // Cannot fail: nothing is queued for a year.
        let _ = self.acquire_before(action, far).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn two_hundred_concurrent_acquires_are_spaced_at_the_rate() {
        let limiter = RateLimiter::new(20);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let l = limiter.clone();
            tasks.push(tokio::spawn(async move {
                l.acquire("DescribeTaskStatus").await;
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap() - start);
        }
        times.sort();
        for w in times.windows(21) {
            assert!(
                w[20] - w[0] >= Duration::from_secs(1),
                "21 requests within one second: {:?}",
                w
            );
        }
        // Not slower than needed either: 200 requests at 20/s take just under 10 s.
        assert!(times[199] < Duration::from_millis(10_000));
    }

    #[tokio::test(start_paused = true)]
    async fn actions_have_separate_buckets_and_zero_disables() {
        let limiter = RateLimiter::new(1);
        let start = Instant::now();
        limiter.acquire("A").await;
        limiter.acquire("B").await;
        assert_eq!(Instant::now(), start);
        limiter.acquire("A").await;
        assert_eq!(Instant::now() - start, Duration::from_secs(1));

        let off = RateLimiter::new(0);
        for _ in 0..100 {
            off.acquire("A").await;
        }
        assert_eq!(Instant::now() - start, Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn grant_after_deadline_is_refused_without_using_it() {
        let limiter = RateLimiter::new(1);
        let now = Instant::now();
        assert_eq!(limiter.acquire_before("A", now).await, Ok(()));
        assert_eq!(
            limiter.acquire_before("A", now).await,
            Err(SlotAfterDeadline)
        );
        assert_eq!(
            limiter
                .acquire_before("A", now + Duration::from_secs(1))
                .await,
            Ok(())
        );
        assert_eq!(Instant::now(), now + Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_stall_does_not_release_a_burst() {
        let limiter = RateLimiter::new(10);
        limiter.acquire("A").await;
        // Nobody asks for a while; then many ask at once: still one per 100 ms.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        for i in 0..5u32 {
            limiter.acquire("A").await;
            assert_eq!(Instant::now() - start, Duration::from_millis(100) * i);
        }
    }
}
