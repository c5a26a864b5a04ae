//! What can go wrong when building or parsing a schedule.

/// A schedule that cannot be built: a spec string that does not parse, or a parameter out of
/// range. Every message names the policy and the parameter at fault and says why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    /// The policy name is not one of the known ones.
    #[error("unknown schedule policy `{name}`")]
    UnknownPolicy {
        /// The name as written in the spec.
        name: String,
    },
    /// A parameter the policy does not take.
    #[error(
        "policy `{policy}` has no parameter `{parameter}` (it takes: {})",
        accepted.join(", ")
    )]
    UnknownParameter {
        /// The policy's spec name.
        policy: String,
        /// The parameter as written.
        parameter: String,
        /// The parameters the policy takes.
        accepted: &'static [&'static str],
    },
    /// A required parameter that is absent.
    #[error("policy `{policy}` needs parameter `{parameter}`")]
    MissingParameter {
        /// The policy's spec name.
        policy: String,
        /// The parameter that is missing.
        parameter: &'static str,
    },
    /// The same parameter given twice.
    #[error("policy `{policy}`: parameter `{parameter}` is given more than once")]
    DuplicateParameter {
        /// The policy's spec name.
        policy: String,
        /// The repeated parameter.
        parameter: String,
    },
    /// A parameter whose value is not a number of the right kind or is out of range.
    #[error("policy `{policy}`: parameter `{parameter}` = {value} {reason}")]
    InvalidParameter {
        /// The policy's spec name.
        policy: String,
        /// The parameter at fault.
        parameter: &'static str,
        /// Its value as written (or as given to the constructor).
        value: String,
        /// Why it is rejected (e.g. `"must be > 0"`).
        reason: &'static str,
    },
    /// The spec string is malformed at byte `position`.
    #[error("schedule spec: at byte {position}: expected {expected}")]
    Syntax {
        /// Byte offset into the spec string.
        position: usize,
        /// What the parser expected there.
        expected: &'static str,
    },
    /// Composites (`warmup`, `seq`) nested deeper than `limit` levels.
    #[error("composite schedules (warmup, seq) nest deeper than {limit} levels")]
    TooDeep {
        /// The maximum nesting depth.
        limit: usize,
    },
}
