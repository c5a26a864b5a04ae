//! Fitted Q-iteration with a Q-network from the models crate, the supervised control, and the
//! srank penalty of Kumar, Agarwal, Ghosh and Levine ("Implicit under-parameterization
//! inhibits data-efficient deep reinforcement learning", ICLR 2021).
//!
//! # The Q-network
//!
//! Any [`PenultimateFeatures`] model whose input rows are `[φ(s), e_a]`: the state features
//! `φ(s) ∈ R^d` followed by the one-hot action `e_a ∈ R^A`, with output `Q_θ(s, a)`. The
//! [`catapult_models::ReluMlp`] with d features and A heads reads rows exactly so. Its
//! penultimate features on the states of the dataset (each once, selector zero) form
//! `Φ ∈ R^{n_s × m}`, whose srank is measured.
//!
//! # One iteration
//!
//! With `Q_{k−1}` the network after iteration `k − 1`, the targets of the dataset's
//! transitions are `y_i = r_i + γ max_{a'} Q_{k−1}(s'_i, a')` ([`Targets::Bootstrapped`]) or
//! `y_i = Q*(s_i, a_i)` ([`Targets::Supervised`], the control), and the network takes
//! `steps_per_iteration` full-batch gradient steps on
//! `L(θ) = (1/N) Σ_i ½(Q_θ(s_i, a_i) − y_i)² + c·(σ²_max(Φ_θ) − σ²_min(Φ_θ))`
//! (the penalty only when `c > 0`). `∂σ_j/∂Φ = u_j v_jᵀ` for a simple singular value, so the
//! penalty's gradient with respect to Φ is `2c(σ_max u_1 v_1ᵀ − σ_min u_k v_kᵀ)`, pulled back
//! to θ with [`PenultimateFeatures::features_vjp`].
//!
//! # What is recorded
//!
//! At the start and after every iteration: srank (δ = 0.01), effective rank, σ_max and σ_min of
//! Φ; the fitting loss; the Bellman error `‖Q_θ − T Q_θ‖` and the distance `‖Q_θ − Q*‖`, both
//! root mean square over every (state, action) pair of the MDP (T the exact Bellman optimality
//! operator).

use crate::RlError;
use crate::dataset::OfflineDataset;
use crate::mdp::{Mdp, QTable, check_discount};
use catapult_models::PenultimateFeatures;
use catapult_optim::{GradientDescent, NoObserver, Objective, OptimError, TrainOptions, train};
use catapult_spectral::{SRANK_DELTA, effective_rank, singular_values, srank};
use faer::diag::Diag;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::svd::{ComputeSvdVectors, SvdParams, svd, svd_scratch};
use faer::{Col, ColMut, ColRef, Mat, MatRef, Par, Spec};

/// Where the regression targets come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    /// `r + γ max_{a'} Q_prev(s', a')`: fitted Q-iteration.
    Bootstrapped,
    /// `Q*(s, a)`: supervised regression onto the true values.
    Supervised,
}

impl Targets {
    /// `bootstrapped` or `supervised`.
    pub fn name(self) -> &'static str {
        match self {
            Targets::Bootstrapped => "bootstrapped",
            Targets::Supervised => "supervised",
        }
    }
}

impl std::str::FromStr for Targets {
    type Err = RlError;

    fn from_str(name: &str) -> Result<Self, RlError> {
        match name {
            "bootstrapped" => Ok(Targets::Bootstrapped),
            "supervised" => Ok(Targets::Supervised),
            other => Err(RlError::UnknownTargets(other.to_string())),
        }
    }
}

/// Settings of [`fitted_q_iteration`].
#[derive(Debug, Clone, PartialEq)]
pub struct FqiConfig {
    /// Discount `γ ∈ [0, 1)`.
    pub gamma: f64,
    /// Number of target updates (iterations), ≥ 1.
    pub iterations: usize,
    /// Gradient steps per iteration, ≥ 1.
    pub steps_per_iteration: usize,
    /// Constant learning rate of the gradient steps, finite and > 0.
    pub learning_rate: f64,
    /// Coefficient `c ≥ 0` of the penalty `σ²_max(Φ) − σ²_min(Φ)`.
    pub penalty: f64,
    /// Bootstrapped (FQI) or supervised targets.
    pub targets: Targets,
}

/// What one iteration left behind.
#[derive(Debug, Clone, PartialEq)]
pub struct IterationRecord {
    /// 0 before the first fit, then `k` after iteration `k`.
    pub iteration: usize,
    /// `srank_δ(Φ)` with δ = 0.01.
    pub srank: usize,
    /// Entropy effective rank of Φ.
    pub effective_rank: f64,
    /// Largest singular value of Φ.
    pub sigma_max: f64,
    /// Smallest singular value of Φ.
    pub sigma_min: f64,
    /// The fitting objective (squared error plus penalty) at the end of the iteration; `None`
    /// at iteration 0.
    pub fit_loss: Option<f64>,
    /// Root mean square of `Q_θ − T Q_θ` over every pair.
    pub bellman_error: f64,
    /// Root mean square of `Q_θ − Q*` over every pair.
    pub q_distance: f64,
}

/// The MDP, its state features, the offline data and `Q*`.
#[derive(Debug, Clone, Copy)]
pub struct QProblem<'a> {
    /// The MDP (for the Bellman error).
    pub mdp: &'a Mdp,
    /// Features `φ(s)` of every state, one row per state (S × d).
    pub features: MatRef<'a, f64>,
    /// The transitions to fit.
    pub dataset: &'a OfflineDataset,
    /// The optimal values.
    pub q_star: &'a QTable,
}

/// Runs fitted Q-iteration (or the supervised control) from `theta`, updated in place;
/// returns one record before the first iteration and one after each.
///
/// Errors on a model whose input dimension is not `d + A`, features with another number of
/// rows than states, an empty dataset, `Q*` of another shape, `γ ∉ [0, 1)`, zero iterations
/// or steps, a learning rate that is not finite and positive, a negative or non-finite
/// penalty, a `theta` of the wrong length, or a fit that diverges.
pub fn fitted_q_iteration<M: PenultimateFeatures>(
    model: &M,
    theta: &mut Col<f64>,
    problem: QProblem<'_>,
    config: &FqiConfig,
) -> Result<Vec<IterationRecord>, RlError> {
    check_config(config)?;
    let QProblem {
        mdp,
        features,
        dataset,
        q_star,
    } = problem;
    let (states, actions) = (mdp.num_states(), mdp.num_actions());
    if features.nrows() != states {
        return Err(RlError::FeatureRows {
            rows: features.nrows(),
            num_states: states,
        });
    }
    if q_star.num_states() != states || q_star.num_actions() != actions {
        return Err(RlError::TableLength {
            expected: states * actions,
            got: q_star.values().len(),
        });
    }
    if dataset.is_empty() {
        return Err(RlError::EmptyDataset);
    }
    if model.input_dim() != features.ncols() + actions {
        return Err(RlError::ModelInput {
            model: model.input_dim(),
            expected: features.ncols() + actions,
        });
    }
    if theta.nrows() != model.num_params() {
        return Err(RlError::ParameterLength {
            expected: model.num_params(),
            got: theta.nrows(),
        });
    }
    let transitions = dataset.transitions();
    let pair_rows = rows_of(
        features,
        actions,
        transitions.iter().map(|t| (t.state, t.action)),
    );
    let all_pairs = rows_of(
        features,
        actions,
        (0..states).flat_map(|s| (0..actions).map(move |a| (s, a))),
    );
    let mut seen = vec![false; states];
    for t in transitions {
        seen[t.state] = true;
    }
    let feature_rows = rows_of(
        features,
        actions,
        (0..states).filter(|&s| seen[s]).map(|s| (s, actions)),
    );
    let mut fit = FittingObjective::new(model, pair_rows, feature_rows, config.penalty)?;
    let mut all_pairs_ws = model.workspace(all_pairs.nrows());
    let mut q_values = Col::<f64>::zeros(all_pairs.nrows());
    let eta = config.learning_rate;
    if !(eta.is_finite() && eta > 0.0) {
        return Err(OptimError::InvalidLearningRate(eta).into());
    }
    let options = TrainOptions::new(config.steps_per_iteration, config.steps_per_iteration)?;
    let mut records = Vec::with_capacity(config.iterations + 1);
    let mut q_table_at = |theta: &Col<f64>| {
        evaluate(
            model,
            theta,
            &all_pairs,
            &mut all_pairs_ws,
            &mut q_values,
            mdp,
        )
    };
    let mut q_table = q_table_at(theta)?;
    records.push(measure(
        &mut fit, theta, &q_table, mdp, config, q_star, 0, None,
    )?);
    for iteration in 1..=config.iterations {
        for (i, t) in transitions.iter().enumerate() {
            fit.targets[i] = match config.targets {
                Targets::Bootstrapped => t.reward + config.gamma * q_table.max(t.next),
                Targets::Supervised => q_star.get(t.state, t.action),
            };
        }
        let outcome = train(
            &mut fit,
            theta,
            &mut GradientDescent,
            &eta,
            &options,
            &mut NoObserver,
        )?;
        if outcome.diverged {
            return Err(RlError::Diverged { iteration });
        }
        q_table = q_table_at(theta)?;
        records.push(measure(
            &mut fit,
            theta,
            &q_table,
            mdp,
            config,
            q_star,
            iteration,
            Some(outcome.final_loss),
        )?);
    }
    Ok(records)
}

fn check_config(config: &FqiConfig) -> Result<(), RlError> {
    check_discount(config.gamma)?;
    if config.iterations == 0 || config.steps_per_iteration == 0 {
        return Err(RlError::InvalidFqiConfig(format!(
            "iterations and steps_per_iteration must be at least 1, got {} and {}",
            config.iterations, config.steps_per_iteration
        )));
    }
    if !(config.penalty.is_finite() && config.penalty >= 0.0) {
        return Err(RlError::InvalidFqiConfig(format!(
            "penalty must be finite and >= 0, got {}",
            config.penalty
        )));
    }
    Ok(())
}

/// The Q-table of the network on every pair (rows `all_pairs`, state-major).
fn evaluate<M: PenultimateFeatures>(
    model: &M,
    theta: &Col<f64>,
    all_pairs: &Mat<f64>,
    workspace: &mut M::Workspace,
    out: &mut Col<f64>,
    mdp: &Mdp,
) -> Result<QTable, RlError> {
    model.forward(theta.as_ref(), all_pairs.as_ref(), workspace, out.as_mut());
    QTable::new(
        mdp.num_states(),
        mdp.num_actions(),
        out.iter().copied().collect(),
    )
}

#[allow(clippy::too_many_arguments)]
fn measure<M: PenultimateFeatures>(
    fit: &mut FittingObjective<'_, M>,
    theta: &Col<f64>,
    q: &QTable,
    mdp: &Mdp,
    config: &FqiConfig,
    q_star: &QTable,
    iteration: usize,
    fit_loss: Option<f64>,
) -> Result<IterationRecord, RlError> {
    let phi = fit.features_at(theta.as_ref());
    let sigma = singular_values(phi.as_ref())?;
    let backed = mdp.bellman_backup(q, config.gamma)?;
    Ok(IterationRecord {
        iteration,
        srank: srank(&sigma, SRANK_DELTA)?,
        effective_rank: effective_rank(&sigma)?,
        sigma_max: sigma[0],
        sigma_min: sigma[sigma.len() - 1],
        fit_loss,
        bellman_error: q.rms_distance(&backed)?,
        q_distance: q.rms_distance(q_star)?,
    })
}

/// Rows `[φ(s), e_a]` for the given pairs; an action `a ≥ A` gives a zero selector.
fn rows_of(
    features: MatRef<'_, f64>,
    actions: usize,
    pairs: impl Iterator<Item = (usize, usize)>,
) -> Mat<f64> {
    let pairs: Vec<(usize, usize)> = pairs.collect();
    let d = features.ncols();
    Mat::from_fn(pairs.len(), d + actions, |row, col| {
        let (s, a) = pairs[row];
        if col < d {
            features[(s, col)]
        } else {
            f64::from(u8::from(col - d == a))
        }
    })
}

/// `L(θ) = (1/N) Σ_i ½(f_θ(x_i) − y_i)² + c·(σ²_max(Φ_θ) − σ²_min(Φ_θ))` for a model `f`, input
/// rows `x` (N of them), targets `y` and the features `Φ_θ` of a second set of rows, with its
/// exact gradient. The Hessian-vector product is the central difference
/// `(∇L(θ + hv) − ∇L(θ − hv))/(2h)`, `h = 10⁻⁵(1 + ‖θ‖)/‖v‖`, of exact gradients (σ_max and
/// σ_min are not twice differentiable where they are repeated). Buffers, the SVD's included,
/// are allocated once; θ is read in place (no copy per evaluation).
pub struct FittingObjective<'m, M: PenultimateFeatures> {
    model: &'m M,
    rows: Mat<f64>,
    /// The regression targets `y`, one per row; set them before each fit.
    pub targets: Col<f64>,
    feature_rows: Mat<f64>,
    penalty: f64,
    fit_workspace: M::Workspace,
    feature_workspace: M::Workspace,
    outputs: Col<f64>,
    residuals: Col<f64>,
    features: Mat<f64>,
    feature_gradient: Mat<f64>,
    singular: Diag<f64>,
    left: Mat<f64>,
    right: Mat<f64>,
    svd_memory: MemBuffer,
    penalty_gradient: Col<f64>,
    shifted: Col<f64>,
    gradient_plus: Col<f64>,
    gradient_minus: Col<f64>,
}

impl<'m, M: PenultimateFeatures> FittingObjective<'m, M> {
    /// Targets start at zero. Errors if the rows do not have the model's input dimension,
    /// there are no rows, or the penalty is negative or not finite.
    pub fn new(
        model: &'m M,
        rows: Mat<f64>,
        feature_rows: Mat<f64>,
        penalty: f64,
    ) -> Result<Self, RlError> {
        for x in [&rows, &feature_rows] {
            if x.ncols() != model.input_dim() {
                return Err(RlError::ModelInput {
                    model: model.input_dim(),
                    expected: x.ncols(),
                });
            }
            if x.nrows() == 0 {
                return Err(RlError::EmptyDataset);
            }
        }
        if !(penalty.is_finite() && penalty >= 0.0) {
            return Err(RlError::InvalidFqiConfig(format!(
                "penalty must be finite and >= 0, got {penalty}"
            )));
        }
        let (n, m, p) = (rows.nrows(), model.feature_width(), model.num_params());
        let n_features = feature_rows.nrows();
        let k = n_features.min(m);
        let scratch = svd_scratch::<f64>(
            n_features,
            m,
            ComputeSvdVectors::Thin,
            ComputeSvdVectors::Thin,
            Par::Seq,
            Spec::<SvdParams, f64>::default(),
        );
        Ok(Self {
            fit_workspace: model.workspace(n),
            feature_workspace: model.workspace(n_features),
            model,
            targets: Col::zeros(n),
            outputs: Col::zeros(n),
            residuals: Col::zeros(n),
            features: Mat::zeros(n_features, m),
            feature_gradient: Mat::zeros(n_features, m),
            singular: Diag::zeros(k),
            left: Mat::zeros(n_features, k),
            right: Mat::zeros(m, k),
            svd_memory: MemBuffer::new(scratch),
            rows,
            feature_rows,
            penalty,
            penalty_gradient: Col::zeros(p),
            shifted: Col::zeros(p),
            gradient_plus: Col::zeros(p),
            gradient_minus: Col::zeros(p),
        })
    }

    /// The features `Φ_θ` (rows × m) of the feature rows, for θ of length p.
    pub fn features_at(&mut self, theta: ColRef<'_, f64>) -> Mat<f64> {
        self.model.features(
            theta,
            self.feature_rows.as_ref(),
            &mut self.feature_workspace,
            self.features.as_mut(),
        );
        self.features.clone()
    }

    /// Squared error at θ, leaving `(f − y)/N` in `residuals`.
    fn squared_error(&mut self, theta: ColRef<'_, f64>) -> f64 {
        self.model.forward(
            theta,
            self.rows.as_ref(),
            &mut self.fit_workspace,
            self.outputs.as_mut(),
        );
        let n = self.rows.nrows() as f64;
        let mut total = 0.0;
        for i in 0..self.outputs.nrows() {
            let r = self.outputs[i] - self.targets[i];
            total += 0.5 * r * r;
            self.residuals[i] = r / n;
        }
        total / n
    }

    /// The penalty at θ; with `gradient`, its gradient goes to `penalty_gradient`.
    /// A failed SVD gives NaN (the train loop then reports divergence).
    fn penalty_term(&mut self, theta: ColRef<'_, f64>, gradient: bool) -> f64 {
        if self.penalty == 0.0 {
            return 0.0;
        }
        self.model.features(
            theta,
            self.feature_rows.as_ref(),
            &mut self.feature_workspace,
            self.features.as_mut(),
        );
        let stack = MemStack::new(&mut self.svd_memory);
        let solved = svd(
            self.features.as_ref(),
            self.singular.as_mut(),
            Some(self.left.as_mut()),
            Some(self.right.as_mut()),
            Par::Seq,
            stack,
            Spec::<SvdParams, f64>::default(),
        );
        if solved.is_err() {
            return f64::NAN;
        }
        let sigma = self.singular.column_vector();
        let (mut top, mut bottom) = (0, 0);
        for j in 0..sigma.nrows() {
            if sigma[j] > sigma[top] {
                top = j;
            }
            if sigma[j] < sigma[bottom] {
                bottom = j;
            }
        }
        let (high, low) = (sigma[top], sigma[bottom]);
        if gradient {
            let g = &mut self.feature_gradient;
            for col in 0..g.ncols() {
                for row in 0..g.nrows() {
                    g[(row, col)] = 2.0
                        * self.penalty
                        * (high * self.left[(row, top)] * self.right[(col, top)]
                            - low * self.left[(row, bottom)] * self.right[(col, bottom)]);
                }
            }
            self.model.features_vjp(
                theta,
                self.feature_rows.as_ref(),
                self.feature_gradient.as_ref(),
                &mut self.feature_workspace,
                self.penalty_gradient.as_mut(),
            );
        }
        self.penalty * (high * high - low * low)
    }
}

impl<M: PenultimateFeatures> Objective for FittingObjective<'_, M> {
    fn dim(&self) -> usize {
        self.model.num_params()
    }

    fn value(&mut self, theta: ColRef<'_, f64>) -> f64 {
        self.squared_error(theta) + self.penalty_term(theta, false)
    }

    /// The fit's gradient `Jᵀ(f − y)/N` is written straight into `gradient` (length p), then
    /// the penalty's gradient (0 without a penalty) is added to it.
    fn value_and_gradient(&mut self, theta: ColRef<'_, f64>, mut gradient: ColMut<'_, f64>) -> f64 {
        let value = self.squared_error(theta) + self.penalty_term(theta, true);
        self.model.vjp(
            theta,
            self.rows.as_ref(),
            self.residuals.as_ref(),
            &mut self.fit_workspace,
            gradient.as_mut(),
        );
        let with_penalty = self.penalty > 0.0;
        for i in 0..gradient.nrows() {
            gradient[i] += if with_penalty {
                self.penalty_gradient[i]
            } else {
                0.0
            };
        }
        value
    }

    fn hessian_vector_product(
        &mut self,
        theta: ColRef<'_, f64>,
        v: ColRef<'_, f64>,
        mut out: ColMut<'_, f64>,
    ) {
        let v_norm = v.norm_l2();
        if v_norm == 0.0 {
            out.fill(0.0);
            return;
        }
        let h = 1e-5 * (1.0 + theta.norm_l2()) / v_norm;
        let mut shifted = std::mem::replace(&mut self.shifted, Col::zeros(0));
        let mut plus = std::mem::replace(&mut self.gradient_plus, Col::zeros(0));
        let mut minus = std::mem::replace(&mut self.gradient_minus, Col::zeros(0));
        for (sign, target) in [(1.0, &mut plus), (-1.0, &mut minus)] {
            for i in 0..shifted.nrows() {
                shifted[i] = theta[i] + sign * h * v[i];
            }
            self.value_and_gradient(shifted.as_ref(), target.as_mut());
        }
        for i in 0..out.nrows() {
            out[i] = (plus[i] - minus[i]) / (2.0 * h);
        }
        self.shifted = shifted;
        self.gradient_plus = plus;
        self.gradient_minus = minus;
    }
}
