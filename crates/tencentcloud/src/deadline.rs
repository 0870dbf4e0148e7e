//! When an operation must give up: a point in time plus a cancellation token.
//!
//! One value travels unchanged from the caller (a Terraform operation with its timeout and
//! StopProvider) through queues, API calls, retries and task polling, so every layer stops for the
//! same two reasons and none converts between clock types.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The instant an operation must end by, and the token that ends it early.
#[derive(Debug, Clone)]
pub struct Deadline {
    at: Instant,
    cancel: CancellationToken,
}

/// Why an operation stopped before finishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The deadline passed.
    Expired,
    /// The token was cancelled.
    Cancelled,
}

impl Deadline {
    /// Ends `budget` from now, or when `cancel` fires.
    pub fn after(budget: Duration, cancel: CancellationToken) -> Self {
        Deadline {
            at: Instant::now() + budget,
            cancel,
        }
    }

    /// Ends `budget` from now; nothing cancels it (tests, tools).
    pub fn in_(budget: Duration) -> Self {
        Self::after(budget, CancellationToken::new())
    }

    /// Ends at `at`, or when `cancel` fires.
    pub fn at(at: Instant, cancel: CancellationToken) -> Self {
        Deadline { at, cancel }
    }

    /// The instant.
    pub fn instant(&self) -> Instant {
        self.at
    }

    /// The cancellation token.
    pub fn token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Why it has ended already, if it has.
    pub fn ended(&self) -> Option<Ended> {
        if self.cancel.is_cancelled() {
            Some(Ended::Cancelled)
        } else if Instant::now() >= self.at {
            Some(Ended::Expired)
        } else {
            None
        }
    }

    /// The same deadline, but no later than `budget` from now.
    pub fn capped(&self, budget: Duration) -> Self {
        Deadline {
            at: self.at.min(Instant::now() + budget),
            cancel: self.cancel.clone(),
        }
    }

    /// Resolves when the deadline passes or the token fires, saying which.
    pub async fn reached(&self) -> Ended {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Ended::Cancelled,
            _ = tokio::time::sleep_until(self.at) => Ended::Expired,
        }
    }

    /// Runs `fut` unless the deadline is reached first.
    pub async fn run<F: Future>(&self, fut: F) -> Result<F::Output, Ended> {
        tokio::select! {
            biased;
            ended = self.reached() => Err(ended),
            out = fut => Ok(out),
        }
    }

    /// Sleeps until `wake`, unless the token fires first (the deadline itself is not checked).
    pub async fn sleep_until(&self, wake: Instant) -> Result<(), Ended> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(Ended::Cancelled),
            _ = tokio::time::sleep_until(wake) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn reached_says_why() {
        let d = Deadline::in_(Duration::from_secs(1));
        assert_eq!(d.ended(), None);
        assert_eq!(d.reached().await, Ended::Expired);
        let token = CancellationToken::new();
        let d = Deadline::after(Duration::from_secs(60), token.clone());
        token.cancel();
        assert_eq!(d.ended(), Some(Ended::Cancelled));
        assert_eq!(
            d.run(std::future::pending::<()>()).await,
            Err(Ended::Cancelled)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn capped_never_extends() {
        let d = Deadline::in_(Duration::from_secs(10));
        assert!(d.capped(Duration::from_secs(60)).instant() == d.instant());
        assert!(d.capped(Duration::from_secs(1)).instant() < d.instant());
    }
}
