//! The cyclic policies of LRBench's Table I (Wu, Liu et al. 2019): TRI, TRI2, TRIEXP, SIN,
//! SIN2, SINEXP and COS, with their decreasing (falling-first) and restart (sawtooth) variants
//! from LRBench's code. The spec names are listed on [`Cyclic`].

use super::{Schedule, ScheduleError, SpecNumber, floored, interpolate, validate};
use std::f64::consts::{FRAC_PI_2, PI};
use std::fmt;

/// The shape of one cycle: `w(x)` for the position `x ∈ [0, 2)` in units of `l`, rising from
/// `w(0) = 0` to `w(1) = 1` and falling back to 0 at `x = 2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waveform {
    /// TRI's `(2/π)·|arcsin(sin(πt/(2l)))|`, evaluated as the equal, exact triangle
    /// `1 − |1 − x|`.
    Triangular,
    /// SIN's `|sin(πt/(2l))|`, i.e. `sin(πx/2)`.
    Sine,
    /// LRBench code's COS and UPCOS shape, `½(1 − cos(πx))`; see [`CycleMode::Falling`] for
    /// the disagreement between the paper's table and the code.
    Cosine,
}

impl Waveform {
    /// `w(x)` for `x ∈ [0, 2)`.
    pub(super) fn at(self, x: f64) -> f64 {
        match self {
            Self::Triangular => 1.0 - (1.0 - x).abs(),
            Self::Sine => (FRAC_PI_2 * x).sin(),
            Self::Cosine => 0.5 * (1.0 - (PI * x).cos()),
        }
    }
}

/// Where in its cycle a cyclic policy starts and whether it repeats the whole wave or only
/// its falling half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleMode {
    /// `x = (t mod 2l)/l`, cycle index `⌊t/(2l)⌋`: starts at `k0`, reaches `k1` at `t = l`,
    /// period `2l` (TRI, SIN; LRBench code's UPCOS).
    Rising,
    /// Half a period ahead, `t + l` in place of `t` (cycle index `⌊(t + l)/(2l)⌋`): starts at
    /// `k1` and reaches `k0` at `t = l`, period `2l` (LRBench code's DTRI, DSIN, COS). LRBench's
    /// table prints COS with `cos(2πt/l)` (period `l`) while its code uses
    /// `k0 + (k1 − k0)·½(1 + cos(πt/l))` (period `2l`); `cos` here follows the code.
    Falling,
    /// A sawtooth of period `l`: `x = 1 − (t mod l)/l`, cycle index `⌊t/l⌋`. It jumps to `k1`
    /// (times the amplitude) at every `t = n·l` and falls to `k0` along the wave's falling
    /// half (LRBench code's RSW, SINRSW, COSRSW). LRBench's code takes `x = 0` at `t = n·l`
    /// (the end of the previous tooth, `η = k0`); here the tooth restarts there, as in SGDR.
    Restarting,
}

impl CycleMode {
    /// The cycle index and the position `x` of step `t`, in exact integer arithmetic (u128:
    /// no overflow for any `t`, `l`).
    fn cycle_and_position(self, t: usize, l: usize) -> (u128, f64) {
        let (t, l) = (t as u128, l as u128);
        match self {
            Self::Rising | Self::Falling => {
                let shifted = if self == Self::Falling { t + l } else { t };
                let period = 2 * l;
                (shifted / period, (shifted % period) as f64 / l as f64)
            }
            Self::Restarting => (t / l, (l - t % l) as f64 / l as f64),
        }
    }
}

/// How the amplitude `a(t)` of a cyclic policy shrinks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AmplitudeDecay {
    /// `a = 1` (TRI, SIN, COS).
    Constant,
    /// `a = 2^−c` with `c` the cycle index of [`CycleMode`] (TRI2, SIN2, COS2).
    Halving,
    /// `a = γ^t`, `γ ∈ (0, 1]` (TRIEXP, SINEXP, COSEXP).
    Exponential {
        /// Per-step decay factor `γ ∈ (0, 1]`.
        gamma: f64,
    },
}

impl AmplitudeDecay {
    fn suffix(self) -> &'static str {
        match self {
            Self::Constant => "",
            Self::Halving => "2",
            Self::Exponential { .. } => "exp",
        }
    }
}

fn stem(waveform: Waveform, mode: CycleMode) -> &'static str {
    match (waveform, mode) {
        (Waveform::Triangular, CycleMode::Rising) => "tri",
        (Waveform::Sine, CycleMode::Rising) => "sin",
        (Waveform::Cosine, CycleMode::Rising) => "upcos",
        (Waveform::Triangular, CycleMode::Falling) => "dtri",
        (Waveform::Sine, CycleMode::Falling) => "dsin",
        (Waveform::Cosine, CycleMode::Falling) => "cos",
        (Waveform::Triangular, CycleMode::Restarting) => "rtri",
        (Waveform::Sine, CycleMode::Restarting) => "rsin",
        (Waveform::Cosine, CycleMode::Restarting) => "rcos",
    }
}

/// Splits a cyclic spec name into wave, mode and amplitude suffix (`""`, `"2"` or `"exp"`);
/// `None` for any other name.
pub(super) fn split_cyclic_name(name: &str) -> Option<(Waveform, CycleMode, &str)> {
    let waveforms = [Waveform::Triangular, Waveform::Sine, Waveform::Cosine];
    let modes = [CycleMode::Rising, CycleMode::Falling, CycleMode::Restarting];
    waveforms
        .into_iter()
        .flat_map(|waveform| modes.map(|mode| (waveform, mode)))
        .find_map(|(waveform, mode)| {
            let suffix = name.strip_prefix(stem(waveform, mode))?;
            ["", "2", "exp"]
                .contains(&suffix)
                .then_some((waveform, mode, suffix))
        })
}

/// A cyclic policy (LRBench, Table I and code): `η_t = k0 + (k1 − k0)·a(t)·w(x)`, a wave
/// `w ∈ [0, 1]` of the position `x` within a cycle ([`Waveform`], [`CycleMode`]) scaled by an
/// amplitude `a(t) ∈ (0, 1]` ([`AmplitudeDecay`]). `η_t` stays between `k0` and `k1` (either
/// may be the larger) and a shrinking amplitude pulls it toward `k0`. It is evaluated as
/// `k0·(1 − s) + k1·s` with `s = a·w`, exact at both bounds.
///
/// | spec names | wave | mode | LRBench names |
/// | --- | --- | --- | --- |
/// | `tri`, `tri2`, `triexp` | triangle | rising | TRI, TRI2, TRIEXP |
/// | `sin`, `sin2`, `sinexp` | sine | rising | SIN, SIN2, SINEXP |
/// | `upcos`, `upcos2`, `upcosexp` | cosine | rising | UPCOS, UPCOS2, UPCOSEXP (code only) |
/// | `dtri`, `dtri2`, `dtriexp` | triangle | falling | DTRI, DTRI2, DTRIEXP (code only) |
/// | `dsin`, `dsin2`, `dsinexp` | sine | falling | DSIN, DSIN2, DSINEXP (code only) |
/// | `cos`, `cos2`, `cosexp` | cosine | falling | COS (table), COS2, COSEXP (code only) |
/// | `rtri`, `rtri2`, `rtriexp` | triangle | restarting | RSW, RSW2, RSWEXP (code only) |
/// | `rsin`, `rsin2`, `rsinexp` | sine | restarting | SINRSW, SINRSW2, SINRSWEXP (code only) |
/// | `rcos`, `rcos2`, `rcosexp` | cosine | restarting | COSRSW, COSRSW2, COSRSWEXP (code only) |
///
/// The suffix picks the amplitude: none for a constant one, `2` for halving every cycle,
/// `exp` for `γ^t` (which adds the parameter `gamma`). The `d` prefix (decreasing) starts
/// half a period ahead, at `k1`, falling first; the `r` prefix restarts every `l` steps.
/// LRBench's COS already falls first (it starts at `k1`), so the cosine family has no
/// `d`-prefixed name: `cos` is the falling one and `upcos` (LRBench's name) the rising one.
///
/// Spec: `tri:k0=0.01,k1=0.1,l=500`, `sinexp:k0=0.01,k1=0.1,gamma=0.999,l=500`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cyclic {
    waveform: Waveform,
    mode: CycleMode,
    decay: AmplitudeDecay,
    k0: f64,
    k1: f64,
    l: usize,
}

impl Cyclic {
    /// `k0 > 0` and `k1 > 0` finite, `l ≥ 1` (the half period, or the period when
    /// restarting), `γ ∈ (0, 1]` for [`AmplitudeDecay::Exponential`].
    pub fn new(
        waveform: Waveform,
        mode: CycleMode,
        decay: AmplitudeDecay,
        k0: f64,
        k1: f64,
        l: usize,
    ) -> Result<Self, ScheduleError> {
        let policy = format!("{}{}", stem(waveform, mode), decay.suffix());
        if let AmplitudeDecay::Exponential { gamma } = decay {
            validate::factor(&policy, "gamma", gamma)?;
        }
        Ok(Self {
            waveform,
            mode,
            decay,
            k0: validate::positive(&policy, "k0", k0)?,
            k1: validate::positive(&policy, "k1", k1)?,
            l: validate::at_least_one(&policy, "l", l)?,
        })
    }
}

impl Schedule for Cyclic {
    fn learning_rate(&self, t: usize) -> f64 {
        let (cycle, x) = self.mode.cycle_and_position(t, self.l);
        let amplitude = match self.decay {
            AmplitudeDecay::Constant => 1.0,
            AmplitudeDecay::Halving => (-(cycle as f64)).exp2(),
            AmplitudeDecay::Exponential { gamma } => gamma.powf(t as f64),
        };
        floored(interpolate(
            self.k0,
            self.k1,
            amplitude * self.waveform.at(x),
        ))
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

impl fmt::Display for Cyclic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}:k0={},k1={}",
            stem(self.waveform, self.mode),
            self.decay.suffix(),
            SpecNumber(self.k0),
            SpecNumber(self.k1)
        )?;
        if let AmplitudeDecay::Exponential { gamma } = self.decay {
            write!(f, ",gamma={}", SpecNumber(gamma))?;
        }
        write!(f, ",l={}", self.l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cyclic(waveform: Waveform, mode: CycleMode, decay: AmplitudeDecay) -> Cyclic {
        Cyclic::new(waveform, mode, decay, 0.1, 0.5, 10).unwrap()
    }

    fn assert_rates(schedule: &Cyclic, expected: &[(usize, f64)]) {
        for &(t, rate) in expected {
            let got = schedule.learning_rate(t);
            assert!(
                (got - rate).abs() <= 1e-15,
                "{schedule} at t = {t}: got {got}, expected {rate}"
            );
        }
    }

    #[test]
    fn rising_waves_start_at_k0_and_peak_at_l() {
        use {AmplitudeDecay::Constant, CycleMode::Rising};
        let tri = cyclic(Waveform::Triangular, Rising, Constant);
        assert_rates(
            &tri,
            &[
                (0, 0.1),
                (5, 0.3),
                (10, 0.5),
                (15, 0.3),
                (20, 0.1),
                (22, 0.18),
            ],
        );
        let sin = cyclic(Waveform::Sine, Rising, Constant);
        let sin_quarter = 0.1 + 0.4 * (PI / 4.0).sin();
        assert_rates(
            &sin,
            &[(0, 0.1), (5, sin_quarter), (10, 0.5), (15, sin_quarter)],
        );
        let upcos = cyclic(Waveform::Cosine, Rising, Constant);
        assert_rates(&upcos, &[(0, 0.1), (5, 0.3), (10, 0.5), (20, 0.1)]);
    }

    #[test]
    fn falling_waves_start_at_k1_and_cos_has_period_2l() {
        use {AmplitudeDecay::Constant, CycleMode::Falling};
        let dtri = cyclic(Waveform::Triangular, Falling, Constant);
        assert_rates(&dtri, &[(0, 0.5), (5, 0.3), (10, 0.1), (20, 0.5)]);
        let dsin = cyclic(Waveform::Sine, Falling, Constant);
        assert_rates(&dsin, &[(0, 0.5), (10, 0.1), (20, 0.5)]);
        // LRBench code: k0 + (k1 − k0)·½(1 + cos(πt/l)); the table's cos(2πt/l) would give k1
        // at t = l.
        let cos = cyclic(Waveform::Cosine, Falling, Constant);
        let code_formula = |t: f64| 0.1 + 0.4 * 0.5 * (1.0 + (PI * t / 10.0).cos());
        assert_rates(
            &cos,
            &[(0, 0.5), (3, code_formula(3.0)), (10, 0.1), (20, 0.5)],
        );
    }

    #[test]
    fn halving_and_exponential_amplitudes() {
        let tri2 = cyclic(
            Waveform::Triangular,
            CycleMode::Rising,
            AmplitudeDecay::Halving,
        );
        assert_rates(&tri2, &[(10, 0.5), (25, 0.2), (30, 0.3), (50, 0.2)]);
        let dtri2 = cyclic(
            Waveform::Triangular,
            CycleMode::Falling,
            AmplitudeDecay::Halving,
        );
        assert_rates(&dtri2, &[(0, 0.5), (10, 0.1), (20, 0.3), (40, 0.2)]);
        let gamma = 0.9;
        let triexp = cyclic(
            Waveform::Triangular,
            CycleMode::Rising,
            AmplitudeDecay::Exponential { gamma },
        );
        assert_rates(&triexp, &[(0, 0.1), (10, 0.1 + 0.4 * gamma.powi(10))]);
        let cosexp = cyclic(
            Waveform::Cosine,
            CycleMode::Falling,
            AmplitudeDecay::Exponential { gamma },
        );
        assert_rates(&cosexp, &[(0, 0.5), (20, 0.1 + 0.4 * gamma.powi(20))]);
    }

    #[test]
    fn restarting_waves_jump_to_k1_every_l_steps() {
        use {AmplitudeDecay::Constant, CycleMode::Restarting};
        let rtri = cyclic(Waveform::Triangular, Restarting, Constant);
        assert_rates(
            &rtri,
            &[(0, 0.5), (5, 0.3), (9, 0.14), (10, 0.5), (15, 0.3)],
        );
        let rcos = cyclic(Waveform::Cosine, Restarting, Constant);
        assert_rates(&rcos, &[(0, 0.5), (5, 0.3), (10, 0.5)]);
        let rsin = cyclic(Waveform::Sine, Restarting, Constant);
        assert_rates(&rsin, &[(0, 0.5), (5, 0.1 + 0.4 * (PI / 4.0).sin())]);
        let rtri2 = cyclic(Waveform::Triangular, Restarting, AmplitudeDecay::Halving);
        assert_rates(&rtri2, &[(0, 0.5), (10, 0.3), (15, 0.2), (20, 0.2)]);
    }

    #[test]
    fn a_tiny_bound_is_not_lost_against_a_large_one() {
        let falling = Cyclic::new(
            Waveform::Triangular,
            CycleMode::Falling,
            AmplitudeDecay::Constant,
            1e-4,
            1e-300,
            1,
        )
        .unwrap();
        assert_eq!(falling.learning_rate(0), 1e-300);
        assert_eq!(falling.learning_rate(1), 1e-4);
    }

    #[test]
    fn every_name_splits_back_into_its_parts() {
        let decays = [
            AmplitudeDecay::Constant,
            AmplitudeDecay::Halving,
            AmplitudeDecay::Exponential { gamma: 0.5 },
        ];
        let mut names = Vec::new();
        for waveform in [Waveform::Triangular, Waveform::Sine, Waveform::Cosine] {
            for mode in [CycleMode::Rising, CycleMode::Falling, CycleMode::Restarting] {
                for decay in decays {
                    let name = format!("{}{}", stem(waveform, mode), decay.suffix());
                    assert_eq!(
                        split_cyclic_name(&name),
                        Some((waveform, mode, decay.suffix()))
                    );
                    names.push(name);
                }
            }
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 27);
        for other in ["cosine", "tri3", "d", "", "exp", "trie"] {
            assert_eq!(split_cyclic_name(other), None);
        }
        let sinexp = Cyclic::new(
            Waveform::Sine,
            CycleMode::Rising,
            AmplitudeDecay::Exponential { gamma: 0.5 },
            0.1,
            0.5,
            10,
        )
        .unwrap();
        assert_eq!(sinexp.to_string(), "sinexp:k0=0.1,k1=0.5,gamma=0.5,l=10");
    }
}
