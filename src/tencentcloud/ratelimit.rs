//! Client-side rate limiting: one bucket per action, shared by every clone of a client.
//!
//! For a limit of R requests per second the bucket holds B = R/4 tokens (at least 1) and refills
//! R − B of them per second (R when B is 1). Any one-second window then sees at most B + (R − B)
//! = R requests, which is what the service's per-second limit allows, while a handful of calls
//! that arrive together (one per load balancer when their tasks end at the same moment) go out
//! at once instead of 1/R apart. The price is a sustained rate of R − B per second.
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

/// Tokens left and when they were counted.
#[derive(Debug, Clone, Copy)]
struct Tokens {
    left: f64,
    at: Instant,
}

/// One action's tokens (`None`: full), behind a fair async mutex.
type Bucket = Arc<tokio::sync::Mutex<Option<Tokens>>>;

/// Per-action request spacing.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    /// Time to refill one token; `None` disables limiting.
    interval: Option<Duration>,
    burst: f64,
    // Earliest next grant per action; the async mutex doubles as the FIFO queue of waiters.
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

/// The next grant for this request would come after the caller's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotAfterDeadline;

impl RateLimiter {
    /// A limiter allowing `per_second` requests per second for each action; 0 disables limiting.
    pub fn new(per_second: u32) -> Self {
        let burst = (per_second / 4).max(1);
        let refill = if burst > 1 {
            per_second - burst
        } else {
            per_second
        };
        let interval = (per_second > 0).then(|| Duration::from_secs(1) / refill);
        RateLimiter {
            interval,
            burst: f64::from(burst),
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
        let mut tokens = tokio::time::timeout_at(deadline, bucket.lock())
            .await
            .map_err(|_| SlotAfterDeadline)?;
        let now = Instant::now();
        let mut t = tokens.unwrap_or(Tokens {
            left: self.burst,
            at: now,
        });
        t.left = (t.left + (now - t.at).as_secs_f64() / interval.as_secs_f64()).min(self.burst);
        t.at = now;
        if t.left < 1.0 {
            let at = now + interval.mul_f64(1.0 - t.left);
            if at > deadline {
                *tokens = Some(t);
                return Err(SlotAfterDeadline);
            }
            tokio::time::sleep_until(at).await;
            t = Tokens { left: 1.0, at };
        }
        t.left -= 1.0;
        *tokens = Some(t);
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
        // Not slower than needed either: 5 at once, then 15/s: 195 more take 13 s.
        assert!(times[4] == Duration::ZERO, "the burst goes at once");
        assert!(times[199] <= Duration::from_millis(13_000));
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
    async fn a_stall_releases_no_more_than_the_burst() {
        let limiter = RateLimiter::new(20);
        limiter.acquire("A").await;
        // Nobody asks for a while; then many ask at once: the burst of 5, then one per 1/15 s.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..25 {
            limiter.acquire("A").await;
            times.push(Instant::now() - start);
        }
        assert!(times[..5].iter().all(|t| t.is_zero()), "{times:?}");
        assert!(times[5] > Duration::ZERO, "{times:?}");
        for w in times.windows(21) {
            assert!(w[20] - w[0] >= Duration::from_secs(1), "{w:?}");
        }
    }
}
