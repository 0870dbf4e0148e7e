//! Per-action token buckets: each action may be called `rate` times per second, with a burst
//! of at most `rate` calls.

use std::collections::HashMap;
use std::time::Instant;

/// Token buckets keyed by action name.
#[derive(Debug)]
pub struct RateLimiter {
    rate: u32,
    buckets: HashMap<String, (f64, Instant)>,
}

impl RateLimiter {
    /// A limiter allowing `rate` calls per second per action; 0 disables limiting.
    pub fn new(rate: u32) -> Self {
        RateLimiter {
            rate,
            buckets: HashMap::new(),
        }
    }

    /// Takes a token for `action` at time `now`; false when the action is over its limit.
    pub fn allow(&mut self, action: &str, now: Instant) -> bool {
        if self.rate == 0 {
            return true;
        }
        let rate = f64::from(self.rate);
        let (tokens, last) = self
            .buckets
            .entry(action.to_string())
            .or_insert((rate, now));
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * rate).min(rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill_per_action() {
        let t0 = Instant::now();
        let mut l = RateLimiter::new(2);
        assert!(l.allow("A", t0));
        assert!(l.allow("A", t0));
        assert!(!l.allow("A", t0));
        // Another action has its own bucket.
        assert!(l.allow("B", t0));
        // Half a second refills one token at 2/s.
        assert!(l.allow("A", t0 + Duration::from_millis(500)));
        assert!(!l.allow("A", t0 + Duration::from_millis(500)));
    }

    #[test]
    fn zero_disables() {
        let mut l = RateLimiter::new(0);
        let t0 = Instant::now();
        assert!((0..1000).all(|_| l.allow("A", t0)));
    }
}
