//! Client-side rate limiting: one token bucket per action, shared by every clone of a client.
//!
//! The bucket holds a single token and refills at the configured rate, i.e. requests of one action
//! are spaced at least `1/rate` apart. A larger burst would let twice the rate through in some
//! one-second windows, which is exactly what the service's per-second limit rejects.
//!
//! Each caller reserves its slot under a short lock and then sleeps until that slot, so waiting
//! costs no CPU and callers are served in arrival order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// Default requests per second per action (the documented CLB limit).
pub const DEFAULT_RATE_PER_SECOND: u32 = 20;

/// Per-action request spacing.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    interval: Option<Duration>,
    // Next free slot per action.
    next_slot: Arc<Mutex<HashMap<String, Instant>>>,
}

/// The slot for this request would come after the caller's deadline; nothing was reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotAfterDeadline;

impl RateLimiter {
    /// A limiter allowing `per_second` requests per second for each action; 0 disables limiting.
    pub fn new(per_second: u32) -> Self {
        let interval = (per_second > 0).then(|| Duration::from_secs(1) / per_second);
        RateLimiter {
            interval,
            next_slot: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Reserves the next slot for `action` unless it lies after `deadline`; returns when to send.
    pub fn reserve(&self, action: &str, deadline: Instant) -> Result<Instant, SlotAfterDeadline> {
        let now = Instant::now();
        let Some(interval) = self.interval else {
            return Ok(now);
        };
        // A poisoned lock only means another thread panicked mid-update of a plain map of
        // instants; the data is still usable.
        let mut slots = self.next_slot.lock().unwrap_or_else(|p| p.into_inner());
        let slot = slots.get(action).copied().map_or(now, |s| s.max(now));
        if slot > deadline {
            return Err(SlotAfterDeadline);
        }
        slots.insert(action.to_string(), slot + interval);
        Ok(slot)
    }

    /// Waits for the next slot of `action` (no deadline).
    pub async fn acquire(&self, action: &str) {
        let far = Instant::now() + Duration::from_secs(86_400 * 365);
        if let Ok(at) = self.reserve(action, far) {
            tokio::time::sleep_until(at).await;
        }
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
    async fn slot_after_deadline_is_refused_without_reserving() {
        let limiter = RateLimiter::new(1);
        let now = Instant::now();
        assert_eq!(limiter.reserve("A", now), Ok(now));
        assert_eq!(limiter.reserve("A", now), Err(SlotAfterDeadline));
        assert_eq!(
            limiter.reserve("A", now + Duration::from_secs(1)),
            Ok(now + Duration::from_secs(1))
        );
    }
}
