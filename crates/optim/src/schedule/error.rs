//! What can go wrong when building or parsing a schedule.

/// A schedule that cannot be built: a spec string that does not parse, or a parameter out of
/// range. Every message names the policy and the parameter at fault and says why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    /// The policy name is not one of the known ones.
    #[error("unknown schedule policy `{name}`")]
    UnknownPolicy { name: String },
    /// A parameter the policy does not take.
    #[error(
        "policy `{policy}` has no parameter `{parameter}` (it takes: {})",
        accepted.join(", ")
    )]
    UnknownParameter {
        policy: String,
        parameter: String,
        accepted: &'static [&'static str],
    },
    /// A required parameter that is absent.
    #[error("policy `{policy}` needs parameter `{parameter}`")]
    MissingParameter {
        policy: String,
        parameter: &'static str,
    },
    /// The same parameter given twice.
    #[error("policy `{policy}`: parameter `{parameter}` is given more than once")]
    DuplicateParameter { policy: String, parameter: String },
    /// A parameter whose value is not a number of the right kind or is out of range.
    #[error("policy `{policy}`: parameter `{parameter}` = {value} {reason}")]
    InvalidParameter {
        policy: String,
        parameter: &'static str,
        value: String,
        reason: &'static str,
    },
    /// The spec string is malformed at byte `position`.
    #[error("schedule spec: at byte {position}: expected {expected}")]
    Syntax {
        position: usize,
        expected: &'static str,
    },
    /// Composites (`warmup`, `seq`) nested deeper than `limit` levels.
    #[error("composite schedules (warmup, seq) nest deeper than {limit} levels")]
    TooDeep { limit: usize },
}
