//! Models for catapult and their empirical risk.
//!
//! A [`Model`] is an architecture: a map `f_θ: R^d → R` of a flat parameter vector θ
//! ([`DeepLinear`] nets, depth-D [`DiagonalNet`]s, [`ReluMlp`]s with C heads and optional
//! weight normalisation), with its Jacobian products and the curvature of `f` itself. θ and
//! every parameter-space vector are faer views (`ColRef` in, `ColMut` out), as in
//! [`catapult_optim::Objective`], so nothing between the optimiser and the model copies θ.
//! [`EmpiricalRisk`] joins a model, a
//! loss and a dataset into `L(θ) = (1/n) Σ ℓ(f_θ(x_i), y_i)`, implements
//! [`catapult_optim::Objective`] (exact gradient; Hessian-vector product, exact but for the ReLU curvature term) and measures
//! the curvature of training: the sharpness (top Hessian eigenvalue) and the top eigenvalue
//! of the NTK Gram matrix Θ/n, both matrix-free by Lanczos.
//!
//! ```
//! use catapult_data::Dataset;
//! use catapult_losses::Loss;
//! use catapult_models::{DeepLinear, EmpiricalRisk};
//! use catapult_optim::Objective;
//! use catapult_spectral::{Lanczos, LanczosOptions};
//!
//! let data = Dataset::degenerate(&[1.0, -0.5, 2.0], &[1.0, 1.0, -1.0], 4).unwrap();
//! let model = DeepLinear::two_layer(64, 4).unwrap();
//! let theta = model.init(7);
//! let mut risk = EmpiricalRisk::new(model, Loss::Logistic, data).unwrap();
//! let loss = risk.value(theta.as_ref());
//! let mut lanczos = Lanczos::new(risk.dim(), LanczosOptions::default()).unwrap();
//! let sharpness = risk.sharpness(theta.as_ref(), &mut lanczos, None).unwrap();
//! assert!(loss > 0.0 && sharpness.value > 0.0);
//! ```

#![warn(missing_docs)]

mod deep_linear;
mod diagonal;
mod model;
mod relu_mlp;
mod restricted;
mod risk;

pub use deep_linear::{DeepLinear, DeepLinearWorkspace};
pub use diagonal::{DiagonalNet, DiagonalNetWorkspace};
pub use model::Model;
pub use relu_mlp::{Normalisation, PenultimateFeatures, ReluMlp, ReluMlpWorkspace};
pub use restricted::{InputLayer, RestrictedHessianOperator};
pub use risk::{ClassSummary, EmpiricalRisk, HessianOperator, NtkOperator};

use catapult_data::DataError;
use catapult_losses::{OutputCountMismatch, TargetError};
use catapult_spectral::SpectralError;

/// What can go wrong when building or measuring a model.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// A deep linear net needs at least two weight layers.
    #[error("depth must be at least 2 (two weight layers), got {0}")]
    DepthTooSmall(usize),
    /// A diagonal network needs at least one layer.
    #[error("a diagonal network needs depth D >= 1, got 0")]
    DiagonalDepthZero,
    /// An initialisation scale that is not a finite positive number.
    #[error("the initialisation scale alpha must be finite and > 0, got {0}")]
    InvalidInitScale(f64),
    /// An initial vector of the wrong length.
    #[error("an initial vector has length {got} but the input dimension is {expected}")]
    InitLength {
        /// The model's input dimension `d`.
        expected: usize,
        /// Length of the initial vector given.
        got: usize,
    },
    /// A non-finite entry in a given initialisation.
    #[error("initial parameter {index} is {value}: parameters must be finite")]
    NonFiniteInit {
        /// Index (0-based) of the entry in the concatenated parameter vector `θ`.
        index: usize,
        /// The non-finite value found (NaN or ±∞).
        value: f64,
    },
    /// A layer of width zero.
    #[error("width must be at least 1, got 0")]
    ZeroWidth,
    /// Input dimension zero.
    #[error("input dimension must be at least 1, got 0")]
    ZeroInputDim,
    /// The data has a different input dimension than the model.
    #[error("the data has input dimension {data} but the model expects {model}")]
    InputDimMismatch {
        /// Input dimension the model was built for.
        model: usize,
        /// Input dimension `d` of the data.
        data: usize,
    },
    /// A parameter or direction vector of the wrong length.
    #[error("vector has length {got} but the model has {expected} parameters")]
    ParameterLength {
        /// Number of parameters of the model.
        expected: usize,
        /// Length of the vector given.
        got: usize,
    },
    /// The data is unsuitable for the loss.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The loss cannot serve the model's number of outputs.
    #[error(transparent)]
    LossOutputs(OutputCountMismatch),
    /// A label the loss cannot take.
    #[error("label {sample}: {source}")]
    Label {
        /// Index (0-based) of the sample.
        sample: usize,
        /// What is wrong with its label.
        source: TargetError,
    },
    /// A restricted curvature was asked of a model without an input layer.
    #[error(
        "the model has no input layer, so curvature restricted to an input subspace is undefined"
    )]
    NoInputLayer,
    /// A subspace basis with another number of rows than the input dimension.
    #[error("the subspace basis has {got} rows but the input dimension is {expected}")]
    SubspaceDimension {
        /// The model's input dimension `d`.
        expected: usize,
        /// Number of rows of the basis given.
        got: usize,
    },
    /// A subspace basis without columns.
    #[error("the subspace is empty (its basis has no columns)")]
    EmptySubspace,
    /// A subspace basis whose columns are not orthonormal.
    #[error("the subspace basis is not orthonormal: QᵀQ deviates from I by {deviation:e}")]
    BasisNotOrthonormal {
        /// Largest entry of `|QᵀQ − I|` (absolute; NaN if any entry is NaN).
        deviation: f64,
    },
    /// A layer index outside `1..=depth`.
    #[error("layer {layer} does not exist: layers are numbered 1 to {depth}")]
    LayerOutOfRange {
        /// The layer asked for.
        layer: usize,
        /// Number of layers of the model.
        depth: usize,
    },
    /// Another number of labels than feature rows.
    #[error("{labels} labels for {rows} feature rows")]
    LabelCount {
        /// Number of feature rows (samples).
        rows: usize,
        /// Number of labels given.
        labels: usize,
    },
    /// A class label at least the number of classes.
    #[error("label {label} is out of range for {classes} classes (labels are 0 to classes − 1)")]
    LabelOutOfRange {
        /// The label found.
        label: usize,
        /// Number of classes (labels must be below it).
        classes: usize,
    },
    /// An eigen-solver failed.
    #[error(transparent)]
    Spectral(#[from] SpectralError),
}
