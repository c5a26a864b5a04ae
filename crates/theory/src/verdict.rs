//! The outcome of checking one claim against a simulation.

use std::fmt;

/// How a measurement is compared with a prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// `|measured − predicted| ≤ tolerance`.
    Equal,
    /// `measured ≤ predicted + tolerance` (the prediction is an upper bound).
    AtMost,
    /// `measured ∈ [predicted − tolerance, predicted + tolerance]`, for a predicted interval.
    Within,
}

/// A claim, what it predicts, what the real network gave, and whether that is within
/// tolerance. A NaN measurement never holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The claim, in words.
    pub claim: String,
    /// The setting it was checked in (data, width, seed, step size).
    pub detail: String,
    /// How `measured` is compared with `predicted`.
    pub relation: Relation,
    /// The predicted value (or bound).
    pub predicted: f64,
    /// The measured value.
    pub measured: f64,
    /// Allowed absolute deviation.
    pub tolerance: f64,
    /// Whether the claim held.
    pub holds: bool,
}

impl Verdict {
    /// `measured` must equal `predicted` within `tolerance` (absolute).
    pub fn equal(
        claim: impl Into<String>,
        detail: impl Into<String>,
        predicted: f64,
        measured: f64,
        tolerance: f64,
    ) -> Self {
        let holds = (measured - predicted).abs() <= tolerance;
        Self::build(
            claim,
            detail,
            Relation::Equal,
            predicted,
            measured,
            tolerance,
            holds,
        )
    }

    /// `measured` must not exceed `bound` by more than `tolerance`.
    pub fn at_most(
        claim: impl Into<String>,
        detail: impl Into<String>,
        bound: f64,
        measured: f64,
        tolerance: f64,
    ) -> Self {
        let holds = measured <= bound + tolerance;
        Self::build(
            claim,
            detail,
            Relation::AtMost,
            bound,
            measured,
            tolerance,
            holds,
        )
    }

    /// `measured` must lie in the predicted interval `[low, high]`.
    pub fn within(
        claim: impl Into<String>,
        detail: impl Into<String>,
        low: f64,
        high: f64,
        measured: f64,
    ) -> Self {
        let (center, half_width) = (0.5 * (low + high), 0.5 * (high - low));
        let holds = measured >= low && measured <= high;
        Self::build(
            claim,
            detail,
            Relation::Within,
            center,
            measured,
            half_width,
            holds,
        )
    }

    fn build(
        claim: impl Into<String>,
        detail: impl Into<String>,
        relation: Relation,
        predicted: f64,
        measured: f64,
        tolerance: f64,
        holds: bool,
    ) -> Self {
        Self {
            claim: claim.into(),
            detail: detail.into(),
            relation,
            predicted,
            measured,
            tolerance,
            holds: holds && measured.is_finite(),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.holds { "holds" } else { "FAILS" };
        let (claim, measured) = (&self.claim, self.measured);
        let (predicted, tolerance) = (self.predicted, self.tolerance);
        let comparison = match self.relation {
            Relation::Equal => format!("{measured:.6e} = {predicted:.6e} ± {tolerance:.1e}"),
            Relation::AtMost => format!("{measured:.6e} <= {predicted:.6e} + {tolerance:.1e}"),
            Relation::Within => format!(
                "{measured:.6e} in [{:.6e}, {:.6e}]",
                predicted - tolerance,
                predicted + tolerance
            ),
        };
        write!(f, "{verdict} | {claim} | {comparison} | {}", self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons() {
        assert!(Verdict::equal("c", "", 1.0, 1.05, 0.1).holds);
        assert!(!Verdict::equal("c", "", 1.0, 1.2, 0.1).holds);
        assert!(!Verdict::equal("c", "", 1.0, f64::NAN, 0.1).holds);
        assert!(Verdict::at_most("c", "", 1.0, -5.0, 0.0).holds);
        assert!(!Verdict::at_most("c", "", 1.0, 1.01, 0.001).holds);
        assert!(
            Verdict::at_most("c", "", 1.0, 1.0005, 0.001)
                .to_string()
                .starts_with("holds")
        );
        assert!(Verdict::within("c", "", 0.5, 1.0, 0.75).holds);
        assert!(!Verdict::within("c", "", 0.5, 1.0, 1.01).holds);
        assert!(
            Verdict::within("c", "", 0.5, 1.0, 0.5)
                .to_string()
                .contains("in [5.000000e-1, 1.000000e0]")
        );
    }
}
