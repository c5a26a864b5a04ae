//! Annealing schedules planned over a number of steps: cosine annealing to a floor, SGDR warm
//! restarts and the one-cycle policy.

use super::cyclic::Waveform;
use super::decay::DecaySpan;
use super::{
    Schedule, ScheduleError, SpecNumber, floored, interpolate, validate, write_unless_zero,
};
use std::f64::consts::PI;
use std::fmt;

/// `½(1 + cos(π·elapsed/length))`: 1 at the start, 0 at the end of a cosine half-wave.
fn cosine_remaining(elapsed: f64, length: f64) -> f64 {
    0.5 * (1.0 + (PI * elapsed / length).cos())
}

/// Cosine annealing to a floor (Loshchilov & Hutter 2017, "SGDR: stochastic gradient descent
/// with warm restarts", without restarts): `η_t = floor + ½(k0 − floor)(1 + cos(πt/T))` for
/// `t < T`, and `floor` from `t = T` on (the horizon).
///
/// Spec: `cosine:k0=0.5,floor=0.01,T=3000` (optional `floor`, default 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineAnnealing {
    span: DecaySpan,
    length: usize,
}

impl CosineAnnealing {
    /// `k0 > 0`, `floor ∈ [0, k0)`, `length` (`T`) `≥ 1`.
    pub fn new(k0: f64, floor: f64, length: usize) -> Result<Self, ScheduleError> {
        Ok(Self {
            span: DecaySpan::new("cosine", k0, "floor", floor)?,
            length: validate::at_least_one("cosine", "T", length)?,
        })
    }
}

impl Schedule for CosineAnnealing {
    fn learning_rate(&self, t: usize) -> f64 {
        if t >= self.length {
            self.span.at(0.0)
        } else {
            self.span.at(cosine_remaining(t as f64, self.length as f64))
        }
    }

    fn horizon(&self) -> Option<usize> {
        Some(self.length)
    }
}

impl fmt::Display for CosineAnnealing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cosine:")?;
        self.span.write(f, "floor")?;
        write!(f, ",T={}", self.length)
    }
}

/// SGDR warm restarts (Loshchilov & Hutter 2017): cycles of lengths `T_i = T0·Tmult^i`; inside
/// cycle `i`, at `T_cur` steps from its start, `η_t = floor + ½(k0 − floor)(1 + cos(π
/// T_cur/T_i))`. Every cycle restarts at `k0`. No horizon.
///
/// Spec: `sgdr:k0=0.1,floor=0.001,T0=100,Tmult=2` (optional `floor`, default 0, and `Tmult`,
/// default 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WarmRestarts {
    span: DecaySpan,
    first_period: usize,
    period_multiplier: usize,
}

impl WarmRestarts {
    /// `k0 > 0`, `floor ∈ [0, k0)`, `first_period` (`T0`) `≥ 1`, `period_multiplier`
    /// (`Tmult`, a whole number as in the paper's experiments) `≥ 1`.
    pub fn new(
        k0: f64,
        floor: f64,
        first_period: usize,
        period_multiplier: usize,
    ) -> Result<Self, ScheduleError> {
        Ok(Self {
            span: DecaySpan::new("sgdr", k0, "floor", floor)?,
            first_period: validate::at_least_one("sgdr", "T0", first_period)?,
            period_multiplier: validate::at_least_one("sgdr", "Tmult", period_multiplier)?,
        })
    }
}

impl Schedule for WarmRestarts {
    fn learning_rate(&self, t: usize) -> f64 {
        let mut elapsed = t as u128;
        let mut period = self.first_period as u128;
        if self.period_multiplier == 1 {
            elapsed %= period;
        } else {
            // Periods at least double, so this runs at most 64 times; a period stays below
            // 2^64·Tmult < 2^128 while `elapsed` (< 2^64) can still exceed it.
            while elapsed >= period {
                elapsed -= period;
                period *= self.period_multiplier as u128;
            }
        }
        self.span
            .at(cosine_remaining(elapsed as f64, period as f64))
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

impl fmt::Display for WarmRestarts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sgdr:")?;
        self.span.write(f, "floor")?;
        write!(f, ",T0={}", self.first_period)?;
        if self.period_multiplier != 1 {
            write!(f, ",Tmult={}", self.period_multiplier)?;
        }
        Ok(())
    }
}

/// The one-cycle policy (Smith 2018, "A disciplined approach to neural network
/// hyper-parameters: part 1", arXiv 1803.09820): one triangular cycle from `k0` up to the
/// peak `k1` at `t = l` and back to `k0` at `t = 2l`, then a linear decay to `floor` at the
/// horizon `T`, and `floor` after it:
///
/// - `t < 2l`: `η_t = k0 + (k1 − k0)·(1 − |1 − t/l|)`,
/// - `2l ≤ t < T`: `η_t = floor + (k0 − floor)·(1 − (t − 2l)/(T − 2l))`,
/// - `t ≥ T`: `η_t = floor`.
///
/// Spec: `onecycle:k0=0.1,k1=1,l=400,T=1000,floor=0.001` (optional `floor`, default 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneCycle {
    span: DecaySpan,
    peak: f64,
    l: usize,
    length: usize,
}

impl OneCycle {
    /// `k0 > 0`, `k1 > k0` finite, `floor ∈ [0, k0)`, `l ≥ 1`, `length` (`T`) `> 2l`.
    pub fn new(
        k0: f64,
        k1: f64,
        l: usize,
        length: usize,
        floor: f64,
    ) -> Result<Self, ScheduleError> {
        let span = DecaySpan::new("onecycle", k0, "floor", floor)?;
        if !(k1.is_finite() && k1 > k0) {
            return Err(validate::invalid(
                "onecycle",
                "k1",
                k1,
                "must be finite and > k0",
            ));
        }
        let l = validate::at_least_one("onecycle", "l", l)?;
        if l.checked_mul(2).is_none_or(|cycle| length <= cycle) {
            return Err(validate::invalid("onecycle", "T", length, "must exceed 2l"));
        }
        Ok(Self {
            span,
            peak: k1,
            l,
            length,
        })
    }
}

impl Schedule for OneCycle {
    fn learning_rate(&self, t: usize) -> f64 {
        let cycle = 2 * self.l;
        if t < cycle {
            let k0 = self.span.start();
            let rise = Waveform::Triangular.at(t as f64 / self.l as f64);
            floored(interpolate(k0, self.peak, rise))
        } else if t < self.length {
            let fraction = (t - cycle) as f64 / (self.length - cycle) as f64;
            self.span.at(1.0 - fraction)
        } else {
            self.span.at(0.0)
        }
    }

    fn horizon(&self) -> Option<usize> {
        Some(self.length)
    }
}

impl fmt::Display for OneCycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "onecycle:k0={},k1={},l={},T={}",
            SpecNumber(self.span.start()),
            SpecNumber(self.peak),
            self.l,
            self.length
        )?;
        write_unless_zero(f, "floor", self.span.end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_rates(schedule: &impl Schedule, expected: &[(usize, f64)]) {
        for &(t, rate) in expected {
            let got = schedule.learning_rate(t);
            assert!(
                (got - rate).abs() <= 1e-15,
                "at t = {t}: got {got}, expected {rate}"
            );
        }
    }

    #[test]
    fn cosine_anneals_to_the_floor_and_stays() {
        let cosine = CosineAnnealing::new(0.5, 0.01, 3000).unwrap();
        assert_rates(
            &cosine,
            &[
                (0, 0.5),
                (1000, 0.01 + 0.49 * 0.75),
                (1500, 0.255),
                (3000, 0.01),
                (usize::MAX, 0.01),
            ],
        );
        assert_eq!(cosine.horizon(), Some(3000));
    }

    #[test]
    fn sgdr_restarts_at_k0_with_growing_periods() {
        let doubling = WarmRestarts::new(1.0, 0.0, 10, 2).unwrap();
        let tail = 0.5 * (1.0 + (PI * 19.0 / 20.0).cos());
        assert_rates(
            &doubling,
            &[
                (0, 1.0),
                (5, 0.5),
                (10, 1.0),
                (20, 0.5),
                (29, tail),
                (30, 1.0),
            ],
        );
        let periodic = WarmRestarts::new(1.0, 0.1, 4, 1).unwrap();
        let last_of_cycle = 0.1 + 0.9 * 0.5 * (1.0 + (PI * 0.75).cos());
        assert_rates(
            &periodic,
            &[(2, 0.55), (4, 1.0), (usize::MAX, last_of_cycle)],
        );
        assert_eq!(doubling.horizon(), None);
    }

    #[test]
    fn sgdr_restarts_at_exactly_k0() {
        let sgdr = WarmRestarts::new(1e-4, 1.755689393940534e-5, 1, 1).unwrap();
        for t in [0, 1, 2, usize::MAX] {
            assert_eq!(sgdr.learning_rate(t), 1e-4);
        }
    }

    #[test]
    fn one_cycle_rises_falls_and_anneals() {
        let one_cycle = OneCycle::new(0.1, 1.0, 10, 30, 0.001).unwrap();
        assert_rates(
            &one_cycle,
            &[
                (0, 0.1),
                (5, 0.55),
                (10, 1.0),
                (15, 0.55),
                (20, 0.1),
                (25, 0.0505),
                (30, 0.001),
                (usize::MAX, 0.001),
            ],
        );
        assert_eq!(one_cycle.horizon(), Some(30));
    }
}
