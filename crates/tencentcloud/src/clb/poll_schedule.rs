//! When to poll a task's status: learned from the tasks waited for before.
//!
//! Tasks of one account and region take about the same time, so a wait starts from what the
//! earlier ones showed: each ended after `lo` (a poll still saw it running) and by `hi` (a poll saw
//! it ended), counted from the start of its wait. A wait that knows such a window polls in its
//! middle while it is wide and at its end once it is narrow, so over a few tasks the window closes
//! around the true time and a task's end is seen about one poll after it happens. A wait that
//! knows nothing, or whose task outlives the window, backs off geometrically, so it never polls
//! more than a handful of times however long the task takes.
//!
//! The window must also follow tasks that get faster: a task seen ended at its first poll says
//! nothing about how much earlier it ended. One such wait is the steady state (one poll per
//! task, which matters when many load balancers' tasks are polled under one rate limit), but
//! after [`PROBE_AFTER`] in a row the next window opens below that poll: two short intervals,
//! four times further for each more in a row.

use std::time::Duration;

/// Waits in a row that saw their task ended at the first poll before the window is moved lower.
pub(crate) const PROBE_AFTER: u32 = 3;

/// What the waits so far showed: the last task ended after `lo` and by `hi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TaskTime {
    /// A poll this long after the start of the wait still saw the task running.
    pub lo: Duration,
    /// A poll this long after the start saw it ended.
    pub hi: Duration,
    /// Waits in a row whose task had ended by their first poll.
    pub misses: u32,
}

/// Poll spacing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pace {
    /// The first poll of a wait that knows nothing.
    pub first: Duration,
    /// Polls are never further apart than this.
    pub max: Duration,
    /// Polls are never closer together than this (and a window this narrow is not split).
    pub min: Duration,
}

/// The polls of one wait: when the next one is due, what the answers showed.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    pace: Pace,
    /// Still running at this point (or the start of the wait).
    lo: Duration,
    /// Expected to have ended by this point; `None` once the task outlived it, or with no history.
    hi: Option<Duration>,
    /// The window the wait started with, if any.
    prior: Option<TaskTime>,
    /// The last poll, if any.
    last: Option<Duration>,
    saw_running: bool,
}

impl Schedule {
    /// A wait that knows what `prior` tasks showed.
    pub fn new(prior: Option<TaskTime>, pace: Pace) -> Self {
        let min = pace.min.min(pace.max);
        Schedule {
            pace: Pace { min, ..pace },
            lo: prior.map_or(Duration::ZERO, |p| p.lo),
            hi: prior.map(|p| p.hi),
            prior,
            last: None,
            saw_running: false,
        }
    }

    /// When the next poll is due, counted from the start of the wait.
    pub(crate) fn next_poll(&self) -> Duration {
        let due = match self.hi {
            Some(hi) if hi > self.lo => {
                let width = hi - self.lo;
                if width > self.pace.min {
                    self.lo + width / 2
                } else {
                    hi
                }
            }
            _ if self.last.is_none() && self.prior.is_none() => self.pace.first,
            _ => self.lo + (self.lo / 2).max(self.pace.min).min(self.pace.max),
        };
        match self.last {
            Some(last) => due.max(last + self.pace.min),
            None => due,
        }
    }

    /// A poll sent `at` saw the task still running.
    pub fn running(&mut self, at: Duration) {
        self.last = Some(at);
        self.lo = self.lo.max(at);
        self.saw_running = true;
        if self.hi.is_some_and(|hi| hi <= self.lo) {
            // Slower than the ones before: back off from here.
            self.hi = None;
        }
    }

    /// A poll sent `at` got no usable answer (it is polled again).
    pub(crate) fn no_answer(&mut self, at: Duration) {
        self.last = Some(at);
        if self.hi.is_some_and(|hi| hi <= at) {
            self.hi = None;
        }
        if self.hi.is_none() {
            self.lo = self.lo.max(at);
        }
    }

    /// A poll answered `at` saw the task ended: what the next wait should start from.
    pub fn ended(&self, at: Duration) -> TaskTime {
        if self.saw_running {
            return TaskTime {
                lo: self.lo.min(at),
                hi: at,
                misses: 0,
            };
        }
        // Ended before its first poll, perhaps well before.
        let misses = self.prior.map_or(0, |p| p.misses).saturating_add(1);
        let lo = match self.prior {
            Some(p) if misses < PROBE_AFTER && p.lo < at => p.lo,
            _ => {
                let below = self.pace.min.saturating_mul(2).saturating_mul(
                    4u32.saturating_pow(misses.saturating_sub(PROBE_AFTER).min(15)),
                );
                at.saturating_sub(below)
            }
        };
        TaskTime { lo, hi: at, misses }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACE: Pace = Pace {
        first: Duration::from_millis(200),
        max: Duration::from_secs(3),
        min: Duration::from_millis(50),
    };

    /// Waits for a task that takes `took`, polls answering instantly: the polls' times and what
    /// the wait learned.
    fn wait(prior: Option<TaskTime>, took: Duration) -> (Vec<Duration>, TaskTime) {
        let mut s = Schedule::new(prior, PACE);
        let mut polls = Vec::new();
        loop {
            let at = s.next_poll();
            assert!(polls.last().is_none_or(|l| at > *l), "polls move forward");
            polls.push(at);
            assert!(polls.len() < 50, "too many polls: {polls:?}");
            if at >= took {
                return (polls, s.ended(at));
            }
            s.running(at);
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_first_wait_backs_off_and_sees_the_end_within_half_its_time() {
        for took in [ms(150), ms(500), ms(2000), ms(7000), ms(30_000)] {
            let (polls, learned) = wait(None, took);
            let seen = *polls.last().unwrap();
            assert!(seen >= took);
            assert!(
                seen <= took + (took / 2).max(PACE.min).min(PACE.max) + PACE.first,
                "{took:?}: {polls:?}"
            );
            assert!(polls.len() <= 18, "{took:?}: {} polls", polls.len());
            assert!(learned.lo < took && took <= learned.hi, "{learned:?}");
        }
    }

    #[test]
    fn later_waits_close_in_on_a_steady_task_time() {
        for took in [ms(500), ms(2000), ms(5000)] {
            let mut prior = None;
            let mut late = Vec::new();
            let mut counts = Vec::new();
            for _ in 0..12 {
                let (polls, learned) = wait(prior, took);
                late.push(*polls.last().unwrap() - took);
                counts.push(polls.len());
                prior = Some(learned);
            }
            // From the fourth task on, the end is seen within one short interval, with one to
            // three polls.
            assert!(
                late[3..].iter().all(|l| *l <= PACE.min),
                "{took:?}: {late:?}"
            );
            println!("{took:?}: late {late:?} polls {counts:?}");
            // Mostly one poll: one task in three or four needs a second.
            assert!(counts[3..].iter().all(|c| *c <= 3), "{took:?}: {counts:?}");
            let polls = counts[3..].iter().sum::<usize>() as f64;
            assert!(
                polls <= 1.4 * counts[3..].len() as f64,
                "{took:?}: {counts:?}"
            );
            let total: Duration = late.iter().sum();
            assert!(total <= took, "{took:?}: late in all {total:?} ({late:?})");
        }
    }

    #[test]
    fn follows_tasks_that_get_faster_or_slower() {
        let mut prior = None;
        for _ in 0..6 {
            prior = Some(wait(prior, ms(4000)).1);
        }
        // Faster: the window opens downward until it holds the new time again.
        let mut late = Vec::new();
        for _ in 0..14 {
            let (polls, learned) = wait(prior, ms(1000));
            late.push(*polls.last().unwrap() - ms(1000));
            prior = Some(learned);
        }
        assert!(late[10..].iter().all(|l| *l <= PACE.min), "{late:?}");
        // Slower: seen running past the window, the wait backs off and still finds the end.
        let (polls, learned) = wait(prior, ms(3000));
        assert!(*polls.last().unwrap() <= ms(3000) + ms(1600), "{polls:?}");
        assert!(learned.hi >= ms(3000));
    }

    #[test]
    fn no_answer_moves_on_and_learns_no_lower_bound() {
        let mut s = Schedule::new(None, PACE);
        let first = s.next_poll();
        s.no_answer(first);
        let second = s.next_poll();
        assert!(second >= first + PACE.min);
        // Nothing was seen running: no lower bound (the wait had no window).
        let learned = s.ended(second);
        assert_eq!(learned.hi, second);
        assert_eq!(learned.misses, 1);
        assert_eq!(learned.lo, second - PACE.min * 2);
    }

    #[test]
    fn a_pace_with_min_above_max_is_clamped() {
        let pace = Pace {
            first: ms(10),
            max: ms(50),
            min: ms(100),
        };
        let mut s = Schedule::new(None, pace);
        let a = s.next_poll();
        s.running(a);
        let b = s.next_poll();
        assert_eq!(a, ms(10));
        assert!(b - a <= ms(50), "{a:?} {b:?}");
    }
}
