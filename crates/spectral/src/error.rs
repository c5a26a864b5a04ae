//! The single error type of the crate.

/// Everything that can go wrong when building operators or computing
/// eigenvalues. Each variant names the offending quantity so that the message
/// alone tells the caller what to fix.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum SpectralError {
    /// A matrix or operator has no rows or columns.
    #[error("matrix is empty ({rows} x {cols}); at least a 1 x 1 matrix is required")]
    EmptyMatrix {
        /// Number of rows of the rejected matrix.
        rows: usize,
        /// Number of columns of the rejected matrix.
        cols: usize,
    },
    /// A matrix that must be square is not.
    #[error("matrix is not square: it has {rows} rows and {cols} columns")]
    NotSquare {
        /// Number of rows of the rejected matrix.
        rows: usize,
        /// Number of columns of the rejected matrix.
        cols: usize,
    },
    /// A matrix entry is NaN or infinite.
    #[error("matrix entry ({row}, {col}) is not finite (NaN or infinity)")]
    NonFiniteEntry {
        /// Row of the first non-finite entry found (column-major scan).
        row: usize,
        /// Column of the first non-finite entry found.
        col: usize,
    },
    /// A Lanczos workspace was requested for dimension zero.
    #[error("operator dimension must be at least 1, got 0")]
    ZeroDimension,
    /// `LanczosOptions::krylov_dim` is zero.
    #[error("krylov_dim must be at least 1, got 0")]
    ZeroKrylovDim,
    /// `LanczosOptions::tol` is not a finite positive number.
    #[error("tolerance must be finite and positive, got {0}")]
    InvalidTolerance(f64),
    /// The operator handed to a workspace has a different dimension.
    #[error("operator dimension {operator} does not match workspace dimension {workspace}")]
    DimensionMismatch {
        /// `dim()` reported by the operator.
        operator: usize,
        /// Dimension the workspace was built for.
        workspace: usize,
    },
    /// The warm-start vector has the wrong length.
    #[error("start vector has length {start} but the operator dimension is {expected}")]
    StartLengthMismatch {
        /// Length of the supplied start vector.
        start: usize,
        /// Dimension of the operator.
        expected: usize,
    },
    /// The warm-start vector contains NaN or infinity.
    #[error("start vector entry {index} is not finite (NaN or infinity)")]
    NonFiniteStart {
        /// Index of the first non-finite entry.
        index: usize,
    },
    /// The operator returned NaN or infinity (or values so large that the
    /// Lanczos recurrence overflowed).
    #[error(
        "operator output is not finite (NaN or infinity) at application {application}; \
         check the operator or rescale it"
    )]
    NonFinite {
        /// 1-based count of the operator application that went wrong.
        application: usize,
    },
    /// The number of eigenpairs per end, `ExtremalOptions::k`, is zero.
    #[error("the number of eigenpairs per end (k) must be at least 1, got 0")]
    ZeroEigenpairCount,
    /// A matrix-vector product budget of zero was given.
    #[error("the matrix-vector product budget (max_matvecs) must be at least 1, got 0")]
    ZeroMatvecBudget,
    /// A stochastic estimator was given too few probes (matrix-vector products).
    #[error("{method} needs at least {minimum} probes (matrix-vector products), got {got}")]
    TooFewProbes {
        /// The estimator: `"Hutchinson"`, `"Hutch++"` or `"stochastic Lanczos quadrature"`.
        method: &'static str,
        /// Smallest number it accepts.
        minimum: usize,
        /// Number requested.
        got: usize,
    },
    /// `SlqOptions::steps` is zero.
    #[error("the number of Lanczos steps per probe must be at least 1, got 0")]
    ZeroLanczosSteps,
    /// A Gaussian broadening width that is not finite and positive.
    #[error("the broadening width sigma must be finite and positive, got {0}")]
    InvalidBroadening(f64),
    /// A discrete measure (nodes and weights) that cannot be compared.
    #[error("invalid measure: {0}")]
    InvalidMeasure(&'static str),
    /// faer's dense self-adjoint eigensolver did not converge.
    #[error("dense symmetric eigendecomposition of a {dim} x {dim} matrix did not converge")]
    EigenFailed {
        /// Size of the matrix that could not be decomposed.
        dim: usize,
    },
    /// faer's SVD did not converge.
    #[error("singular value decomposition of a {rows} x {cols} matrix did not converge")]
    SvdFailed {
        /// Rows of the matrix.
        rows: usize,
        /// Columns of the matrix.
        cols: usize,
    },
    /// An srank threshold `δ` outside `[0, 1)`.
    #[error("srank delta must be in [0, 1), got {0}")]
    InvalidDelta(f64),
    /// A singular value that is negative or not finite.
    #[error("singular value {index} is {value}: singular values must be finite and >= 0")]
    InvalidSingularValue {
        /// Position in the given list.
        index: usize,
        /// The offending value.
        value: f64,
    },
}
