//! Gradient flow `θ̇ = −∇L(θ)` and other ODEs `ẏ = F(t, y)`, integrated by the explicit
//! Dormand–Prince 5(4) pair with error control (Dormand & Prince 1980; the 5th-order solution
//! is propagated, the embedded 4th-order one estimates the error).
//!
//! A step from `t` to `t + h` is accepted when the scaled error
//! `‖e_i / (atol + rtol·max(|y_i|, |y'_i|))‖_rms ≤ 1`; the next step is
//! `h·clamp(0.9·err^{−1/5}, 0.2, 5)`. Each accepted step is shown to a callback as a
//! [`StepView`], which interpolates inside the step by the cubic Hermite polynomial through
//! both ends and their derivatives and locates level crossings, so events such as "coordinate
//! k reaches half its target" are timed to the integrator's accuracy. Nothing allocates after
//! [`DormandPrince::new`].
//!
//! ```
//! use catapult_optim::{DormandPrince, Flow, OdeOptions, OdeSystem};
//! /// ẏ = −y.
//! struct Decay;
//! impl OdeSystem for Decay {
//!     fn dim(&self) -> usize { 1 }
//!     fn derivative(&mut self, _: f64, y: &[f64], dy: &mut [f64]) { dy[0] = -y[0]; }
//! }
//! let mut solver = DormandPrince::new(1, OdeOptions::new(1e-10, 1e-12, 10_000).unwrap());
//! let mut y = [1.0];
//! let mut half_life = None;
//! solver.integrate(&mut Decay, 0.0, &mut y, 3.0, |step| {
//!     half_life = half_life.or(step.crossing(0, 0.5));
//!     Flow::Continue
//! }).unwrap();
//! assert!((y[0] - (-3f64).exp()).abs() < 1e-9);
//! assert!((half_life.unwrap() - 2f64.ln()).abs() < 1e-8);
//! ```

use crate::{Objective, OptimError};
use faer::{ColMut, ColRef};

/// A system `ẏ = F(t, y)` on R^dim.
pub trait OdeSystem {
    /// Dimension of the state.
    fn dim(&self) -> usize;
    /// Writes `F(t, y)` into `dy`.
    fn derivative(&mut self, t: f64, y: &[f64], dy: &mut [f64]);
}

/// Gradient flow `θ̇ = −∇L(θ)` of an [`Objective`], as an [`OdeSystem`].
pub struct GradientFlow<'a, O: Objective> {
    objective: &'a mut O,
}

impl<'a, O: Objective> GradientFlow<'a, O> {
    /// The flow of `objective`.
    pub fn new(objective: &'a mut O) -> Self {
        Self { objective }
    }

    /// The objective.
    pub fn objective(&mut self) -> &mut O {
        self.objective
    }
}

impl<O: Objective> OdeSystem for GradientFlow<'_, O> {
    fn dim(&self) -> usize {
        self.objective.dim()
    }

    fn derivative(&mut self, _t: f64, y: &[f64], dy: &mut [f64]) {
        self.objective
            .value_and_gradient(ColRef::from_slice(y), ColMut::from_slice_mut(dy));
        dy.iter_mut().for_each(|g| *g = -*g);
    }
}

/// Tolerances and a step budget for [`DormandPrince`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OdeOptions {
    relative_tolerance: f64,
    absolute_tolerance: f64,
    max_steps: usize,
}

impl OdeOptions {
    /// `rtol > 0`, `atol > 0` (both finite), at most `max_steps ≥ 1` attempted steps per call.
    pub fn new(
        relative_tolerance: f64,
        absolute_tolerance: f64,
        max_steps: usize,
    ) -> Result<Self, OptimError> {
        for (name, value) in [
            ("relative tolerance", relative_tolerance),
            ("absolute tolerance", absolute_tolerance),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(OptimError::InvalidTolerance { name, value });
            }
        }
        if max_steps == 0 {
            return Err(OptimError::ZeroMaxSteps);
        }
        Ok(Self {
            relative_tolerance,
            absolute_tolerance,
            max_steps,
        })
    }
}

/// Whether to go on after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Take the next step.
    Continue,
    /// Stop here (the state is the end of this step).
    Stop,
}

/// One accepted step from `(t0, y0)` to `(t1, y1)` with the derivatives at both ends.
#[derive(Debug, Clone, Copy)]
pub struct StepView<'a> {
    /// Time at the start of the step.
    pub t0: f64,
    /// Time at the end of the step.
    pub t1: f64,
    /// State `y(t0)`.
    pub y0: &'a [f64],
    /// State `y(t1)`.
    pub y1: &'a [f64],
    /// Derivative `F(t0, y0)`.
    pub dy0: &'a [f64],
    /// Derivative `F(t1, y1)`.
    pub dy1: &'a [f64],
}

impl StepView<'_> {
    /// Component `k` at `t ∈ [t0, t1]` by cubic Hermite interpolation.
    pub fn interpolate(&self, k: usize, t: f64) -> f64 {
        let h = self.t1 - self.t0;
        let s = (t - self.t0) / h;
        let (s2, s3) = (s * s, s * s * s);
        (2.0 * s3 - 3.0 * s2 + 1.0) * self.y0[k]
            + (s3 - 2.0 * s2 + s) * h * self.dy0[k]
            + (3.0 * s2 - 2.0 * s3) * self.y1[k]
            + (s3 - s2) * h * self.dy1[k]
    }

    /// The first time in `(t0, t1]` at which component `k` of the interpolant reaches `level`,
    /// when the ends lie on either side of it (`y0 < level ≤ y1` or `y0 > level ≥ y1`).
    pub fn crossing(&self, k: usize, level: f64) -> Option<f64> {
        let (below, above) = (self.y0[k] - level, self.y1[k] - level);
        if !(below < 0.0 && above >= 0.0 || below > 0.0 && above <= 0.0) {
            return None;
        }
        let sign = below.signum();
        let (mut lo, mut hi) = (self.t0, self.t1);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if (self.interpolate(k, mid) - level) * sign > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(hi)
    }
}

/// Where an integration ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OdeOutcome {
    /// The time reached (`t_end`, or earlier when the callback stopped).
    pub t: f64,
    /// Accepted steps.
    pub accepted: usize,
    /// Rejected step attempts.
    pub rejected: usize,
    /// Whether the callback asked to stop.
    pub stopped: bool,
}

/// The Dormand–Prince 5(4) integrator with its scratch (see the module docs).
#[derive(Debug, Clone)]
pub struct DormandPrince {
    options: OdeOptions,
    stages: [Vec<f64>; 7],
    trial: Vec<f64>,
    next: Vec<f64>,
    previous: Vec<f64>,
    previous_slope: Vec<f64>,
}

const C: [f64; 6] = [1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0];
const A: [&[f64]; 6] = [
    &[1.0 / 5.0],
    &[3.0 / 40.0, 9.0 / 40.0],
    &[44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
    &[
        19372.0 / 6561.0,
        -25360.0 / 2187.0,
        64448.0 / 6561.0,
        -212.0 / 729.0,
    ],
    &[
        9017.0 / 3168.0,
        -355.0 / 33.0,
        46732.0 / 5247.0,
        49.0 / 176.0,
        -5103.0 / 18656.0,
    ],
    &[
        35.0 / 384.0,
        0.0,
        500.0 / 1113.0,
        125.0 / 192.0,
        -2187.0 / 6784.0,
        11.0 / 84.0,
    ],
];
/// 5th-order weights minus the embedded 4th-order ones.
const ERROR: [f64; 7] = [
    71.0 / 57600.0,
    0.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
];

impl DormandPrince {
    /// Scratch for a system of dimension `dim`.
    pub fn new(dim: usize, options: OdeOptions) -> Self {
        Self {
            options,
            stages: std::array::from_fn(|_| vec![0.0; dim]),
            trial: vec![0.0; dim],
            next: vec![0.0; dim],
            previous: vec![0.0; dim],
            previous_slope: vec![0.0; dim],
        }
    }

    /// Integrates from `(t0, y)` to `t_end > t0` (landing on it exactly), overwriting `y`
    /// with the final state and calling `on_step` after every accepted step.
    ///
    /// Errors: a state or system of another dimension than the scratch, `t_end ≤ t0` or
    /// non-finite times, a non-finite state or derivative, a step size that underflows
    /// against `t`, or more than `max_steps` attempts.
    pub fn integrate<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        t0: f64,
        y: &mut [f64],
        t_end: f64,
        mut on_step: impl FnMut(&StepView<'_>) -> Flow,
    ) -> Result<OdeOutcome, OptimError> {
        let dim = self.trial.len();
        for got in [system.dim(), y.len()] {
            if got != dim {
                return Err(OptimError::DimensionMismatch { expected: dim, got });
            }
        }
        if !(t0.is_finite() && t_end.is_finite() && t_end > t0) {
            return Err(OptimError::InvalidTimeSpan { t0, t_end });
        }
        if let Some(index) = y.iter().position(|v| !v.is_finite()) {
            return Err(OptimError::NonFiniteParameter {
                index,
                value: y[index],
            });
        }
        system.derivative(t0, y, &mut self.stages[0]);
        let mut h = self.initial_step(y, t_end - t0);
        let mut t = t0;
        let mut outcome = OdeOutcome {
            t,
            accepted: 0,
            rejected: 0,
            stopped: false,
        };
        for _ in 0..self.options.max_steps {
            if !self.stages[0].iter().all(|v| v.is_finite()) {
                return Err(OptimError::NonFiniteFlow { t });
            }
            let last = t + h >= t_end;
            let step = if last { t_end - t } else { h };
            if step <= f64::EPSILON * t.abs().max(1.0) * 4.0 {
                return Err(OptimError::StepSizeUnderflow { t });
            }
            let error = self.attempt(system, t, y, step);
            if error.is_finite() && error <= 1.0 {
                self.previous.copy_from_slice(y);
                self.previous_slope.copy_from_slice(&self.stages[0]);
                y.copy_from_slice(&self.next);
                let (first, rest) = self.stages.split_at_mut(1);
                first[0].copy_from_slice(&rest[5]);
                let t_next = if last { t_end } else { t + step };
                outcome.accepted += 1;
                let view = StepView {
                    t0: t,
                    t1: t_next,
                    y0: &self.previous,
                    y1: y,
                    dy0: &self.previous_slope,
                    dy1: &self.stages[0],
                };
                let flow = on_step(&view);
                t = t_next;
                outcome.t = t;
                if flow == Flow::Stop {
                    outcome.stopped = true;
                    return Ok(outcome);
                }
                if last {
                    return Ok(outcome);
                }
            } else {
                outcome.rejected += 1;
            }
            let factor = if error.is_finite() {
                (0.9 * error.powf(-0.2)).clamp(0.2, 5.0)
            } else {
                0.2
            };
            h = step * factor;
        }
        Err(OptimError::OdeStepBudget {
            t,
            steps: self.options.max_steps,
        })
    }

    /// A first step from the sizes of `y` and `F(t0, y)` (in `stages[0]`), at most `span`.
    fn initial_step(&self, y: &[f64], span: f64) -> f64 {
        let scale = |i: usize| {
            self.options.absolute_tolerance + self.options.relative_tolerance * y[i].abs()
        };
        let rms = |v: &[f64]| {
            (v.iter()
                .enumerate()
                .map(|(i, x)| (x / scale(i)).powi(2))
                .sum::<f64>()
                / v.len().max(1) as f64)
                .sqrt()
        };
        let (size, slope) = (rms(y), rms(&self.stages[0]));
        let h = if size < 1e-5 || slope < 1e-5 {
            1e-6
        } else {
            0.01 * size / slope
        };
        h.min(span)
    }

    /// One trial step of size `h` from `(t, y)`, with `stages[0] = F(t, y)`: writes the
    /// 5th-order state to `next`, its derivative to `stages[6]`, and returns the scaled error.
    fn attempt<S: OdeSystem + ?Sized>(&mut self, system: &mut S, t: f64, y: &[f64], h: f64) -> f64 {
        for stage in 1..7 {
            let weights = A[stage - 1];
            for (i, (trial, start)) in self.trial.iter_mut().zip(y).enumerate() {
                let increment: f64 = weights
                    .iter()
                    .enumerate()
                    .map(|(j, a)| a * self.stages[j][i])
                    .sum();
                *trial = start + h * increment;
            }
            if stage == 6 {
                self.next.copy_from_slice(&self.trial);
            }
            system.derivative(t + C[stage - 1] * h, &self.trial, &mut self.stages[stage]);
        }
        let (rtol, atol) = (
            self.options.relative_tolerance,
            self.options.absolute_tolerance,
        );
        let sum: f64 = (0..y.len())
            .map(|i| {
                let e: f64 = h * (0..7).map(|j| ERROR[j] * self.stages[j][i]).sum::<f64>();
                let scale = atol + rtol * y[i].abs().max(self.next[i].abs());
                (e / scale).powi(2)
            })
            .sum();
        (sum / y.len().max(1) as f64).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The harmonic oscillator `(x, v)' = (v, −x)`.
    struct Oscillator;
    impl OdeSystem for Oscillator {
        fn dim(&self) -> usize {
            2
        }
        fn derivative(&mut self, _: f64, y: &[f64], dy: &mut [f64]) {
            dy[0] = y[1];
            dy[1] = -y[0];
        }
    }

    #[test]
    fn oscillator_is_accurate_and_crossings_are_timed() {
        let mut solver = DormandPrince::new(2, OdeOptions::new(1e-11, 1e-13, 100_000).unwrap());
        let mut y = [1.0, 0.0];
        let mut zero = None;
        let outcome = solver
            .integrate(&mut Oscillator, 0.0, &mut y, 10.0, |step| {
                zero = zero.or(step.crossing(0, 0.0));
                Flow::Continue
            })
            .unwrap();
        assert_eq!(outcome.t, 10.0);
        assert!((y[0] - 10f64.cos()).abs() < 1e-8 && (y[1] + 10f64.sin()).abs() < 1e-8);
        assert!((zero.unwrap() - std::f64::consts::FRAC_PI_2).abs() < 1e-8);
    }

    #[test]
    fn callback_stops_and_bad_input_is_refused() {
        let options = OdeOptions::new(1e-8, 1e-10, 100).unwrap();
        let mut solver = DormandPrince::new(2, options);
        let mut y = [1.0, 0.0];
        let outcome = solver
            .integrate(&mut Oscillator, 0.0, &mut y, 10.0, |_| Flow::Stop)
            .unwrap();
        assert!(outcome.stopped && outcome.accepted == 1 && outcome.t < 10.0);
        assert!(matches!(
            solver.integrate(&mut Oscillator, 1.0, &mut y, 1.0, |_| Flow::Continue),
            Err(OptimError::InvalidTimeSpan { .. })
        ));
        assert!(matches!(
            solver.integrate(&mut Oscillator, 0.0, &mut [1.0], 1.0, |_| Flow::Continue),
            Err(OptimError::DimensionMismatch { .. })
        ));
        assert!(matches!(
            solver.integrate(&mut Oscillator, 0.0, &mut [f64::NAN, 0.0], 1.0, |_| {
                Flow::Continue
            }),
            Err(OptimError::NonFiniteParameter { .. })
        ));
        let mut tiny = DormandPrince::new(2, OdeOptions::new(1e-12, 1e-14, 3).unwrap());
        assert!(matches!(
            tiny.integrate(&mut Oscillator, 0.0, &mut [1.0, 0.0], 100.0, |_| {
                Flow::Continue
            }),
            Err(OptimError::OdeStepBudget { .. })
        ));
        assert!(OdeOptions::new(0.0, 1e-9, 10).is_err());
        assert!(OdeOptions::new(1e-9, f64::NAN, 10).is_err());
        assert_eq!(
            OdeOptions::new(1e-9, 1e-9, 0),
            Err(OptimError::ZeroMaxSteps)
        );
    }
}
