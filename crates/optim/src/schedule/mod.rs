//! Learning-rate schedules: the [`Schedule`] trait (`η_t` from the step `t`) and
//! [`LrSchedule`], one enum over every policy, written and read as a spec string.
//!
//! The policies are the thirteen functions of LRBench's Table I (Wu, Liu et al. 2019,
//! "Demystifying learning rate policies for high accuracy training of deep neural networks")
//! with the decreasing and restart variants of its code, cosine annealing, SGDR warm
//! restarts, one-cycle, a linear warm-up in front of any schedule, and sequences of pieces.
//! Each type's documentation gives its formula and source.
//!
//! # Spec strings
//!
//! A spec is `name:key=value,key=value,...` with no spaces; numbers are Rust `f64` or
//! `usize` literals. [`LrSchedule`]'s `Display` writes the spec and `FromStr` reads it back,
//! bit for bit: `s.to_string().parse() == Ok(s)`.
//!
//! | policy | example |
//! | --- | --- |
//! | [`Fixed`] | `fix:k0=0.1` |
//! | [`StepDecay`] | `step:k0=1,gamma=0.1,l=1000` |
//! | [`MultiStepDecay`] | `nstep:k0=1,gamma=0.1,l=[100,200]` |
//! | [`ExponentialDecay`] | `exp:k0=0.5,k1=0.01,gamma=0.999` |
//! | [`InverseDecay`] | `inv:k0=0.1,gamma=0.001,p=0.75` |
//! | [`PolynomialDecay`] | `poly:k0=0.5,p=2,l=200` |
//! | [`Cyclic`] (27 names) | `tri:k0=0.01,k1=0.1,l=500`, `cos:k0=0.01,k1=0.1,l=500`, `dsin2:k0=0.01,k1=0.1,l=500`, `rtriexp:k0=0.01,k1=0.1,gamma=0.999,l=500` |
//! | [`CosineAnnealing`] | `cosine:k0=0.5,floor=0.01,T=3000` |
//! | [`WarmRestarts`] | `sgdr:k0=0.1,floor=0.001,T0=100,Tmult=2` |
//! | [`OneCycle`] | `onecycle:k0=0.1,k1=1,l=400,T=1000,floor=0.001` |
//! | [`Warmup`] | `warmup:steps=100,then=step:k0=1,gamma=0.1,l=1000` |
//! | [`Sequence`] | `seq:[fix:k0=2@500,cosine:k0=0.5,T=2500]` |
//!
//! Decaying policies go from `k0` toward `k1` (default 0, must be below `k0`), cosine
//! annealing, SGDR and one-cycle toward `floor` (default 0); cyclic ones oscillate between
//! `k0` and `k1`. LRBench's table gives only POLY a `k1`; STEP, NSTEP, EXP and INV take one
//! here too, so that a decay can level off at a positive rate (with `k1 = 0` they are the
//! table's `k0·d(t)`). Parameters may come in any order, except that `warmup`'s `then` comes
//! last, since the nested spec takes every parameter after it. Defaults are not printed.
//! Composites nest at most [`MAX_NESTING_DEPTH`] deep.
//!
//! # Always positive
//!
//! Every `η_t` is finite and `> 0` for every `t`, up to `usize::MAX`. Where a formula reaches
//! 0 (a decay to `k1 = 0` or `floor = 0`, or `γ^t` underflowing), `η_t` is
//! [`LEARNING_RATE_FLOOR`] instead.
//!
//! ```
//! use catapult_optim::{LrSchedule, Schedule};
//!
//! let schedule: LrSchedule = "warmup:steps=99,then=cosine:k0=0.5,floor=0.01,T=3000".parse()?;
//! assert_eq!(schedule.learning_rate(49), 0.25); // half-way up the ramp
//! assert_eq!(schedule.learning_rate(99), 0.5); // the cosine starts at k0
//! assert_eq!(schedule.learning_rate(99 + 3000), 0.01); // and ends at the floor
//! assert_eq!(schedule.horizon(), Some(3099));
//! assert_eq!(schedule.to_string().parse::<LrSchedule>()?, schedule);
//! # Ok::<(), catapult_optim::ScheduleError>(())
//! ```

mod annealing;
mod composite;
mod cyclic;
mod decay;
mod error;
mod parse;
#[cfg(feature = "serde")]
mod serde_string;
mod validate;

pub use annealing::{CosineAnnealing, OneCycle, WarmRestarts};
pub use composite::{Sequence, Warmup};
pub use cyclic::{AmplitudeDecay, CycleMode, Cyclic, Waveform};
pub use decay::{
    ExponentialDecay, Fixed, InverseDecay, MultiStepDecay, PolynomialDecay, StepDecay,
};
pub use error::ScheduleError;

use std::fmt;

/// The learning rate a schedule gives where its formula would reach 0 or below:
/// `f64::MIN_POSITIVE`, the smallest positive normal `f64`.
pub const LEARNING_RATE_FLOOR: f64 = f64::MIN_POSITIVE;

/// How deep composites (`warmup`, `seq`) may nest, so that parsing, evaluating and dropping
/// a schedule never overflows the stack.
pub const MAX_NESTING_DEPTH: usize = 32;

/// A step-size schedule: the learning rate `η_t` for each step `t = 0, 1, 2, …`.
pub trait Schedule {
    /// `η_t`: finite and `> 0` for every `t`.
    fn learning_rate(&self, t: usize) -> f64;

    /// The number of steps `T` the schedule is planned over, after which `η_t` stays at its
    /// final value; `None` for schedules without one.
    fn horizon(&self) -> Option<usize>;

    /// `max_{t < steps} η_t`, the largest step of a run of `steps` steps (step 0 alone when
    /// `steps` is 0). O(steps) evaluations.
    fn peak_learning_rate(&self, steps: usize) -> f64 {
        (0..steps.max(1))
            .map(|t| self.learning_rate(t))
            .fold(0.0, f64::max)
    }
}

/// A constant step size: `η_t = self` for every `t`, with no horizon. Unlike [`Fixed::new`]
/// it is not checked when built; [`crate::train`] rejects it before the first step unless it
/// is finite and `> 0`.
impl Schedule for f64 {
    fn learning_rate(&self, _t: usize) -> f64 {
        *self
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

/// Any schedule of this module, as one value that prints as and parses from its spec string.
#[derive(Debug, Clone, PartialEq)]
pub enum LrSchedule {
    /// Constant rate, `fix` ([`Fixed`]).
    Fixed(Fixed),
    /// Step decay by `γ` every `l` steps, `step` ([`StepDecay`]).
    Step(StepDecay),
    /// Decay by `γ` at listed steps, `nstep` ([`MultiStepDecay`]).
    MultiStep(MultiStepDecay),
    /// Exponential decay, `exp` ([`ExponentialDecay`]).
    Exponential(ExponentialDecay),
    /// Inverse-time decay, `inv` ([`InverseDecay`]).
    Inverse(InverseDecay),
    /// Polynomial decay, `poly` ([`PolynomialDecay`]).
    Polynomial(PolynomialDecay),
    /// Cyclic rates, `tri`/`sin`/`cos` and their `2`/`exp` variants ([`Cyclic`]).
    Cyclic(Cyclic),
    /// Cosine annealing, `cosine` ([`CosineAnnealing`]).
    Cosine(CosineAnnealing),
    /// Cosine annealing with warm restarts (SGDR), `sgdr` ([`WarmRestarts`]).
    WarmRestarts(WarmRestarts),
    /// One-cycle policy, `onecycle` ([`OneCycle`]).
    OneCycle(OneCycle),
    /// Warm-up before another schedule, `warmup` ([`Warmup`]).
    Warmup(Warmup),
    /// Schedules run one after another, `seq` ([`Sequence`]).
    Sequence(Sequence),
}

/// What every policy provides: its rates and its spec string.
trait Policy: Schedule + fmt::Display {}

impl<P: Schedule + fmt::Display> Policy for P {}

impl LrSchedule {
    fn policy(&self) -> &dyn Policy {
        match self {
            Self::Fixed(policy) => policy,
            Self::Step(policy) => policy,
            Self::MultiStep(policy) => policy,
            Self::Exponential(policy) => policy,
            Self::Inverse(policy) => policy,
            Self::Polynomial(policy) => policy,
            Self::Cyclic(policy) => policy,
            Self::Cosine(policy) => policy,
            Self::WarmRestarts(policy) => policy,
            Self::OneCycle(policy) => policy,
            Self::Warmup(policy) => policy,
            Self::Sequence(policy) => policy,
        }
    }

    /// How many composites (`warmup`, `seq`) are nested in this schedule: 0 for a plain
    /// policy.
    fn nesting_depth(&self) -> usize {
        match self {
            Self::Warmup(warmup) => 1 + warmup.then().nesting_depth(),
            Self::Sequence(sequence) => {
                1 + sequence
                    .pieces()
                    .map(Self::nesting_depth)
                    .max()
                    .unwrap_or(0)
            }
            _ => 0,
        }
    }
}

impl Schedule for LrSchedule {
    fn learning_rate(&self, t: usize) -> f64 {
        self.policy().learning_rate(t)
    }

    fn horizon(&self) -> Option<usize> {
        self.policy().horizon()
    }
}

impl fmt::Display for LrSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.policy(), f)
    }
}

macro_rules! into_lr_schedule {
    ($($variant:ident($policy:ty)),* $(,)?) => {
        $(impl From<$policy> for LrSchedule {
            fn from(policy: $policy) -> Self {
                Self::$variant(policy)
            }
        })*
    };
}

into_lr_schedule!(
    Fixed(Fixed),
    Step(StepDecay),
    MultiStep(MultiStepDecay),
    Exponential(ExponentialDecay),
    Inverse(InverseDecay),
    Polynomial(PolynomialDecay),
    Cyclic(Cyclic),
    Cosine(CosineAnnealing),
    WarmRestarts(WarmRestarts),
    OneCycle(OneCycle),
    Warmup(Warmup),
    Sequence(Sequence),
);

/// `from·(1 − s) + to·s` for `s ∈ [0, 1]`: exactly `from` at `s = 0` and `to` at `s = 1` (so a
/// tiny end is not lost to cancellation against a large start), and never outside them.
fn interpolate(from: f64, to: f64, s: f64) -> f64 {
    (from * (1.0 - s) + to * s)
        .max(from.min(to))
        .min(from.max(to))
}

/// `rate`, or [`LEARNING_RATE_FLOOR`] where `rate` is below it (or NaN).
fn floored(rate: f64) -> f64 {
    rate.max(LEARNING_RATE_FLOOR)
}

/// An `f64` as written in a spec: Rust's shortest representation that reads back to the same
/// bits, in plain notation for magnitudes in `[1e-5, 1e16)` and in `1e-7` notation otherwise.
struct SpecNumber(f64);

impl fmt::Display for SpecNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.abs();
        if magnitude == 0.0 || (1e-5..1e16).contains(&magnitude) {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:e}", self.0)
        }
    }
}

/// Writes `,name=value` unless `value` is the default 0.
fn write_unless_zero(f: &mut fmt::Formatter<'_>, name: &str, value: f64) -> fmt::Result {
    if value == 0.0 {
        Ok(())
    } else {
        write!(f, ",{name}={}", SpecNumber(value))
    }
}
