//! Client-side rate limiting: a sliding window per action, shared by every clone of a client.
//!
//! For a limit of R requests per second, a request is sent only when fewer than R of the same
//! action were sent in the last [`WINDOW`] (a second plus a margin for the network's jitter, so
//! the service, which counts arrivals, never sees R + 1 within one second). That is what a
//! service counting per second, or a token bucket of R tokens refilled at R per second (the
//! emulator's), accepts; and calls that arrive together, such as one status poll per load
//! balancer when their tasks end in the same round, go out at once instead of 1/R apart.
//!
//! Waiters queue on a fair async mutex per action; only the head of the queue sleeps, until its
//! grant time, so waiting costs no CPU and callers are served in arrival order. Grant times are
//! recorded when actually granted, so a stalled runtime cannot release more than R at once.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// Default requests per second per action (the documented CLB limit).
pub(crate) const DEFAULT_RATE_PER_SECOND: u32 = 20;

/// The window the limit counts over: one second and a margin.
pub(crate) const WINDOW: Duration = Duration::from_millis(1050);

/// One action's recent grant times, oldest first, behind a fair async mutex.
type Window = Arc<tokio::sync::Mutex<VecDeque<Instant>>>;

/// Per-action request spacing.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    /// Requests per window; 0 disables limiting.
    per_window: usize,
    windows: Arc<Mutex<HashMap<String, Window>>>,
}

/// The next grant for this request would come after the caller's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SlotAfterDeadline;

impl RateLimiter {
    /// A limiter allowing `per_second` requests per second for each action; 0 disables limiting.
    pub fn new(per_second: u32) -> Self {
        RateLimiter {
            per_window: per_second as usize,
            windows: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn window(&self, action: &str) -> Window {
        // A poisoned lock only means another thread panicked while inserting into a plain map;
        // the map is still usable.
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        windows.entry(action.to_string()).or_default().clone()
    }

    /// Waits for permission to send one `action` request, unless that would be after `deadline`.
    ///
    /// Cancel-safe: dropping the future gives up the place in the queue without using a grant.
    pub(crate) async fn acquire_before(
        &self,
        action: &str,
        deadline: Instant,
    ) -> Result<(), SlotAfterDeadline> {
        if self.per_window == 0 {
            return Ok(());
        }
        let window = self.window(action);
        let mut sent = tokio::time::timeout_at(deadline, window.lock())
            .await
            .map_err(|_| SlotAfterDeadline)?;
        let now = Instant::now();
        while sent.front().is_some_and(|t| *t + WINDOW <= now) {
            sent.pop_front();
        }
        if sent.len() >= self.per_window {
            // The oldest of the last R leaves the window then.
            let at = sent[sent.len() - self.per_window] + WINDOW;
            if at > deadline {
                return Err(SlotAfterDeadline);
            }
            tokio::time::sleep_until(at).await;
        }
        sent.push_back(Instant::now());
        if sent.len() > self.per_window {
            sent.pop_front();
        }
        Ok(())
    }

    /// Waits for permission to send one `action` request (no deadline); the tests' shorthand.
    #[cfg(test)]
    async fn acquire(&self, action: &str) {
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
        // Not slower than needed either: 20 at once, then 20 per window: 180 more take 9.
        assert!(times[19] == Duration::ZERO, "the first 20 go at once");
        assert!(times[20] > Duration::ZERO);
        assert!(times[199] <= WINDOW * 9);
    }

    #[tokio::test(start_paused = true)]
    async fn actions_have_separate_buckets_and_zero_disables() {
        let limiter = RateLimiter::new(1);
        let start = Instant::now();
        limiter.acquire("A").await;
        limiter.acquire("B").await;
        assert_eq!(Instant::now(), start);
        limiter.acquire("A").await;
        assert_eq!(Instant::now() - start, WINDOW);

        let off = RateLimiter::new(0);
        for _ in 0..100 {
            off.acquire("A").await;
        }
        assert_eq!(Instant::now() - start, WINDOW);
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
        assert_eq!(limiter.acquire_before("A", now + WINDOW).await, Ok(()));
        assert_eq!(Instant::now(), now + WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stall_releases_no_more_than_the_limit() {
        let limiter = RateLimiter::new(20);
        limiter.acquire("A").await;
        // Nobody asks for a while; then many ask at once: 20 at once, then 20 a window later.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..45 {
            limiter.acquire("A").await;
            times.push(Instant::now() - start);
        }
        assert!(times[..20].iter().all(|t| t.is_zero()), "{times:?}");
        assert_eq!(times[20], WINDOW, "{times:?}");
        for w in times.windows(21) {
            assert!(w[20] - w[0] >= Duration::from_secs(1), "{w:?}");
        }
    }
}
