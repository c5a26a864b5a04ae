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
    /// The measurement's own confidence interval `[low, high]` ([`Verdict::interval`])
    /// contains `predicted`: the claim fails exactly when the data exclude it at that level.
    Covers,
    /// Every value of a sample (e.g. one per seed) lies in the stated band `[low, high]`: the
    /// sample's range ([`Verdict::interval`]) is inside it.
    RangeWithin,
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
    /// The measurement's confidence interval ([`Relation::Covers`]) or the sample's range
    /// ([`Relation::RangeWithin`]); `None` otherwise.
    pub interval: Option<(f64, f64)>,
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

    /// `predicted` must lie inside `interval = [low, high]`, the confidence interval that comes
    /// with the estimate `measured`. The verdict reports the interval it was decided on; a NaN
    /// bound never holds. `tolerance` is set to the interval's half-width, for display only.
    pub fn covers(
        claim: impl Into<String>,
        detail: impl Into<String>,
        predicted: f64,
        measured: f64,
        interval: (f64, f64),
    ) -> Self {
        let (low, high) = interval;
        let holds = low <= predicted && predicted <= high;
        let mut verdict = Self::build(
            claim,
            detail,
            Relation::Covers,
            predicted,
            measured,
            0.5 * (high - low),
            holds,
        );
        verdict.interval = Some(interval);
        verdict
    }

    /// The range `[min, max]` of `values` (one per seed, say) must lie inside `band`. A NaN
    /// value (a run that diverged) or an empty sample never holds. `predicted` and `tolerance`
    /// hold the band's centre and half-width, `measured` the sample's mean.
    pub fn range_within(
        claim: impl Into<String>,
        detail: impl Into<String>,
        band: (f64, f64),
        values: &[f64],
    ) -> Self {
        let nan = values.is_empty() || values.iter().any(|v| v.is_nan());
        let (min, max) = if nan {
            (f64::NAN, f64::NAN)
        } else {
            values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                })
        };
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let holds = band.0 <= min && max <= band.1;
        let mut verdict = Self::build(
            claim,
            detail,
            Relation::RangeWithin,
            0.5 * (band.0 + band.1),
            mean,
            0.5 * (band.1 - band.0),
            holds,
        );
        verdict.interval = Some((min, max));
        verdict
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
            interval: None,
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
            Relation::Covers => {
                let (low, high) = self.interval.unwrap_or((f64::NAN, f64::NAN));
                format!("{predicted:.6e} in 95% CI [{low:.6e}, {high:.6e}] of {measured:.6e}")
            }
            Relation::RangeWithin => {
                let (low, high) = self.interval.unwrap_or((f64::NAN, f64::NAN));
                format!(
                    "range [{low:.6e}, {high:.6e}] in [{:.6e}, {:.6e}]",
                    predicted - tolerance,
                    predicted + tolerance
                )
            }
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

    #[test]
    fn covers_decides_on_the_interval_not_on_the_estimate() {
        // An estimate of 0.6 whose interval excludes 0.5 fails, however close 0.6 is.
        let excluded = Verdict::covers("c", "", 0.5, 0.6, (0.57, 0.62));
        assert!(!excluded.holds);
        assert!(
            excluded
                .to_string()
                .contains("5.000000e-1 in 95% CI [5.700000e-1, 6.200000e-1] of 6.000000e-1")
        );
        // A wide interval around a far estimate holds: the data cannot exclude 0.5.
        assert!(Verdict::covers("c", "", 0.5, 0.8, (0.45, 1.15)).holds);
        assert!(!Verdict::covers("c", "", 0.5, 0.5, (f64::NAN, 1.0)).holds);
        assert!(!Verdict::covers("c", "", 0.5, f64::NAN, (0.0, 1.0)).holds);
    }

    #[test]
    fn range_within_needs_every_value_inside_the_band() {
        let inside = Verdict::range_within("c", "", (0.0, 2.0), &[1.9, 0.5, 2.0]);
        assert!(inside.holds, "{inside}");
        assert_eq!(inside.interval, Some((0.5, 2.0)));
        assert!(
            inside
                .to_string()
                .contains("range [5.000000e-1, 2.000000e0] in [0.000000e0, 2.000000e0]")
        );
        // One seed above the edge fails the claim, however good the others are.
        assert!(!Verdict::range_within("c", "", (0.0, 2.0), &[1.9, 0.5, 2.001]).holds);
        assert!(!Verdict::range_within("c", "", (0.0, 2.0), &[1.0, f64::NAN]).holds);
        assert!(!Verdict::range_within("c", "", (0.0, 2.0), &[]).holds);
    }
}
