//! Schedules built from other schedules: a linear warm-up in front of one, and a sequence of
//! pieces (LRBench's piecewise, multi-policy schedules).

use super::{LrSchedule, MAX_NESTING_DEPTH, Schedule, ScheduleError, floored, validate};
use std::fmt;

/// Errors if wrapping `inner` schedules would nest composites deeper than
/// [`MAX_NESTING_DEPTH`].
fn check_depth<'a>(inner: impl IntoIterator<Item = &'a LrSchedule>) -> Result<(), ScheduleError> {
    if inner
        .into_iter()
        .any(|schedule| schedule.nesting_depth() >= MAX_NESTING_DEPTH)
    {
        Err(ScheduleError::TooDeep {
            limit: MAX_NESTING_DEPTH,
        })
    } else {
        Ok(())
    }
}

/// A linear warm-up of `steps` steps in front of another schedule (Goyal et al. 2017,
/// "Accurate, large minibatch SGD: training ImageNet in 1 hour", gradual warm-up): with
/// `η* = then(0)`,
///
/// - `t < steps`: `η_t = η*·(t + 1)/(steps + 1)`, a straight line that would reach `η*` at
///   `t = steps`,
/// - `t ≥ steps`: `η_t = then(t − steps)`: the wrapped schedule starts after the warm-up.
///
/// Its horizon is `steps` plus that of `then`, if `then` has one.
///
/// Spec: `warmup:steps=100,then=step:k0=1,gamma=0.1,l=1000` (`then` must come last: the
/// nested spec takes every parameter after it).
#[derive(Debug, Clone, PartialEq)]
pub struct Warmup {
    steps: usize,
    then: Box<LrSchedule>,
}

impl Warmup {
    /// `steps ≥ 1`; errors if `then` already nests [`MAX_NESTING_DEPTH`] composites.
    pub fn new(steps: usize, then: LrSchedule) -> Result<Self, ScheduleError> {
        check_depth([&then])?;
        Ok(Self {
            steps: validate::at_least_one("warmup", "steps", steps)?,
            then: Box::new(then),
        })
    }

    pub(super) fn then(&self) -> &LrSchedule {
        &self.then
    }
}

impl Schedule for Warmup {
    fn learning_rate(&self, t: usize) -> f64 {
        if t < self.steps {
            let ramp = (t as f64 + 1.0) / (self.steps as f64 + 1.0);
            floored(self.then.learning_rate(0) * ramp)
        } else {
            self.then.learning_rate(t - self.steps)
        }
    }

    fn horizon(&self) -> Option<usize> {
        self.then.horizon()?.checked_add(self.steps)
    }
}

impl fmt::Display for Warmup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warmup:steps={},then={}", self.steps, self.then)
    }
}

/// Schedules one after another (LRBench's piecewise / multi-policy schedules): each timed
/// piece runs for its number of steps, the last one runs forever. Time inside a piece counts
/// from the piece's start: piece `j` sees `t − (s_0 + … + s_{j−1})`. Its horizon is the sum of
/// the timed lengths plus the last piece's horizon, if the last piece has one.
///
/// Spec: `seq:[fix:k0=2@500,cosine:k0=0.5,T=2500]` (`@steps` after every piece but the
/// last).
#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    timed: Vec<(LrSchedule, usize)>,
    last: Box<LrSchedule>,
}

impl Sequence {
    /// `timed` pieces, each with its number of steps (`≥ 1`), then the `last` piece; errors if
    /// a piece already nests [`MAX_NESTING_DEPTH`] composites.
    pub fn new(timed: Vec<(LrSchedule, usize)>, last: LrSchedule) -> Result<Self, ScheduleError> {
        check_depth(timed.iter().map(|(piece, _)| piece).chain([&last]))?;
        for &(_, steps) in &timed {
            validate::at_least_one("seq", "@steps", steps)?;
        }
        Ok(Self {
            timed,
            last: Box::new(last),
        })
    }

    pub(super) fn pieces(&self) -> impl Iterator<Item = &LrSchedule> {
        self.timed
            .iter()
            .map(|(piece, _)| piece)
            .chain([&*self.last])
    }
}

impl Schedule for Sequence {
    fn learning_rate(&self, t: usize) -> f64 {
        let mut elapsed = t;
        for (piece, steps) in &self.timed {
            if elapsed < *steps {
                return piece.learning_rate(elapsed);
            }
            elapsed -= steps;
        }
        self.last.learning_rate(elapsed)
    }

    fn horizon(&self) -> Option<usize> {
        let last = self.last.horizon()?;
        self.timed
            .iter()
            .try_fold(last, |total, (_, steps)| total.checked_add(*steps))
    }
}

impl fmt::Display for Sequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("seq:[")?;
        for (piece, steps) in &self.timed {
            write!(f, "{piece}@{steps},")?;
        }
        write!(f, "{}]", self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{CosineAnnealing, Fixed};

    fn fixed(k0: f64) -> LrSchedule {
        Fixed::new(k0).unwrap().into()
    }

    #[test]
    fn warmup_ramps_to_the_first_rate_then_shifts_time() {
        let cosine = CosineAnnealing::new(1.0, 0.0, 4).unwrap();
        let warmup = Warmup::new(3, cosine.into()).unwrap();
        let rates: Vec<f64> = (0..4).map(|t| warmup.learning_rate(t)).collect();
        assert_eq!(rates, [0.25, 0.5, 0.75, 1.0]);
        assert_eq!(warmup.learning_rate(5), 0.5);
        assert_eq!(warmup.horizon(), Some(7));
    }

    #[test]
    fn sequence_counts_time_from_each_piece_start() {
        let cosine = CosineAnnealing::new(0.5, 0.0, 2500).unwrap();
        let sequence = Sequence::new(vec![(fixed(2.0), 500)], cosine.into()).unwrap();
        assert_eq!(sequence.learning_rate(499), 2.0);
        assert_eq!(sequence.learning_rate(500), 0.5);
        assert_eq!(
            sequence.learning_rate(500 + 1250),
            cosine.learning_rate(1250)
        );
        assert_eq!(sequence.horizon(), Some(3000));
        let endless = Sequence::new(vec![(cosine.into(), 10)], fixed(0.1)).unwrap();
        assert_eq!(endless.horizon(), None);
        assert_eq!(endless.learning_rate(usize::MAX), 0.1);
    }

    #[test]
    fn zero_length_pieces_and_deep_nesting_are_rejected() {
        assert!(matches!(
            Sequence::new(vec![(fixed(1.0), 0)], fixed(1.0)),
            Err(ScheduleError::InvalidParameter {
                parameter: "@steps",
                ..
            })
        ));
        let mut schedule = fixed(1.0);
        for _ in 0..MAX_NESTING_DEPTH {
            schedule = Warmup::new(1, schedule).unwrap().into();
        }
        assert_eq!(schedule.nesting_depth(), MAX_NESTING_DEPTH);
        assert_eq!(
            Warmup::new(1, schedule.clone()),
            Err(ScheduleError::TooDeep {
                limit: MAX_NESTING_DEPTH
            })
        );
        assert!(Sequence::new(Vec::new(), schedule).is_err());
    }
}
