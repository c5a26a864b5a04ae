//! The monotone policies of LRBench's Table I (Wu, Liu et al. 2019, "Demystifying learning
//! rate policies for high accuracy training of deep neural networks"): FIX, STEP, NSTEP, EXP,
//! INV and POLY. The decaying ones are `η_t = k1 + (k0 − k1)·d(t)` with a factor `d` falling
//! from 1 toward 0.

use super::{
    Schedule, ScheduleError, SpecNumber, floored, interpolate, validate, write_unless_zero,
};
use std::fmt;

/// A start `k0 > 0` and an end in `[0, k0)` approached as a decay factor goes from 1 to 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DecaySpan {
    start: f64,
    end: f64,
}

impl DecaySpan {
    /// Checks `start` (named `k0`) and `end` (named `end_name`).
    pub(super) fn new(
        policy: &str,
        start: f64,
        end_name: &'static str,
        end: f64,
    ) -> Result<Self, ScheduleError> {
        let start = validate::positive(policy, "k0", start)?;
        if end.is_finite() && end >= 0.0 && end < start {
            Ok(Self { start, end })
        } else {
            Err(validate::invalid(
                policy,
                end_name,
                end,
                "must be in [0, k0)",
            ))
        }
    }

    pub(super) fn start(&self) -> f64 {
        self.start
    }

    pub(super) fn end(&self) -> f64 {
        self.end
    }

    /// `end + (start − end)·remaining` (exact at both ends), kept at or above
    /// [`super::LEARNING_RATE_FLOOR`].
    pub(super) fn at(&self, remaining: f64) -> f64 {
        floored(interpolate(self.end, self.start, remaining))
    }

    /// Writes `k0=…` and, when the end is not the default 0, `,end_name=…`.
    pub(super) fn write(&self, f: &mut fmt::Formatter<'_>, end_name: &str) -> fmt::Result {
        write!(f, "k0={}", SpecNumber(self.start))?;
        write_unless_zero(f, end_name, self.end)
    }
}

/// `γ^n` for a count `n` of any size (no `powi` cast that could wrap).
fn power(gamma: f64, n: usize) -> f64 {
    gamma.powf(n as f64)
}

/// FIX (LRBench, Table I): `η_t = k0`.
///
/// Spec: `fix:k0=0.1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fixed {
    k0: f64,
}

impl Fixed {
    /// Errors unless `k0` is finite and `> 0`.
    pub fn new(k0: f64) -> Result<Self, ScheduleError> {
        Ok(Self {
            k0: validate::positive("fix", "k0", k0)?,
        })
    }
}

impl Schedule for Fixed {
    fn learning_rate(&self, _t: usize) -> f64 {
        self.k0
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fix:k0={}", SpecNumber(self.k0))
    }
}

/// STEP (LRBench, Table I): `η_t = k1 + (k0 − k1)·γ^⌊t/l⌋`, a drop by `γ` every `l` steps.
///
/// Spec: `step:k0=1,gamma=0.1,l=1000` (optional `k1`, default 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepDecay {
    span: DecaySpan,
    gamma: f64,
    l: usize,
}

impl StepDecay {
    /// `k0 > 0`, `k1 ∈ [0, k0)`, `gamma ∈ (0, 1]`, `l ≥ 1`.
    pub fn new(k0: f64, k1: f64, gamma: f64, l: usize) -> Result<Self, ScheduleError> {
        Ok(Self {
            span: DecaySpan::new("step", k0, "k1", k1)?,
            gamma: validate::factor("step", "gamma", gamma)?,
            l: validate::at_least_one("step", "l", l)?,
        })
    }
}

impl Schedule for StepDecay {
    fn learning_rate(&self, t: usize) -> f64 {
        self.span.at(power(self.gamma, t / self.l))
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

impl fmt::Display for StepDecay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("step:")?;
        self.span.write(f, "k1")?;
        write!(f, ",gamma={},l={}", SpecNumber(self.gamma), self.l)
    }
}

/// NSTEP (LRBench, Table I): `η_t = k1 + (k0 − k1)·γ^i` where `i` counts the boundaries
/// `l_j ≤ t`, i.e. a drop by `γ` at each listed step.
///
/// Spec: `nstep:k0=1,gamma=0.1,l=[100,200]` (optional `k1`, default 0).
#[derive(Debug, Clone, PartialEq)]
pub struct MultiStepDecay {
    span: DecaySpan,
    gamma: f64,
    boundaries: Vec<usize>,
}

impl MultiStepDecay {
    /// `k0 > 0`, `k1 ∈ [0, k0)`, `gamma ∈ (0, 1]`, `boundaries` non-empty, strictly increasing
    /// and all `≥ 1`.
    pub fn new(
        k0: f64,
        k1: f64,
        gamma: f64,
        boundaries: Vec<usize>,
    ) -> Result<Self, ScheduleError> {
        let span = DecaySpan::new("nstep", k0, "k1", k1)?;
        let gamma = validate::factor("nstep", "gamma", gamma)?;
        let increasing = boundaries.windows(2).all(|pair| pair[0] < pair[1]);
        let reason = match boundaries.first() {
            None => Some("must list at least one step"),
            Some(0) => Some("must be at least 1"),
            Some(_) if !increasing => Some("must be strictly increasing"),
            Some(_) => None,
        };
        match reason {
            Some(reason) => Err(validate::invalid(
                "nstep",
                "l",
                format!("{boundaries:?}"),
                reason,
            )),
            None => Ok(Self {
                span,
                gamma,
                boundaries,
            }),
        }
    }
}

impl Schedule for MultiStepDecay {
    fn learning_rate(&self, t: usize) -> f64 {
        let drops = self.boundaries.partition_point(|&boundary| boundary <= t);
        self.span.at(power(self.gamma, drops))
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

impl fmt::Display for MultiStepDecay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("nstep:")?;
        self.span.write(f, "k1")?;
        write!(f, ",gamma={},l=[", SpecNumber(self.gamma))?;
        for (index, boundary) in self.boundaries.iter().enumerate() {
            let separator = if index == 0 { "" } else { "," };
            write!(f, "{separator}{boundary}")?;
        }
        f.write_str("]")
    }
}

/// EXP (LRBench, Table I): `η_t = k1 + (k0 − k1)·γ^t`.
///
/// Spec: `exp:k0=0.5,gamma=0.999` (optional `k1`, default 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExponentialDecay {
    span: DecaySpan,
    gamma: f64,
}

impl ExponentialDecay {
    /// `k0 > 0`, `k1 ∈ [0, k0)`, `gamma ∈ (0, 1]`.
    pub fn new(k0: f64, k1: f64, gamma: f64) -> Result<Self, ScheduleError> {
        Ok(Self {
            span: DecaySpan::new("exp", k0, "k1", k1)?,
            gamma: validate::factor("exp", "gamma", gamma)?,
        })
    }
}

impl Schedule for ExponentialDecay {
    fn learning_rate(&self, t: usize) -> f64 {
        self.span.at(power(self.gamma, t))
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

impl fmt::Display for ExponentialDecay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("exp:")?;
        self.span.write(f, "k1")?;
        write!(f, ",gamma={}", SpecNumber(self.gamma))
    }
}

/// INV (LRBench, Table I): `η_t = k1 + (k0 − k1)·(1 + γt)^−p`.
///
/// Spec: `inv:k0=0.1,gamma=0.001,p=0.75` (optional `k1`, default 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InverseDecay {
    span: DecaySpan,
    gamma: f64,
    p: f64,
}

impl InverseDecay {
    /// `k0 > 0`, `k1 ∈ [0, k0)`, `gamma > 0` and `p > 0` finite (`γ` is a rate here, not a
    /// factor, so it may exceed 1).
    pub fn new(k0: f64, k1: f64, gamma: f64, p: f64) -> Result<Self, ScheduleError> {
        Ok(Self {
            span: DecaySpan::new("inv", k0, "k1", k1)?,
            gamma: validate::positive("inv", "gamma", gamma)?,
            p: validate::positive("inv", "p", p)?,
        })
    }
}

impl Schedule for InverseDecay {
    fn learning_rate(&self, t: usize) -> f64 {
        self.span.at((1.0 + self.gamma * t as f64).powf(-self.p))
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

impl fmt::Display for InverseDecay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("inv:")?;
        self.span.write(f, "k1")?;
        write!(
            f,
            ",gamma={},p={}",
            SpecNumber(self.gamma),
            SpecNumber(self.p)
        )
    }
}

/// POLY (LRBench, Table I): `η_t = k1 + (k0 − k1)·(1 − t/l)^p` for `t < l`, and `k1` from
/// `t = l` on (the horizon). LRBench's code writes it as `k0 + (k1 − k0)(1 − t/l)^p`, running
/// from its `k1` to its `k0`; here the roles are swapped so that, like every decaying policy,
/// it starts at `k0`.
///
/// Spec: `poly:k0=0.5,p=2,l=200` (optional `k1`, default 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolynomialDecay {
    span: DecaySpan,
    p: f64,
    l: usize,
}

impl PolynomialDecay {
    /// `k0 > 0`, `k1 ∈ [0, k0)`, `p > 0` finite, `l ≥ 1`.
    pub fn new(k0: f64, k1: f64, p: f64, l: usize) -> Result<Self, ScheduleError> {
        Ok(Self {
            span: DecaySpan::new("poly", k0, "k1", k1)?,
            p: validate::positive("poly", "p", p)?,
            l: validate::at_least_one("poly", "l", l)?,
        })
    }
}

impl Schedule for PolynomialDecay {
    fn learning_rate(&self, t: usize) -> f64 {
        let remaining = 1.0 - t.min(self.l) as f64 / self.l as f64;
        self.span.at(remaining.powf(self.p))
    }

    fn horizon(&self) -> Option<usize> {
        Some(self.l)
    }
}

impl fmt::Display for PolynomialDecay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("poly:")?;
        self.span.write(f, "k1")?;
        write!(f, ",p={},l={}", SpecNumber(self.p), self.l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::LEARNING_RATE_FLOOR;

    fn assert_close(got: f64, expected: f64) {
        assert!(
            (got - expected).abs() <= 1e-14 * expected.abs(),
            "got {got}, expected {expected}"
        );
    }

    #[test]
    fn fixed_is_constant() {
        let fixed = Fixed::new(0.3).unwrap();
        assert_eq!(fixed.learning_rate(0), 0.3);
        assert_eq!(fixed.learning_rate(usize::MAX), 0.3);
    }

    #[test]
    fn step_drops_by_gamma_every_l_steps() {
        let step = StepDecay::new(1.0, 0.0, 0.1, 10).unwrap();
        assert_eq!(step.learning_rate(0), 1.0);
        assert_eq!(step.learning_rate(9), 1.0);
        assert_close(step.learning_rate(10), 0.1);
        assert_close(step.learning_rate(25), 0.01);
        let with_end = StepDecay::new(1.0, 0.2, 0.5, 10).unwrap();
        assert_close(with_end.learning_rate(10), 0.6);
        assert_close(with_end.learning_rate(20), 0.4);
    }

    #[test]
    fn nstep_drops_at_each_boundary() {
        let nstep = MultiStepDecay::new(1.0, 0.0, 0.1, vec![100, 200]).unwrap();
        assert_eq!(nstep.learning_rate(99), 1.0);
        assert_close(nstep.learning_rate(100), 0.1);
        assert_close(nstep.learning_rate(199), 0.1);
        assert_close(nstep.learning_rate(200), 0.01);
        assert_close(nstep.learning_rate(usize::MAX), 0.01);
    }

    #[test]
    fn exp_inv_poly_at_hand_computed_points() {
        let exp = ExponentialDecay::new(1.0, 0.0, 0.5).unwrap();
        assert_eq!(exp.learning_rate(3), 0.125);
        assert_close(
            ExponentialDecay::new(1.0, 0.5, 0.5)
                .unwrap()
                .learning_rate(1),
            0.75,
        );
        let inv = InverseDecay::new(1.0, 0.0, 1.0, 2.0).unwrap();
        assert_eq!(inv.learning_rate(1), 0.25);
        assert_eq!(inv.learning_rate(3), 0.0625);
        let poly = PolynomialDecay::new(0.5, 0.0, 2.0, 200).unwrap();
        assert_eq!(poly.learning_rate(0), 0.5);
        assert_eq!(poly.learning_rate(50), 0.28125);
        assert_eq!(poly.learning_rate(100), 0.125);
        assert_eq!(poly.horizon(), Some(200));
        let with_end = PolynomialDecay::new(0.5, 0.1, 1.0, 4).unwrap();
        assert_close(with_end.learning_rate(1), 0.4);
        assert_eq!(with_end.learning_rate(4), 0.1);
        assert_eq!(with_end.learning_rate(1000), 0.1);
    }

    #[test]
    fn a_decay_that_reaches_zero_stays_at_the_floor() {
        let poly = PolynomialDecay::new(0.5, 0.0, 2.0, 200).unwrap();
        assert_eq!(poly.learning_rate(200), LEARNING_RATE_FLOOR);
        let exp = ExponentialDecay::new(1.0, 0.0, 0.5).unwrap();
        assert_eq!(exp.learning_rate(5000), LEARNING_RATE_FLOOR);
    }
}
