//! The one-dimensional risk `L(w) = (1/n) Σ ℓ(a_i w, y_i)` of degenerate data.

use catapult_losses::Loss;
use catapult_optim::TrainOptions;

/// Invalid degenerate data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TheoryError {
    /// No samples.
    #[error("degenerate data needs at least one sample")]
    Empty,
    /// `a` and `y` of different lengths.
    #[error("{a} coordinates but {y} labels: they must have the same length")]
    LengthMismatch {
        /// Number of coordinates `a_i`.
        a: usize,
        /// Number of labels `y_i`.
        y: usize,
    },
    /// A non-finite coordinate or label.
    #[error("sample {sample} has a non-finite coordinate or label")]
    NonFinite {
        /// Index (0-based) of the sample whose `a_i` or `y_i` is NaN or ±∞.
        sample: usize,
    },
    /// Every coordinate is zero: the risk does not depend on w.
    #[error("every coordinate a_i is zero: the risk is constant in w")]
    AllZero,
    /// A classification label other than ±1.
    #[error("label {sample} is {value}: the {loss} loss needs labels −1 or +1")]
    NotBinaryLabel {
        /// Index (0-based) of the offending label.
        sample: usize,
        /// The label found, neither −1 nor +1.
        value: f64,
        /// The classification loss that needs ±1 labels.
        loss: Loss,
    },
}

/// Whether the 1-D risk has a finite minimiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separability {
    /// Some `y_i a_i > 0` and some `< 0` (or the squared loss): a unique finite minimiser.
    NonSeparable,
    /// Every non-zero `y_i a_i` has the same sign `direction`: the risk decreases forever as
    /// `w → direction·∞` and has no finite minimiser.
    Separable {
        /// Sign (`+1` or `−1`) of every non-zero `y_i a_i`: the direction of `w` in which the
        /// risk decreases.
        direction: i8,
    },
}

/// A minimiser `w*` of the 1-D risk with `L(w*)` and `L''(w*)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Minimum {
    /// `w*`
    pub w: f64,
    /// `L(w*)`
    pub risk: f64,
    /// `L''(w*)`
    pub curvature: f64,
}

/// `L(w) = (1/n) Σ ℓ(a_i w, y_i)` for degenerate data `x_i = a_i e`.
#[derive(Debug, Clone, PartialEq)]
pub struct DegenerateProblem {
    a: Vec<f64>,
    y: Vec<f64>,
    loss: Loss,
}

impl DegenerateProblem {
    /// Validates the data (non-empty, same lengths, finite, not all `a_i = 0`, labels ±1 for
    /// the classification losses).
    pub fn new(a: &[f64], y: &[f64], loss: Loss) -> Result<Self, TheoryError> {
        if a.len() != y.len() {
            return Err(TheoryError::LengthMismatch {
                a: a.len(),
                y: y.len(),
            });
        }
        if a.is_empty() {
            return Err(TheoryError::Empty);
        }
        if let Some(sample) = (0..a.len()).find(|&i| !(a[i].is_finite() && y[i].is_finite())) {
            return Err(TheoryError::NonFinite { sample });
        }
        if a.iter().all(|v| *v == 0.0) {
            return Err(TheoryError::AllZero);
        }
        if loss.is_classification()
            && let Some(sample) = y.iter().position(|v| *v != 1.0 && *v != -1.0)
        {
            return Err(TheoryError::NotBinaryLabel {
                sample,
                value: y[sample],
                loss,
            });
        }
        Ok(Self {
            a: a.to_vec(),
            y: y.to_vec(),
            loss,
        })
    }

    /// The loss.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// Coordinates `a_i` along the line.
    pub fn a(&self) -> &[f64] {
        &self.a
    }

    /// Labels or targets `y_i`.
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// The same data under another loss (labels must suit it).
    pub fn with_loss(&self, loss: Loss) -> Result<Self, TheoryError> {
        Self::new(&self.a, &self.y, loss)
    }

    /// `mean(a_i²)`: the top eigenvalue of Θ/n is `λ·mean(a²)`.
    pub fn mean_square(&self) -> f64 {
        self.a.iter().map(|v| v * v).sum::<f64>() / self.a.len() as f64
    }

    /// `L(w)`.
    pub fn risk(&self, w: f64) -> f64 {
        self.mean_over(|a, y| self.loss.value(a * w, y))
    }

    /// `L'(w) = (1/n) Σ a_i ℓ'(a_i w, y_i)`.
    pub fn slope(&self, w: f64) -> f64 {
        self.mean_over(|a, y| a * self.loss.first_derivative(a * w, y))
    }

    /// `L''(w) = (1/n) Σ a_i² ℓ''(a_i w, y_i)`.
    pub fn curvature(&self, w: f64) -> f64 {
        self.mean_over(|a, y| a * a * self.loss.second_derivative(a * w, y))
    }

    /// `(L'''(w), L''''(w)) = (1/n) Σ (a_i³ ℓ''', a_i⁴ ℓ'''')`.
    pub fn third_and_fourth(&self, w: f64) -> (f64, f64) {
        let n = self.a.len() as f64;
        let (mut third, mut fourth) = (0.0, 0.0);
        for (a, y) in self.a.iter().zip(&self.y) {
            let (d3, d4) = self.loss.third_and_fourth_derivatives(a * w, *y);
            third += a.powi(3) * d3;
            fourth += a.powi(4) * d4;
        }
        (third / n, fourth / n)
    }

    /// The Schwarzian derivative of the 1-D GD map `w ↦ w − h L'(w)` at `w*` when
    /// `h·L''(w*) = 2`: `S = 2L''''/L'' − 6(L'''/L'')²`. `S < 0`: the period-doubling at the
    /// edge of stability is supercritical, a small stable period-2 orbit appears just above it,
    /// and the catapult can flatten λ (a catapult window `η_crit < η < η_max` exists). `S > 0`:
    /// subcritical, no small orbit, GD leaves the minimum as soon as it is unstable there.
    /// [derived for this project from the normal form of period doubling.] `None` on
    /// separable data.
    pub fn edge_schwarzian(&self) -> Option<f64> {
        let minimum = self.minimiser()?;
        let (third, fourth) = self.third_and_fourth(minimum.w);
        let second = minimum.curvature;
        Some(2.0 * fourth / second - 6.0 * (third / second).powi(2))
    }

    /// `max L''(w)` over the segment between `from` and `to`, on a grid of 1001 points (the
    /// curvature is smooth, so the grid maximum is within O(1e-6) of the true one).
    pub fn max_curvature_between(&self, from: f64, to: f64) -> f64 {
        (0..=1000)
            .map(|k| self.curvature(from + (to - from) * k as f64 / 1000.0))
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// Whether the 1-D GD map `w ↦ w − h·L'(w)` from `w0` escapes within `steps` steps: the
    /// risk exceeds the train loop's divergence threshold (1e12) or stops being finite at some step, or ends above `L(w0)` (the
    /// divergent phase of the project's phase rule, applied to the 1-D iterates).
    pub fn escapes(&self, w0: f64, h: f64, steps: usize) -> bool {
        let initial = self.risk(w0);
        let mut w = w0;
        for _ in 0..steps {
            w -= h * self.slope(w);
            let risk = self.risk(w);
            if !(risk.is_finite() && risk <= TrainOptions::DEFAULT_DIVERGENCE_THRESHOLD) {
                return true;
            }
        }
        self.risk(w) > initial
    }

    /// The escape step `h_esc` of the 1-D GD map from `w0` ([`Self::escapes`] within
    /// `steps` steps): the boundary found by halving (or doubling) `h` from `2/L''(w*)` until
    /// the outcome changes, then bisecting geometrically to a relative precision of 1e-7.
    ///
    /// For the two-layer net on degenerate data, `η·λ` plays the role of `h` once the
    /// `O(η²g²/m)` terms of the (w, λ) recursion are dropped, so `h_esc/λ_init` is the
    /// infinite-width divergence boundary from the start `(w0, λ_init)`. [derived for this
    /// project; Huang et al., arXiv 2011.12547, for the recursion.] `None` on separable data or
    /// when no change is found between `1e-9` and `1e9`.
    pub fn escape_step(&self, w0: f64, steps: usize) -> Option<f64> {
        let start = 2.0 / self.minimiser()?.curvature;
        let (mut low, mut high) = if self.escapes(w0, start, steps) {
            let mut high = start;
            while self.escapes(w0, high / 2.0, steps) {
                high /= 2.0;
                if high < 1e-9 {
                    return None;
                }
            }
            (high / 2.0, high)
        } else {
            let mut low = start;
            while !self.escapes(w0, 2.0 * low, steps) {
                low *= 2.0;
                if low > 1e9 {
                    return None;
                }
            }
            (low, 2.0 * low)
        };
        while high / low > 1.0 + 1e-7 {
            let middle = (low * high).sqrt();
            if self.escapes(w0, middle, steps) {
                high = middle;
            } else {
                low = middle;
            }
        }
        Some((low * high).sqrt())
    }

    /// Whether a finite minimiser exists (always, for the squared loss).
    pub fn separability(&self) -> Separability {
        if !self.loss.is_classification() {
            return Separability::NonSeparable;
        }
        let margins = || self.a.iter().zip(&self.y).map(|(a, y)| a * y);
        let any_positive = margins().any(|m| m > 0.0);
        let any_negative = margins().any(|m| m < 0.0);
        match (any_positive, any_negative) {
            (true, true) => Separability::NonSeparable,
            (true, false) => Separability::Separable { direction: 1 },
            _ => Separability::Separable { direction: -1 },
        }
    }

    /// The unique minimiser of the strictly convex `L`, to machine precision, or `None` on
    /// separable data. Safeguarded Newton: a bracket `[lo, hi]` with `L'(lo) < 0 < L'(hi)` is
    /// grown from 0, then Newton steps that leave the bracket fall back to bisection.
    pub fn minimiser(&self) -> Option<Minimum> {
        if self.separability() != Separability::NonSeparable {
            return None;
        }
        let (mut lo, mut hi) = self.bracket();
        let mut w = 0.5 * (lo + hi);
        for _ in 0..200 {
            let g = self.slope(w);
            if g == 0.0 {
                break;
            }
            if g < 0.0 {
                lo = w;
            } else {
                hi = w;
            }
            let newton = w - g / self.curvature(w);
            let next = if newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            if (next - w).abs() <= 4.0 * f64::EPSILON * w.abs().max(1e-300) {
                w = next;
                break;
            }
            w = next;
        }
        Some(Minimum {
            w,
            risk: self.risk(w),
            curvature: self.curvature(w),
        })
    }

    /// An interval around the minimiser of a non-separable problem.
    fn bracket(&self) -> (f64, f64) {
        let mut width = 1.0;
        loop {
            let (lo, hi) = (-width, width);
            if self.slope(lo) < 0.0 && self.slope(hi) > 0.0 {
                return (lo, hi);
            }
            width *= 2.0;
        }
    }

    fn mean_over(&self, term: impl Fn(f64, f64) -> f64) -> f64 {
        let total: f64 = self.a.iter().zip(&self.y).map(|(a, y)| term(*a, *y)).sum();
        total / self.a.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn squared_loss_minimiser_is_least_squares() {
        let (a, y) = ([1.0, 2.0, -1.0], [0.5, 1.5, 2.0]);
        let problem = DegenerateProblem::new(&a, &y, Loss::Squared).unwrap();
        let min = problem.minimiser().unwrap();
        let expected = (0.5 + 3.0 - 2.0) / (1.0 + 4.0 + 1.0);
        assert!((min.w - expected).abs() < 1e-15);
        assert!((min.curvature - 2.0).abs() < 1e-15);
        assert_eq!(problem.mean_square(), 2.0);
    }

    #[test]
    fn logistic_symmetric_data_has_closed_form_minimiser() {
        // Margins +1 (twice) and −1 (once): L'(w) ∝ −2σ(−w) + σ(w) = 0 gives e^w = 2.
        let problem =
            DegenerateProblem::new(&[1.0, 1.0, -1.0], &[1.0, 1.0, 1.0], Loss::Logistic).unwrap();
        let min = problem.minimiser().unwrap();
        assert!((min.w - 2f64.ln()).abs() < 1e-15, "{}", min.w);
        // L''(w*) = σ(w*)σ(−w*) = 2/9.
        assert!((min.curvature - 2.0 / 9.0).abs() < 1e-15);
    }

    #[test]
    fn edge_schwarzian_on_symmetric_margins() {
        // Margins ±1 with exponential loss: L = (e^{−w} + e^{w})/2 = cosh w, w* = 0,
        // L'' = 1, L''' = 0, L'''' = 1, so S = 2.
        let problem = DegenerateProblem::new(&[1.0, -1.0], &[1.0, 1.0], Loss::Exponential).unwrap();
        assert!((problem.edge_schwarzian().unwrap() - 2.0).abs() < 1e-12);
        // Logistic on the same margins: L = softplus(−w)/2 + softplus(w)/2, w* = 0,
        // p = q = 1/2: L'' = 1/4, L''' = 0, L'''' = (1/4)(1 − 6/4) = −1/8, so S = −1.
        let logistic = problem.with_loss(Loss::Logistic).unwrap();
        assert!((logistic.edge_schwarzian().unwrap() + 1.0).abs() < 1e-12);
    }

    #[test]
    fn escape_step_of_the_squared_loss_is_two_over_the_curvature() {
        // Squared loss: w ↦ w − h·c·(w − w*) with c = L'' = mean(a²) = 2 here; the offset is
        // multiplied by 1 − hc, and the risk ends above L(w0) exactly when |1 − hc| > 1.
        let problem =
            DegenerateProblem::new(&[1.0, 2.0, -1.0], &[0.5, 1.5, 2.0], Loss::Squared).unwrap();
        let escape = problem.escape_step(3.0, 100).unwrap();
        assert!((escape - 1.0).abs() < 1e-6, "{escape}");
        assert!(!problem.escapes(3.0, 0.999, 100) && problem.escapes(3.0, 1.001, 100));
    }

    #[test]
    fn exponential_loss_escapes_below_the_edge_from_a_sharp_side() {
        // cosh w: L'' = cosh w grows away from w* = 0, so a start at w0 = −2 overshoots into
        // the sharp side and escapes below the edge 2/L''(0) = 2.
        let problem = DegenerateProblem::new(&[1.0, -1.0], &[1.0, 1.0], Loss::Exponential).unwrap();
        let escape = problem.escape_step(-2.0, 1000).unwrap();
        assert!(escape < 1.9, "{escape}");
        assert!(problem.escapes(-2.0, 1.01 * escape, 1000));
        assert!(!problem.escapes(-2.0, 0.99 * escape, 1000));
    }

    #[test]
    fn separable_data_has_no_minimiser() {
        let problem =
            DegenerateProblem::new(&[1.0, -2.0, 0.0], &[1.0, -1.0, 1.0], Loss::Exponential)
                .unwrap();
        assert_eq!(
            problem.separability(),
            Separability::Separable { direction: 1 }
        );
        assert_eq!(problem.minimiser(), None);
        let negative = DegenerateProblem::new(&[1.0], &[-1.0], Loss::Logistic).unwrap();
        assert_eq!(
            negative.separability(),
            Separability::Separable { direction: -1 }
        );
    }

    #[test]
    fn bad_data_is_rejected_with_reasons() {
        assert_eq!(
            DegenerateProblem::new(&[], &[], Loss::Squared),
            Err(TheoryError::Empty)
        );
        assert_eq!(
            DegenerateProblem::new(&[0.0], &[1.0], Loss::Squared),
            Err(TheoryError::AllZero)
        );
        assert!(matches!(
            DegenerateProblem::new(&[1.0], &[0.3], Loss::Logistic),
            Err(TheoryError::NotBinaryLabel { sample: 0, .. })
        ));
        assert!(matches!(
            DegenerateProblem::new(&[f64::NAN], &[1.0], Loss::Squared),
            Err(TheoryError::NonFinite { sample: 0 })
        ));
        assert!(matches!(
            DegenerateProblem::new(&[1.0, 2.0], &[1.0], Loss::Squared),
            Err(TheoryError::LengthMismatch { .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn minimiser_is_a_stationary_point_and_derivatives_match(
            a in prop::collection::vec(-3.0f64..3.0, 2..12),
            signs in prop::collection::vec(any::<bool>(), 12),
            w in -3.0f64..3.0,
            exponential in any::<bool>(),
        ) {
            let loss = if exponential { Loss::Exponential } else { Loss::Logistic };
            let y: Vec<f64> = a.iter().zip(&signs).map(|(_, s)| if *s { 1.0 } else { -1.0 }).collect();
            let Ok(problem) = DegenerateProblem::new(&a, &y, loss) else { return Ok(()) };
            let h = 1e-5;
            let numeric_slope = (problem.risk(w + h) - problem.risk(w - h)) / (2.0 * h);
            let numeric_curv = (problem.slope(w + h) - problem.slope(w - h)) / (2.0 * h);
            prop_assert!((problem.slope(w) - numeric_slope).abs() < 1e-6 * (1.0 + numeric_slope.abs()));
            prop_assert!((problem.curvature(w) - numeric_curv).abs() < 1e-6 * (1.0 + numeric_curv.abs()));
            let (third, fourth) = problem.third_and_fourth(w);
            let numeric_third = (problem.curvature(w + h) - problem.curvature(w - h)) / (2.0 * h);
            let numeric_fourth = (problem.third_and_fourth(w + h).0 - problem.third_and_fourth(w - h).0) / (2.0 * h);
            prop_assert!((third - numeric_third).abs() < 1e-6 * (1.0 + numeric_third.abs()));
            prop_assert!((fourth - numeric_fourth).abs() < 1e-6 * (1.0 + numeric_fourth.abs()));
            if let Some(min) = problem.minimiser() {
                prop_assert!(problem.slope(min.w).abs() < 1e-12 * (1.0 + min.curvature));
                prop_assert!(min.risk <= problem.risk(min.w + 1e-4) && min.risk <= problem.risk(min.w - 1e-4));
            }
        }
    }
}
