//! Losses of a sample's whole output vector `f ∈ R^C` against its label: the scalar losses
//! for C = 1, softmax cross-entropy and the one-hot squared loss for C ≥ 2 classes.
//!
//! | loss | `ℓ(f, k)` | `∇_f ℓ` | `∇²_f ℓ` |
//! | --- | --- | --- | --- |
//! | [`OutputLoss::CrossEntropy`] | `log Σ_c e^{f_c} − f_k` | `p − e_k` | `diag(p) − p pᵀ` |
//! | [`OutputLoss::OneHotSquared`] | `½ ‖f − e_k‖²` | `f − e_k` | `I` |
//!
//! with `k ∈ {0, …, C−1}` the sample's class, `e_k` its one-hot vector and `p = softmax(f)`,
//! `p_c = e^{f_c} / Σ_j e^{f_j}`. The one-hot squared loss is the MSE convention of
//! Lewkowycz et al. (2020) and of Cohen et al. (2021) on multi-class data: the sum over the C
//! outputs of half the squared error against the one-hot target, averaged over the samples
//! (not over the nC outputs). Cross-entropy is evaluated without overflow for logits of any
//! size: every exponential is of a logit minus the largest one, and where the true class holds
//! the largest logit the value is `log1p(Σ_{c≠k} e^{f_c − f_k})`, exact to relative precision
//! however small it gets (and `∂ℓ/∂f_k = −Σ_{c≠k} p_c`, not `p_k − 1` rounded to zero).
//!
//! ```
//! use catapult_losses::{LossKind, OutputLoss};
//! let loss = LossKind::CrossEntropy.for_outputs(3).unwrap();
//! let mut gradient = [0.0; 3];
//! let value = loss.value_and_gradient(&[0.0, 0.0, 0.0], 2.0, &mut gradient);
//! assert!((value - 3f64.ln()).abs() < 1e-15);
//! assert!((gradient[2] + 2.0 / 3.0).abs() < 1e-15);
//! assert_eq!(LossKind::Squared.for_outputs(1), Ok(OutputLoss::Scalar(catapult_losses::Loss::Squared)));
//! ```

use crate::Loss;
use std::fmt;
use std::str::FromStr;

/// The loss a run names: one of the scalar [`Loss`]es or softmax cross-entropy. Which
/// [`OutputLoss`] it is depends on the number of outputs ([`LossKind::for_outputs`]):
/// `squared` is the scalar squared loss for one output and the one-hot squared loss for
/// C ≥ 2; `cross-entropy` needs C ≥ 2; `logistic` and `exponential` need C = 1 (labels ±1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum LossKind {
    /// [`Loss::Logistic`], one output, labels ±1.
    Logistic,
    /// [`Loss::Exponential`], one output, labels ±1.
    Exponential,
    /// [`Loss::Squared`] for one output, [`OutputLoss::OneHotSquared`] for C ≥ 2.
    Squared,
    /// [`OutputLoss::CrossEntropy`], C ≥ 2 outputs.
    CrossEntropy,
}

/// A loss name that is not one of [`LossKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown loss `{0}`: expected one of logistic, exponential, squared, cross-entropy")]
pub struct UnknownLossKind(pub String);

/// A loss asked for a number of outputs it cannot serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {loss} loss cannot be used with {outputs} output(s): {requirement}")]
pub struct OutputCountMismatch {
    /// The loss's name.
    pub loss: &'static str,
    /// The number of outputs C asked for.
    pub outputs: usize,
    /// What the loss needs, in words.
    pub requirement: &'static str,
}

impl LossKind {
    /// Every loss, in a fixed order.
    pub const ALL: [LossKind; 4] = [
        LossKind::Logistic,
        LossKind::Exponential,
        LossKind::Squared,
        LossKind::CrossEntropy,
    ];

    /// The name used in configs and tables.
    pub fn name(self) -> &'static str {
        match self {
            LossKind::Logistic => "logistic",
            LossKind::Exponential => "exponential",
            LossKind::Squared => "squared",
            LossKind::CrossEntropy => "cross-entropy",
        }
    }

    /// The scalar loss this names, for one output; `None` for cross-entropy.
    pub fn scalar(self) -> Option<Loss> {
        match self {
            LossKind::Logistic => Some(Loss::Logistic),
            LossKind::Exponential => Some(Loss::Exponential),
            LossKind::Squared => Some(Loss::Squared),
            LossKind::CrossEntropy => None,
        }
    }

    /// Whether the loss classifies by a label (±1 for one output, a class index for C ≥ 2)
    /// rather than regressing on a real target: every loss but `squared`.
    pub fn is_classification(self) -> bool {
        !matches!(self, LossKind::Squared)
    }

    /// The loss of `outputs` outputs per sample. Errors: cross-entropy with fewer than two
    /// outputs, a margin loss (logistic, exponential) with more than one, zero outputs.
    pub fn for_outputs(self, outputs: usize) -> Result<OutputLoss, OutputCountMismatch> {
        let mismatch = |requirement| OutputCountMismatch {
            loss: self.name(),
            outputs,
            requirement,
        };
        match (self, outputs) {
            (_, 0) => Err(mismatch("a model has at least one output")),
            (LossKind::CrossEntropy, 1) => Err(mismatch(
                "softmax cross-entropy needs C >= 2 classes (for two classes with ±1 labels use logistic)",
            )),
            (LossKind::CrossEntropy, _) => Ok(OutputLoss::CrossEntropy),
            (LossKind::Squared, 2..) => Ok(OutputLoss::OneHotSquared),
            (LossKind::Logistic | LossKind::Exponential, 2..) => Err(mismatch(
                "a margin loss has one output with labels ±1 (for C >= 2 classes use cross-entropy or squared)",
            )),
            (scalar, 1) => Ok(OutputLoss::Scalar(
                scalar.scalar().expect("cross-entropy is handled above"),
            )),
        }
    }
}

impl From<Loss> for LossKind {
    fn from(loss: Loss) -> Self {
        match loss {
            Loss::Logistic => LossKind::Logistic,
            Loss::Exponential => LossKind::Exponential,
            Loss::Squared => LossKind::Squared,
        }
    }
}

impl fmt::Display for LossKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LossKind {
    type Err = UnknownLossKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LossKind::ALL
            .into_iter()
            .find(|loss| loss.name() == s)
            .ok_or_else(|| UnknownLossKind(s.to_string()))
    }
}

/// The loss of one sample's C outputs `f` (a slice of length C) against its target: for
/// [`OutputLoss::Scalar`] the target `y` itself (C = 1), for the class losses the class index
/// `k` stored as an exact `f64` in `0..C` (see the module documentation for the formulas).
/// Callers check the targets once ([`OutputLoss::check_target`]); the evaluation methods take
/// them as checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputLoss {
    /// A scalar loss of the single output.
    Scalar(Loss),
    /// Softmax cross-entropy over C ≥ 2 logits.
    CrossEntropy,
    /// `½‖f − e_k‖²` over C ≥ 2 outputs.
    OneHotSquared,
}

/// A target the loss cannot take.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    /// A margin loss's label other than ±1.
    #[error("the {loss} loss needs labels -1 or +1, got {value}")]
    NotBinary {
        /// The loss's name.
        loss: &'static str,
        /// The label found.
        value: f64,
    },
    /// A class loss's label that is not a class index below C.
    #[error("the {loss} loss needs a class index in 0..{classes}, got {value}")]
    NotAClass {
        /// The loss's name.
        loss: &'static str,
        /// The number of classes C.
        classes: usize,
        /// The label found.
        value: f64,
    },
}

impl From<Loss> for OutputLoss {
    fn from(loss: Loss) -> Self {
        OutputLoss::Scalar(loss)
    }
}

impl OutputLoss {
    /// The name of the loss as a run names it (`squared` for both squared losses).
    pub fn kind(self) -> LossKind {
        match self {
            OutputLoss::Scalar(loss) => loss.into(),
            OutputLoss::CrossEntropy => LossKind::CrossEntropy,
            OutputLoss::OneHotSquared => LossKind::Squared,
        }
    }

    /// Whether `target` is a label this loss takes with `outputs` outputs: ±1 for the margin
    /// losses, any finite value for the scalar squared loss, a class index in `0..outputs`
    /// for the class losses.
    pub fn check_target(self, target: f64, outputs: usize) -> Result<(), TargetError> {
        let loss = self.kind().name();
        match self {
            OutputLoss::Scalar(scalar) if scalar.is_classification() => {
                if target == 1.0 || target == -1.0 {
                    Ok(())
                } else {
                    Err(TargetError::NotBinary {
                        loss,
                        value: target,
                    })
                }
            }
            OutputLoss::Scalar(_) => Ok(()),
            OutputLoss::CrossEntropy | OutputLoss::OneHotSquared => {
                if target >= 0.0 && target.fract() == 0.0 && target < outputs as f64 {
                    Ok(())
                } else {
                    Err(TargetError::NotAClass {
                        loss,
                        classes: outputs,
                        value: target,
                    })
                }
            }
        }
    }

    /// Whether the Hessian in the outputs is diagonal (every loss but cross-entropy), so that
    /// [`OutputLoss::second_derivatives`] gives it whole.
    pub fn has_diagonal_hessian(self) -> bool {
        !matches!(self, OutputLoss::CrossEntropy)
    }

    /// `ℓ(f, target)`.
    pub fn value(self, f: &[f64], target: f64) -> f64 {
        match self {
            OutputLoss::Scalar(loss) => loss.value(f[0], target),
            OutputLoss::CrossEntropy => cross_entropy(f, class_index(target)),
            OutputLoss::OneHotSquared => {
                let k = class_index(target);
                0.5 * f
                    .iter()
                    .enumerate()
                    .map(|(c, &fc)| (fc - one_hot(c, k)).powi(2))
                    .sum::<f64>()
            }
        }
    }

    /// `ℓ(f, target)`, writing `∇_f ℓ` into `gradient` (length C).
    pub fn value_and_gradient(self, f: &[f64], target: f64, gradient: &mut [f64]) -> f64 {
        match self {
            OutputLoss::Scalar(loss) => {
                let at = loss.eval(f[0], target);
                gradient[0] = at.first;
                at.value
            }
            OutputLoss::CrossEntropy => {
                let k = class_index(target);
                softmax(f, gradient);
                gradient[k] = -others_mass(f, k);
                cross_entropy(f, k)
            }
            OutputLoss::OneHotSquared => {
                let k = class_index(target);
                for (c, (g, &fc)) in gradient.iter_mut().zip(f).enumerate() {
                    *g = fc - one_hot(c, k);
                }
                self.value(f, target)
            }
        }
    }

    /// The diagonal of `∇²_f ℓ` into `out` (length C), for a loss with
    /// [`OutputLoss::has_diagonal_hessian`]; for cross-entropy the diagonal `p ⊙ (1 − p)`
    /// (which is not the whole Hessian).
    pub fn second_derivatives(self, f: &[f64], target: f64, out: &mut [f64]) {
        match self {
            OutputLoss::Scalar(loss) => out[0] = loss.eval(f[0], target).second,
            OutputLoss::OneHotSquared => out.fill(1.0),
            OutputLoss::CrossEntropy => {
                softmax(f, out);
                for p in out.iter_mut() {
                    *p *= 1.0 - *p;
                }
            }
        }
    }

    /// `out = ∇²_f ℓ · u` (u and out of length C). For cross-entropy,
    /// `(diag(p) − ppᵀ)u = p ⊙ (u − pᵀu)`, computed from `f` without scratch.
    pub fn hessian_product(self, f: &[f64], target: f64, u: &[f64], out: &mut [f64]) {
        match self {
            OutputLoss::Scalar(loss) => out[0] = loss.eval(f[0], target).second * u[0],
            OutputLoss::OneHotSquared => out.copy_from_slice(u),
            OutputLoss::CrossEntropy => {
                softmax(f, out);
                let mean: f64 = out.iter().zip(u).map(|(p, u)| p * u).sum();
                for (p, &uc) in out.iter_mut().zip(u) {
                    *p *= uc - mean;
                }
            }
        }
    }

    /// `out = ∇²_f ℓ · u` for cross-entropy given `p = softmax(f)` already computed:
    /// `p ⊙ (u − pᵀu)`. Lets a caller that applies the Hessian many times at one point
    /// store `p` once.
    pub fn softmax_hessian_product(p: &[f64], u: &[f64], out: &mut [f64]) {
        let mean: f64 = p.iter().zip(u).map(|(p, u)| p * u).sum();
        for ((o, &pc), &uc) in out.iter_mut().zip(p).zip(u) {
            *o = pc * (uc - mean);
        }
    }

    /// Whether the prediction `f` is right: `y·f > 0` for a scalar loss (a zero output or
    /// target counts as wrong), the class of the largest output equal to the label for the
    /// class losses (a tie for the largest counts as wrong).
    pub fn is_correct(self, f: &[f64], target: f64) -> bool {
        match self {
            OutputLoss::Scalar(_) => target * f[0] > 0.0,
            OutputLoss::CrossEntropy | OutputLoss::OneHotSquared => {
                let k = class_index(target);
                f.iter().enumerate().all(|(c, &fc)| c == k || fc < f[k])
            }
        }
    }
}

/// The class index stored in a checked target.
fn class_index(target: f64) -> usize {
    target as usize
}

/// The one-hot vector's entry `c` for class `k`.
fn one_hot(c: usize, k: usize) -> f64 {
    if c == k { 1.0 } else { 0.0 }
}

/// `p = softmax(f)` into `out` (both of length C): `p_c = e^{f_c − m} / Σ_j e^{f_j − m}` with
/// `m = max f`, so that no exponent is positive.
pub fn softmax(f: &[f64], out: &mut [f64]) {
    let max = f.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    for (o, &fc) in out.iter_mut().zip(f) {
        *o = (fc - max).exp();
        total += *o;
    }
    for o in out.iter_mut() {
        *o /= total;
    }
}

/// `Σ_{c≠k} p_c = 1 − p_k`, summed from the other classes so that it keeps its relative
/// precision when it is tiny.
fn others_mass(f: &[f64], k: usize) -> f64 {
    let max = f.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut total = 0.0;
    let mut others = 0.0;
    for (c, &fc) in f.iter().enumerate() {
        let e = (fc - max).exp();
        total += e;
        if c != k {
            others += e;
        }
    }
    others / total
}

/// `log Σ_c e^{f_c} − f_k`: `log1p(Σ_{c≠k} e^{f_c − f_k})` when `f_k` is the largest logit
/// (small losses keep their relative precision), else `m − f_k + log Σ_c e^{f_c − m}` with
/// `m` the largest logit.
fn cross_entropy(f: &[f64], k: usize) -> f64 {
    let max = f.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if f[k] == max {
        let others: f64 = f
            .iter()
            .enumerate()
            .filter(|&(c, _)| c != k)
            .map(|(_, &fc)| (fc - f[k]).exp())
            .sum();
        others.ln_1p()
    } else {
        let total: f64 = f.iter().map(|&fc| (fc - max).exp()).sum();
        max - f[k] + total.ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STEP: f64 = 1e-5;

    fn finite_difference_gradient(loss: OutputLoss, f: &[f64], target: f64) -> Vec<f64> {
        (0..f.len())
            .map(|c| {
                let mut plus = f.to_vec();
                let mut minus = f.to_vec();
                plus[c] += STEP;
                minus[c] -= STEP;
                (loss.value(&plus, target) - loss.value(&minus, target)) / (2.0 * STEP)
            })
            .collect()
    }

    fn gradient(loss: OutputLoss, f: &[f64], target: f64) -> Vec<f64> {
        let mut g = vec![0.0; f.len()];
        loss.value_and_gradient(f, target, &mut g);
        g
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn class_losses_match_finite_differences(
            logits in proptest::collection::vec(-6.0f64..6.0, 2..6),
            class in 0usize..6,
            direction in proptest::collection::vec(-1.0f64..1.0, 6),
        ) {
            let c = logits.len();
            let target = (class % c) as f64;
            for loss in [OutputLoss::CrossEntropy, OutputLoss::OneHotSquared] {
                let g = gradient(loss, &logits, target);
                let numeric = finite_difference_gradient(loss, &logits, target);
                for (a, b) in g.iter().zip(&numeric) {
                    prop_assert!((a - b).abs() <= 1e-8, "{loss:?}: {g:?} vs {numeric:?}");
                }
                // Hessian-vector product against the difference of gradients.
                let u = &direction[..c];
                let mut hu = vec![0.0; c];
                loss.hessian_product(&logits, target, u, &mut hu);
                let shifted = |sign: f64| {
                    let moved: Vec<f64> = logits.iter().zip(u).map(|(f, u)| f + sign * STEP * u).collect();
                    gradient(loss, &moved, target)
                };
                let (plus, minus) = (shifted(1.0), shifted(-1.0));
                for j in 0..c {
                    let numeric = (plus[j] - minus[j]) / (2.0 * STEP);
                    prop_assert!((hu[j] - numeric).abs() <= 1e-8, "{loss:?}: {hu:?}");
                }
                // The diagonal of the Hessian is its product with the unit vectors.
                let mut diagonal = vec![0.0; c];
                loss.second_derivatives(&logits, target, &mut diagonal);
                for j in 0..c {
                    let mut unit = vec![0.0; c];
                    unit[j] = 1.0;
                    loss.hessian_product(&logits, target, &unit, &mut hu);
                    prop_assert!((hu[j] - diagonal[j]).abs() <= 1e-15);
                }
            }
        }

        #[test]
        fn cross_entropy_of_shifted_logits_is_unchanged(
            logits in proptest::collection::vec(-6.0f64..6.0, 2..6),
            shift in -1e3f64..1e3,
        ) {
            let moved: Vec<f64> = logits.iter().map(|f| f + shift).collect();
            let a = OutputLoss::CrossEntropy.value(&logits, 0.0);
            let b = OutputLoss::CrossEntropy.value(&moved, 0.0);
            prop_assert!((a - b).abs() <= 1e-9 * (1.0 + a));
        }
    }

    #[test]
    fn two_class_cross_entropy_is_the_logistic_loss_of_the_logit_gap() {
        for gap in [-30.0, -2.0, 0.0, 0.5, 3.0, 40.0] {
            let f = [gap, 0.0];
            let ce = OutputLoss::CrossEntropy.value(&f, 0.0);
            let logistic = Loss::Logistic.value(gap, 1.0);
            assert!((ce - logistic).abs() <= 1e-15 * (1.0 + logistic), "{gap}");
        }
    }

    #[test]
    fn logits_of_ten_thousand_stay_finite_and_exact() {
        let mut g = [0.0; 3];
        // Right and confident: the loss is e^{-1e4}-small, its log and slope finite.
        let value = OutputLoss::CrossEntropy.value_and_gradient(&[1e4, 0.0, -1e4], 0.0, &mut g);
        assert_eq!(value, 0.0);
        assert!(g.iter().all(|v| v.is_finite()));
        let value = OutputLoss::CrossEntropy.value_and_gradient(&[40.0, 0.0, 0.0], 0.0, &mut g);
        assert!((value / (2.0 * (-40f64).exp()) - 1.0).abs() < 1e-12);
        assert!((g[0] / (-2.0 * (-40f64).exp()) - 1.0).abs() < 1e-12);
        // Wrong and confident: the loss is the logit gap.
        let value = OutputLoss::CrossEntropy.value_and_gradient(&[-1e4, 1e4, 0.0], 0.0, &mut g);
        assert_eq!(value, 2e4);
        assert_eq!(g, [-1.0, 1.0, 0.0]);
        let mut hu = [0.0; 3];
        OutputLoss::CrossEntropy.hessian_product(&[-1e4, 1e4, 0.0], 0.0, &[1.0, 1.0, 1.0], &mut hu);
        assert!(hu.iter().all(|v| v.is_finite() && v.abs() < 1e-12));
    }

    #[test]
    fn one_hot_squared_is_half_the_squared_distance_to_the_one_hot_target() {
        let loss = OutputLoss::OneHotSquared;
        assert_eq!(loss.value(&[0.5, 1.0, -1.0], 1.0), 0.5 * (0.25 + 0.0 + 1.0));
        let mut g = [0.0; 3];
        loss.value_and_gradient(&[0.5, 1.0, -1.0], 1.0, &mut g);
        assert_eq!(g, [0.5, 0.0, -1.0]);
    }

    #[test]
    fn kinds_resolve_by_output_count_and_name_the_problem() {
        assert_eq!(
            LossKind::Squared.for_outputs(3),
            Ok(OutputLoss::OneHotSquared)
        );
        assert_eq!(
            LossKind::Logistic.for_outputs(1),
            Ok(OutputLoss::Scalar(Loss::Logistic))
        );
        let message = LossKind::CrossEntropy
            .for_outputs(1)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("cross-entropy") && message.contains("C >= 2"),
            "{message}"
        );
        assert!(LossKind::Exponential.for_outputs(4).is_err());
        for kind in LossKind::ALL {
            assert_eq!(kind.name().parse::<LossKind>(), Ok(kind));
        }
        assert!(
            "hinge"
                .parse::<LossKind>()
                .unwrap_err()
                .to_string()
                .contains("cross-entropy")
        );
    }

    #[test]
    fn targets_are_checked_against_the_loss() {
        let ce = OutputLoss::CrossEntropy;
        assert!(ce.check_target(2.0, 3).is_ok());
        assert!(ce.check_target(3.0, 3).is_err());
        assert!(ce.check_target(-1.0, 3).is_err());
        assert!(ce.check_target(0.5, 3).is_err());
        assert!(
            OutputLoss::Scalar(Loss::Logistic)
                .check_target(0.0, 1)
                .is_err()
        );
        assert!(
            OutputLoss::Scalar(Loss::Squared)
                .check_target(0.3, 1)
                .is_ok()
        );
    }

    #[test]
    fn accuracy_takes_the_largest_output_and_counts_ties_as_wrong() {
        let ce = OutputLoss::CrossEntropy;
        assert!(ce.is_correct(&[0.1, 2.0, -1.0], 1.0));
        assert!(!ce.is_correct(&[2.0, 2.0, -1.0], 1.0));
        assert!(OutputLoss::Scalar(Loss::Logistic).is_correct(&[0.3], 1.0));
    }
}
