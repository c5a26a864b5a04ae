//! Per-sample losses `ℓ(f, y)` of a prediction `f` against a target `y`, with their first
//! and second derivative in `f`, evaluated stably for margins `y·f` up to ±1e4 and beyond.
//!
//! | loss | `ℓ(f, y)` | `∂ℓ/∂f` | `∂²ℓ/∂f²` |
//! | --- | --- | --- | --- |
//! | [`Loss::Logistic`] | `log(1 + e^{−yf})` | `−y·σ(−yf)` | `y²·σ(yf)·σ(−yf)` |
//! | [`Loss::Exponential`] | `e^{−yf}` | `−y·e^{−yf}` | `y²·e^{−yf}` |
//! | [`Loss::Squared`] | `½(f − y)²` | `f − y` | `1` |
//!
//! with `σ(t) = 1/(1 + e^{−t})`. The classification losses take labels `y ∈ {−1, +1}`;
//! the squared loss takes any finite target.
//!
//! A model with C ≥ 2 outputs per sample takes a loss of the whole output vector
//! ([`OutputLoss`]: softmax cross-entropy or the one-hot squared loss, with their gradient and
//! Hessian in the outputs); [`LossKind`] is the name a run gives, resolved to an
//! [`OutputLoss`] once the number of outputs is known.
//!
//! ```
//! use catapult_losses::Loss;
//! let loss: Loss = "logistic".parse().unwrap();
//! let at = loss.eval(2.0, -1.0);
//! assert!((at.value - (1.0 + 2f64.exp()).ln()).abs() < 1e-12);
//! ```

#![warn(missing_docs)]

mod outputs;

pub use outputs::{
    LossKind, OutputCountMismatch, OutputLoss, TargetError, UnknownLossKind, softmax,
};

use std::fmt;
use std::str::FromStr;

/// Natural log of `f64::MAX`: exponents above it overflow.
const LN_F64_MAX: f64 = 709.782_712_893_384;

/// A per-sample loss. Copy it freely: it is a tag, the formulas live in its methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Loss {
    /// `ℓ = log(1 + exp(−y f))`, labels ±1.
    Logistic,
    /// `ℓ = exp(−y f)`, labels ±1. The value saturates at `f64::MAX` when `−y f > 709.78`
    /// (where `e^{−yf}` leaves the f64 range); [`Loss::ln_value`] stays exact there.
    Exponential,
    /// `ℓ = ½ (f − y)²`, any finite target.
    Squared,
}

/// Value, first and second derivative of a loss at one point, computed together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LossEval {
    /// `ℓ(f, y)`
    pub value: f64,
    /// `∂ℓ/∂f`
    pub first: f64,
    /// `∂²ℓ/∂f²`
    pub second: f64,
}

/// An unknown loss name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown loss `{0}`: expected one of logistic, exponential, squared")]
pub struct UnknownLoss(pub String);

impl Loss {
    /// Every loss, in a fixed order.
    pub const ALL: [Loss; 3] = [Loss::Logistic, Loss::Exponential, Loss::Squared];

    /// The lowercase name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Loss::Logistic => "logistic",
            Loss::Exponential => "exponential",
            Loss::Squared => "squared",
        }
    }

    /// Whether the loss is a margin loss that expects labels in {−1, +1}.
    pub fn is_classification(self) -> bool {
        matches!(self, Loss::Logistic | Loss::Exponential)
    }

    /// `ℓ(f, y)`.
    pub fn value(self, f: f64, y: f64) -> f64 {
        match self {
            Loss::Logistic => softplus(-y * f),
            Loss::Exponential => saturating_exp(-y * f),
            Loss::Squared => 0.5 * (f - y) * (f - y),
        }
    }

    /// `ln ℓ(f, y)`, exact where `ℓ` itself under- or overflows (useful to follow a
    /// vanishing loss on separable data). `−∞` where the loss is exactly zero.
    pub fn ln_value(self, f: f64, y: f64) -> f64 {
        match self {
            Loss::Logistic => ln_softplus(-y * f),
            Loss::Exponential => -y * f,
            Loss::Squared => (0.5 * (f - y) * (f - y)).ln(),
        }
    }

    /// `∂ℓ/∂f`.
    pub fn first_derivative(self, f: f64, y: f64) -> f64 {
        self.eval(f, y).first
    }

    /// `∂²ℓ/∂f²`.
    pub fn second_derivative(self, f: f64, y: f64) -> f64 {
        self.eval(f, y).second
    }

    /// `(∂³ℓ/∂f³, ∂⁴ℓ/∂f⁴)`: with `p = σ(yf)`, `q = 1 − p`, the logistic loss has
    /// `y³·pq(q − p)` and `y⁴·pq(1 − 6pq)`; the exponential loss `(−y)³e^{−yf}` and
    /// `y⁴e^{−yf}`; the squared loss zero. These decide whether GD at the edge of stability
    /// settles into a period-2 orbit (see `catapult-theory`).
    pub fn third_and_fourth_derivatives(self, f: f64, y: f64) -> (f64, f64) {
        match self {
            Loss::Logistic => {
                let (p, q) = sigmoid_pair(y * f);
                let pq = p * q;
                (y.powi(3) * pq * (q - p), y.powi(4) * pq * (1.0 - 6.0 * pq))
            }
            Loss::Exponential => {
                let e = saturating_exp(-y * f);
                (-y.powi(3) * e, y.powi(4) * e)
            }
            Loss::Squared => (0.0, 0.0),
        }
    }

    /// Value and both derivatives at once (one exponential for the margin losses).
    pub fn eval(self, f: f64, y: f64) -> LossEval {
        match self {
            Loss::Logistic => {
                let z = y * f;
                let (s_pos, s_neg) = sigmoid_pair(z);
                LossEval {
                    value: softplus(-z),
                    first: -y * s_neg,
                    second: y * y * s_pos * s_neg,
                }
            }
            Loss::Exponential => {
                let e = saturating_exp(-y * f);
                LossEval {
                    value: e,
                    first: -y * e,
                    second: y * y * e,
                }
            }
            Loss::Squared => LossEval {
                value: 0.5 * (f - y) * (f - y),
                first: f - y,
                second: 1.0,
            },
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Loss {
    type Err = UnknownLoss;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Loss::ALL
            .into_iter()
            .find(|loss| loss.name() == s)
            .ok_or_else(|| UnknownLoss(s.to_string()))
    }
}

/// `log(1 + e^t)` without overflow for large `t` or loss of precision for very negative `t`.
fn softplus(t: f64) -> f64 {
    t.max(0.0) + (-t.abs()).exp().ln_1p()
}

/// `ln(log(1 + e^t))`, finite where `softplus(t)` underflows to zero (`t < −745`).
fn ln_softplus(t: f64) -> f64 {
    if t > -30.0 {
        softplus(t).ln()
    } else {
        // log(1 + e^t) = e^t (1 − e^t/2 + …), so its log is t − e^t/2 + O(e^{2t}).
        t - 0.5 * t.exp()
    }
}

/// `(σ(z), σ(−z))` with `σ(t) = 1/(1 + e^{−t})`, each accurate in relative terms.
fn sigmoid_pair(z: f64) -> (f64, f64) {
    let e = (-z.abs()).exp();
    let big = 1.0 / (1.0 + e);
    let small = e / (1.0 + e);
    if z >= 0.0 { (big, small) } else { (small, big) }
}

/// `e^t`, saturating at `f64::MAX` instead of overflowing to infinity.
fn saturating_exp(t: f64) -> f64 {
    if t >= LN_F64_MAX { f64::MAX } else { t.exp() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn central_difference(g: impl Fn(f64) -> f64, x: f64) -> f64 {
        let h = 1e-5 * (1.0 + x.abs());
        (g(x + h) - g(x - h)) / (2.0 * h)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn derivatives_match_finite_differences(f in -8.0f64..8.0, positive in any::<bool>(), target in -3.0f64..3.0) {
            for loss in Loss::ALL {
                let y = if loss.is_classification() { if positive { 1.0 } else { -1.0 } } else { target };
                let at = loss.eval(f, y);
                let d1 = central_difference(|t| loss.value(t, y), f);
                let d2 = central_difference(|t| loss.first_derivative(t, y), f);
                prop_assert!((at.first - d1).abs() <= 1e-7 * (1.0 + d1.abs()), "{loss}: {} vs {d1}", at.first);
                prop_assert!((at.second - d2).abs() <= 1e-7 * (1.0 + d2.abs()), "{loss}: {} vs {d2}", at.second);
                prop_assert_eq!(at.value, loss.value(f, y));
                let (d3, d4) = loss.third_and_fourth_derivatives(f, y);
                let n3 = central_difference(|t| loss.second_derivative(t, y), f);
                let n4 = central_difference(|t| loss.third_and_fourth_derivatives(t, y).0, f);
                prop_assert!((d3 - n3).abs() <= 1e-7 * (1.0 + n3.abs()), "{loss}: {d3} vs {n3}");
                prop_assert!((d4 - n4).abs() <= 1e-7 * (1.0 + n4.abs()), "{loss}: {d4} vs {n4}");
            }
        }
    }

    #[test]
    fn closed_forms_at_known_points() {
        let ln2 = std::f64::consts::LN_2;
        assert!((Loss::Logistic.value(0.0, 1.0) - ln2).abs() < 1e-15);
        assert!((Loss::Logistic.first_derivative(0.0, 1.0) + 0.5).abs() < 1e-15);
        assert!((Loss::Logistic.second_derivative(0.0, -1.0) - 0.25).abs() < 1e-15);
        assert!((Loss::Exponential.value(1.0, -1.0) - 1f64.exp()).abs() < 1e-14);
        assert!((Loss::Exponential.first_derivative(1.0, -1.0) - 1f64.exp()).abs() < 1e-14);
        assert_eq!(
            Loss::Squared.eval(3.0, 1.0),
            LossEval {
                value: 2.0,
                first: 2.0,
                second: 1.0
            }
        );
    }

    #[test]
    fn extreme_margins_stay_finite_and_accurate() {
        for margin in [-1e4, -800.0, -40.0, 40.0, 800.0, 1e4] {
            for y in [-1.0, 1.0] {
                let f = margin * y;
                for loss in Loss::ALL {
                    let at = loss.eval(f, y);
                    assert!(
                        at.value.is_finite() && at.first.is_finite() && at.second.is_finite(),
                        "{loss} at margin {margin}: {at:?}"
                    );
                    assert!(at.value >= 0.0 && at.second >= 0.0);
                    assert!(loss.ln_value(f, y).is_finite() || at.value == 0.0);
                }
            }
        }
        // Logistic: log(1+e^{1e4}) = 1e4 to machine precision, slope −y, curvature ~ 0.
        let at = Loss::Logistic.eval(-1e4, 1.0);
        assert_eq!(at.value, 1e4);
        assert_eq!(at.first, -1.0);
        // Large positive margin: value e^{-40} in relative precision, not rounded to zero.
        let small = Loss::Logistic.value(40.0, 1.0);
        assert!((small / (-40f64).exp() - 1.0).abs() < 1e-15);
        // ln of a loss far below the f64 range.
        assert!((Loss::Logistic.ln_value(1e4, 1.0) + 1e4).abs() < 1e-9);
        assert_eq!(Loss::Exponential.ln_value(1e4, 1.0), -1e4);
        assert_eq!(Loss::Exponential.value(-1e4, 1.0), f64::MAX);
    }

    #[test]
    fn names_round_trip_and_unknown_is_an_error() {
        for loss in Loss::ALL {
            assert_eq!(loss.name().parse::<Loss>(), Ok(loss));
            assert_eq!(loss.to_string(), loss.name());
        }
        let err = "hinge".parse::<Loss>().unwrap_err();
        assert!(err.to_string().contains("unknown loss `hinge`"));
    }
}
