//! Fault decisions drawn from a seeded generator, so a failing run can be replayed.
//!
//! Every API call that reaches an action draws two numbers (internal error, dropped connection)
//! and every accepted task one more (task failure), whatever the probabilities, so the same
//! sequence of calls with the same seed gets the same faults. The reply faults (garbled write
//! reply, empty read reply) draw one more number each only when their probability is set, so
//! seeds chosen before they existed replay as they did.

use crate::config::Faults;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What to do to one API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CallFaults {
    /// Answer `InternalError` without doing anything.
    pub internal_error: bool,
    /// Process the call but drop the connection instead of replying.
    pub drop_connection: bool,
    /// Process a write but answer with a body that cannot be decoded.
    pub garbled_write_reply: bool,
    /// Answer a read with an empty success.
    pub empty_read_reply: bool,
}

/// The seeded fault generator.
#[derive(Debug)]
pub(crate) struct FaultDice {
    faults: Faults,
    rng: StdRng,
}

impl FaultDice {
    /// A generator for these fault settings.
    pub fn new(faults: Faults) -> Self {
        let rng = StdRng::seed_from_u64(faults.rng_seed);
        FaultDice { faults, rng }
    }

    fn roll(&mut self, p: f64) -> bool {
        let x: f64 = self.rng.random();
        x < p
    }

    /// Decides the faults of the next API call.
    pub(crate) fn next_call(&mut self) -> CallFaults {
        let internal_error = self.roll(self.faults.internal_error);
        let drop_connection = self.roll(self.faults.drop_connection);
        let (garbled, empty) = (
            self.faults.garbled_write_reply,
            self.faults.empty_read_reply,
        );
        let garbled_write_reply = garbled > 0.0 && self.roll(garbled);
        let empty_read_reply = empty > 0.0 && self.roll(empty);
        CallFaults {
            internal_error,
            drop_connection: drop_connection && !internal_error,
            garbled_write_reply,
            empty_read_reply,
        }
    }

    /// Decides whether the next task fails.
    pub(crate) fn next_task_fails(&mut self) -> bool {
        self.roll(self.faults.task_failure)
    }

    /// Decides whether a failing task applies part of its change first (draws only when the
    /// probability is set, so older seeds replay unchanged).
    pub(crate) fn next_failure_is_partial(&mut self) -> bool {
        let p = self.faults.partial_task_failure;
        p > 0.0 && self.roll(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seed: u64) -> Vec<(CallFaults, bool)> {
        let mut d = FaultDice::new(Faults {
            internal_error: 0.3,
            drop_connection: 0.3,
            task_failure: 0.5,
            rng_seed: seed,
            ..Faults::default()
        });
        (0..50)
            .map(|_| (d.next_call(), d.next_task_fails()))
            .collect()
    }

    #[test]
    fn same_seed_same_faults_other_seed_differs() {
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let r = run(7);
        assert!(r.iter().any(|(c, _)| c.internal_error));
        assert!(r.iter().any(|(c, _)| !c.internal_error));
    }

    #[test]
    fn zero_probabilities_never_fire() {
        let mut d = FaultDice::new(Faults::default());
        assert!((0..100).all(|_| d.next_call()
            == CallFaults {
                internal_error: false,
                drop_connection: false,
                garbled_write_reply: false,
                empty_read_reply: false,
            }
            && !d.next_task_fails()));
    }
}
