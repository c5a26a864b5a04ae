//! Range checks shared by the policy constructors; each error names policy and parameter.

use super::ScheduleError;

pub(super) fn invalid(
    policy: &str,
    parameter: &'static str,
    value: impl ToString,
    reason: &'static str,
) -> ScheduleError {
    ScheduleError::InvalidParameter {
        policy: policy.to_owned(),
        parameter,
        value: value.to_string(),
        reason,
    }
}

/// A rate or exponent: finite and `> 0`.
pub(super) fn positive(
    policy: &str,
    parameter: &'static str,
    value: f64,
) -> Result<f64, ScheduleError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(invalid(policy, parameter, value, "must be finite and > 0"))
    }
}

/// A per-step (or per-drop) decay factor `γ ∈ (0, 1]`.
pub(super) fn factor(
    policy: &str,
    parameter: &'static str,
    value: f64,
) -> Result<f64, ScheduleError> {
    if value > 0.0 && value <= 1.0 {
        Ok(value)
    } else {
        Err(invalid(policy, parameter, value, "must be in (0, 1]"))
    }
}

/// A number of steps `≥ 1`.
pub(super) fn at_least_one(
    policy: &str,
    parameter: &'static str,
    value: usize,
) -> Result<usize, ScheduleError> {
    if value >= 1 {
        Ok(value)
    } else {
        Err(invalid(policy, parameter, value, "must be at least 1"))
    }
}
