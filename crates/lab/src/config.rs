//! The run configuration, its JSON form and its validation.

use crate::task::Task;
use catapult_data::LabelColumn;
use catapult_losses::Loss;
use catapult_models::{DeepLinear, ModelError};
use catapult_optim::{LrSchedule, Sampling, SgdConfig, WeightDecay};
use serde::{Deserialize, Serialize};

/// One training run. JSON form:
/// `{"data": {...}, "model": {...}, "loss": "logistic", "seed": 0, "lr": {"factor": 3.0},
/// "steps": 3000, "observe_every": 10}`. `seed` defaults to 0, `observe_every` to 10 and the
/// optional `optimizer` to full-batch GD; `lr` also takes `{"schedule": SPEC}` and
/// `{"factor_schedule": SPEC}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Where the data comes from.
    pub data: DataConfig,
    /// The architecture.
    pub model: ModelConfig,
    /// The per-sample loss: `logistic`, `exponential` or `squared`.
    pub loss: Loss,
    /// Seed of the parameter initialisation.
    #[serde(default)]
    pub seed: u64,
    /// The step size, absolute or relative to `λ0`, constant or scheduled.
    pub lr: LearningRate,
    /// The optimizer; full-batch GD when left out.
    #[serde(default, skip_serializing_if = "OptimizerConfig::is_gd")]
    pub optimizer: OptimizerConfig,
    /// Number of gradient steps.
    pub steps: usize,
    /// Observe (loss, accuracy, NTK top, sharpness) every this many steps.
    #[serde(default = "default_observe_every")]
    pub observe_every: usize,
}

fn default_observe_every() -> usize {
    10
}

/// A dataset description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DataConfig {
    /// Inputs `x_i = a_i e` on one line of `R^dim`, targets `y_i`.
    Degenerate {
        /// Coordinates along the line.
        a: Vec<f64>,
        /// Targets (±1 for the classification losses).
        y: Vec<f64>,
        /// Input dimension.
        dim: usize,
    },
    /// The training part of a task of the generalisation experiment
    /// ([`crate::task::Task`]: `iris-versicolor-virginica`, `iris-setosa`,
    /// `wine-red`, `separable-mix`, `gaussians`), split 70/30 with the run's seed and
    /// standardised (real data) as there.
    Task {
        /// The task's name.
        name: String,
    },
    /// The training part (70/30 split with the run's seed, standardised) of a CSV file with a
    /// header row: the label column (`"#K"` for the 0-based index K, else a header name)
    /// takes two values, `positive` being `+1`.
    Csv {
        /// The file.
        path: std::path::PathBuf,
        /// The label column.
        label: String,
        /// The label value that is `+1`.
        positive: String,
    },
    /// The training part (70/30 split with the run's seed, standardised) of an MNIST /
    /// Fashion-MNIST IDX pair, raw or gzipped, with classes `[A, B]` (A is `+1`).
    Idx {
        /// The images file.
        images: std::path::PathBuf,
        /// The labels file.
        labels: std::path::PathBuf,
        /// The class pair.
        classes: [u8; 2],
    },
}

impl DataConfig {
    /// The task a non-degenerate data config names. Errors: degenerate data (not a task), an
    /// unknown task name, a malformed `#K` label index.
    pub fn task(&self) -> Result<Task, ConfigError> {
        Ok(match self {
            DataConfig::Degenerate { .. } => {
                return Err(ConfigError::new(
                    "data.kind",
                    "degenerate data is given inline, not as a task",
                ));
            }
            DataConfig::Task { name } => name
                .parse()
                .map_err(|problem| ConfigError::new("data.name", problem))?,
            DataConfig::Csv {
                path,
                label,
                positive,
            } => Task::Csv {
                path: path.clone(),
                label: match label.strip_prefix('#') {
                    Some(index) => LabelColumn::Index(index.parse().map_err(|_| {
                        ConfigError::new(
                            "data.label",
                            format!("`{label}`: `#` must be followed by a column index"),
                        )
                    })?),
                    None => LabelColumn::Name(label.clone()),
                },
                positive: positive.clone(),
            },
            DataConfig::Idx {
                images,
                labels,
                classes,
            } => Task::Idx {
                images: images.clone(),
                labels: labels.clone(),
                class_a: classes[0],
                class_b: classes[1],
            },
        })
    }
}

/// An architecture description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ModelConfig {
    /// `f(x) = vᵀUx/√m` in NTK parametrisation, N(0, 1) init: the depth-2 deep linear net.
    TwoLayerLinear {
        /// Hidden width `m`.
        width: usize,
    },
    /// `f(x) = w_Lᵀ W_{L−1} ⋯ W_1 x / √(m^{L−1})` in NTK parametrisation, N(0, 1) init.
    DeepLinear {
        /// Number of weight layers L ≥ 2.
        depth: usize,
        /// Hidden width m (every hidden layer).
        width: usize,
    },
}

impl ModelConfig {
    /// Hidden width m.
    pub fn width(&self) -> usize {
        match *self {
            ModelConfig::TwoLayerLinear { width } | ModelConfig::DeepLinear { width, .. } => width,
        }
    }

    /// Replaces the hidden width.
    pub fn set_width(&mut self, new_width: usize) {
        match self {
            ModelConfig::TwoLayerLinear { width } | ModelConfig::DeepLinear { width, .. } => {
                *width = new_width
            }
        }
    }

    /// The network for inputs of dimension `input_dim`.
    pub fn build(&self, input_dim: usize) -> Result<DeepLinear, ModelError> {
        match *self {
            ModelConfig::TwoLayerLinear { width } => DeepLinear::two_layer(width, input_dim),
            ModelConfig::DeepLinear { depth, width } => DeepLinear::new(depth, width, input_dim),
        }
    }
}

/// The step size η, constant or scheduled (`catapult_optim::schedule` spec strings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum LearningRate {
    /// `η = value`.
    Value(f64),
    /// `η = factor / λ0`, with `λ0` the top eigenvalue of Θ/n at initialisation.
    Factor(f64),
    /// `η_t = schedule(t)`, e.g. `{"schedule": "cosine:k0=0.5,floor=0.01,T=3000"}`.
    Schedule(LrSchedule),
    /// `η_t = schedule(t) / λ0`: the schedule in units of `1/λ0`, e.g.
    /// `{"factor_schedule": "seq:[fix:k0=3@500,fix:k0=0.5]"}`.
    FactorSchedule(LrSchedule),
}

/// The optimizer. JSON: `{"kind": "gd"}` (the default when the field is left out) or
/// `{"kind": "sgd", "batch": 32, "momentum": 0.9, "nesterov": false, "weight_decay": 0.0}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum OptimizerConfig {
    /// Full-batch gradient descent `θ ← θ − η_t ∇L(θ)`.
    #[default]
    Gd,
    /// Mini-batch SGD with heavy-ball or Nesterov momentum and weight decay (see
    /// [`catapult_optim::Sgd`] for the update).
    Sgd {
        /// Samples per step; left out, every step uses all samples.
        #[serde(default)]
        batch: Option<usize>,
        /// Momentum `μ ∈ [0, 1)`.
        #[serde(default)]
        momentum: f64,
        /// Nesterov's look-ahead form of the momentum (needs `momentum > 0`).
        #[serde(default)]
        nesterov: bool,
        /// Coupled weight decay (an L2 penalty `½λ|θ|²` added to the loss): `g ← g + λθ`.
        #[serde(default)]
        weight_decay: f64,
        /// Decoupled weight decay (Loshchilov & Hutter's SGDW): `θ ← θ − η_t λ θ` beside the
        /// gradient step.
        #[serde(default)]
        decoupled_weight_decay: f64,
        /// Draw batches with replacement (default: reshuffled epochs without replacement).
        #[serde(default)]
        with_replacement: bool,
    },
}

impl OptimizerConfig {
    /// Whether this is full-batch GD (then the field is left out of written configs).
    pub fn is_gd(&self) -> bool {
        *self == OptimizerConfig::Gd
    }

    /// The optimizer's settings; batches are seeded with `seed`.
    pub fn sgd_config(&self, seed: u64) -> Result<SgdConfig, ConfigError> {
        let OptimizerConfig::Sgd {
            batch,
            momentum,
            nesterov,
            weight_decay,
            decoupled_weight_decay,
            with_replacement,
        } = *self
        else {
            return Ok(SgdConfig {
                seed,
                ..SgdConfig::default()
            });
        };
        let weight_decay = match (weight_decay, decoupled_weight_decay) {
            (coupled, 0.0) if coupled != 0.0 => WeightDecay::Coupled(coupled),
            (0.0, decoupled) if decoupled != 0.0 => WeightDecay::Decoupled(decoupled),
            (0.0, 0.0) => WeightDecay::None,
            _ => {
                return Err(ConfigError::new(
                    "optimizer.decoupled_weight_decay",
                    "set either weight_decay (coupled) or decoupled_weight_decay, not both",
                ));
            }
        };
        Ok(SgdConfig {
            batch,
            momentum,
            nesterov,
            weight_decay,
            sampling: if with_replacement {
                Sampling::WithReplacement
            } else {
                Sampling::WithoutReplacement
            },
            seed,
        })
    }
}

/// A config field with a value it cannot take, or a config text that is not a config.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ConfigError {
    /// Dotted path of the field, e.g. `model.width`; empty when the text itself is at fault
    /// (not JSON, or JSON of another shape), where the problem names what and where.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.field {
            "" => f.write_str(&self.problem),
            field => write!(f, "config field `{field}`: {}", self.problem),
        }
    }
}

impl ConfigError {
    fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }

    /// A parse failure: malformed JSON is said to be so; JSON of the wrong shape (a missing
    /// field, an unknown name) keeps serde's message, which names the field or the name.
    fn from_serde(error: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let problem = match error.classify() {
            Category::Syntax | Category::Eof => format!("not valid JSON: {error}"),
            Category::Data | Category::Io => error.to_string(),
        };
        Self::new("", problem)
    }
}

impl RunConfig {
    /// Parses JSON, naming the offending field on error.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let config: RunConfig =
            serde_json::from_str(text).map_err(|e| ConfigError::from_serde(&e))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every value a field cannot take that the JSON types allow. The data values
    /// themselves (NaN, lengths, labels) are checked when the dataset is built.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match &self.data {
            DataConfig::Degenerate { a, y, dim } => {
                if a.is_empty() {
                    return Err(ConfigError::new("data.a", "must hold at least one sample"));
                }
                if a.len() != y.len() {
                    return Err(ConfigError::new(
                        "data.y",
                        format!("has {} entries but data.a has {}", y.len(), a.len()),
                    ));
                }
                if *dim == 0 {
                    return Err(ConfigError::new("data.dim", "must be at least 1"));
                }
                if self.loss.is_classification()
                    && let Some((i, label)) = y.iter().enumerate().find(|(_, l)| l.abs() != 1.0)
                {
                    return Err(ConfigError::new(
                        "data.y",
                        format!(
                            "label {i} is {label}: the {} loss needs labels -1 or +1",
                            self.loss
                        ),
                    ));
                }
            }
            DataConfig::Task { .. } | DataConfig::Csv { .. } | DataConfig::Idx { .. } => {
                self.data.task()?;
            }
        }
        if self.model.width() == 0 {
            return Err(ConfigError::new("model.width", "must be at least 1"));
        }
        if let ModelConfig::DeepLinear { depth, .. } = self.model
            && depth < 2
        {
            return Err(ConfigError::new(
                "model.depth",
                format!("must be at least 2 (two weight layers), got {depth}"),
            ));
        }
        let constant = match self.lr {
            LearningRate::Value(v) => Some(("lr.value", v)),
            LearningRate::Factor(f) => Some(("lr.factor", f)),
            LearningRate::Schedule(_) | LearningRate::FactorSchedule(_) => None,
        };
        if let Some((field, rate)) = constant
            && !(rate.is_finite() && rate > 0.0)
        {
            return Err(ConfigError::new(
                field,
                format!("must be finite and > 0, got {rate}"),
            ));
        }
        if let OptimizerConfig::Sgd {
            batch,
            momentum,
            nesterov,
            weight_decay,
            decoupled_weight_decay,
            ..
        } = self.optimizer
        {
            if batch == Some(0) {
                return Err(ConfigError::new("optimizer.batch", "must be at least 1"));
            }
            if !(0.0..1.0).contains(&momentum) {
                return Err(ConfigError::new(
                    "optimizer.momentum",
                    format!("must be in [0, 1), got {momentum}"),
                ));
            }
            if nesterov && momentum == 0.0 {
                return Err(ConfigError::new(
                    "optimizer.nesterov",
                    "needs a momentum above 0",
                ));
            }
            for (field, decay) in [
                ("optimizer.weight_decay", weight_decay),
                ("optimizer.decoupled_weight_decay", decoupled_weight_decay),
            ] {
                if !(decay.is_finite() && decay >= 0.0) {
                    return Err(ConfigError::new(
                        field,
                        format!("must be finite and >= 0, got {decay}"),
                    ));
                }
            }
            self.optimizer.sgd_config(self.seed)?;
        }
        if self.steps == 0 {
            return Err(ConfigError::new("steps", "must be at least 1"));
        }
        if self.observe_every == 0 {
            return Err(ConfigError::new("observe_every", "must be at least 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"data": {"kind": "degenerate", "a": [1.0, -2.0], "y": [1.0, 1.0], "dim": 5},
        "model": {"kind": "two-layer-linear", "width": 1000}, "loss": "logistic", "seed": 0,
        "lr": {"value": 0.5}, "steps": 3000, "observe_every": 10}"#;

    #[test]
    fn parses_the_documented_form_and_round_trips() {
        let config = RunConfig::from_json(GOOD).unwrap();
        assert_eq!(config.lr, LearningRate::Value(0.5));
        assert_eq!(config.model, ModelConfig::TwoLayerLinear { width: 1000 });
        let again = RunConfig::from_json(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(again, config);
    }

    fn error_for(edit: (&str, &str)) -> String {
        RunConfig::from_json(&GOOD.replace(edit.0, edit.1))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (("\"width\": 1000", "\"width\": 0"), "`model.width`"),
            (
                (
                    "\"kind\": \"two-layer-linear\"",
                    "\"kind\": \"deep-linear\", \"depth\": 1",
                ),
                "`model.depth`",
            ),
            (
                (
                    "\"kind\": \"two-layer-linear\"",
                    "\"kind\": \"deep-linear\"",
                ),
                "missing field `depth`",
            ),
            (("{\"value\": 0.5}", "{\"value\": -1}"), "`lr.value`"),
            (("{\"value\": 0.5}", "{\"factor\": 0}"), "`lr.factor`"),
            (
                ("\"observe_every\": 10", "\"observe_every\": 0"),
                "`observe_every`",
            ),
            (("\"dim\": 5", "\"dim\": 0"), "`data.dim`"),
            (("\"y\": [1.0, 1.0]", "\"y\": [1.0]"), "`data.y`"),
            (
                (
                    "\"a\": [1.0, -2.0], \"y\": [1.0, 1.0]",
                    "\"a\": [], \"y\": []",
                ),
                "`data.a`",
            ),
            (("\"logistic\"", "\"hinge\""), "unknown variant `hinge`"),
            (("two-layer-linear", "mlp"), "unknown variant `mlp`"),
            (("\"steps\": 3000,", ""), "missing field `steps`"),
            (("\"seed\": 0", "\"sede\": 0"), "unknown field `sede`"),
            (
                ("{\"value\": 0.5}", "{\"rate\": 0.5}"),
                "unknown variant `rate`",
            ),
        ];
        for ((from, to), expected) in cases {
            let message = error_for((from, to));
            assert!(message.contains(expected), "{from} -> {to}: {message}");
        }
    }

    #[test]
    fn schedules_and_optimizers_parse_and_round_trip() {
        let sgd = r#""steps": 3000, "optimizer": {"kind": "sgd", "batch": 32, "momentum": 0.9,
            "nesterov": false, "weight_decay": 0.0},"#;
        let config = RunConfig::from_json(
            &GOOD
                .replace(
                    "{\"value\": 0.5}",
                    "{\"schedule\": \"cosine:k0=0.5,T=100\"}",
                )
                .replace("\"steps\": 3000,", sgd),
        )
        .unwrap();
        assert_eq!(
            config.lr,
            LearningRate::Schedule("cosine:k0=0.5,T=100".parse().unwrap())
        );
        let sgd_config = config.optimizer.sgd_config(7).unwrap();
        assert_eq!(
            (sgd_config.batch, sgd_config.momentum, sgd_config.seed),
            (Some(32), 0.9, 7)
        );
        assert_eq!(sgd_config.weight_decay, WeightDecay::None);
        let text = serde_json::to_string(&config).unwrap();
        assert!(
            text.contains(r#""schedule":"cosine:k0=0.5,T=100""#),
            "{text}"
        );
        assert_eq!(RunConfig::from_json(&text).unwrap(), config);

        let relative = GOOD.replace(
            "{\"value\": 0.5}",
            "{\"factor_schedule\": \"seq:[fix:k0=3@10,fix:k0=0.5]\"}",
        );
        let config = RunConfig::from_json(&relative).unwrap();
        assert!(matches!(config.lr, LearningRate::FactorSchedule(_)));
        // GD is the default and is not written out, so older records read the same.
        assert_eq!(config.optimizer, OptimizerConfig::Gd);
        assert!(
            !serde_json::to_string(&config)
                .unwrap()
                .contains("optimizer")
        );
    }

    #[test]
    fn bad_schedules_and_optimizers_name_the_problem() {
        let with_optimizer = |optimizer: &str| {
            error_for((
                "\"steps\": 3000,",
                &format!("\"steps\": 3000, \"optimizer\": {optimizer},"),
            ))
        };
        let cases = [
            (
                with_optimizer(r#"{"kind": "sgd", "momentum": 1.0}"#),
                "`optimizer.momentum`",
            ),
            (
                with_optimizer(r#"{"kind": "sgd", "batch": 0}"#),
                "`optimizer.batch`",
            ),
            (
                with_optimizer(r#"{"kind": "sgd", "nesterov": true}"#),
                "`optimizer.nesterov`",
            ),
            (
                with_optimizer(r#"{"kind": "sgd", "weight_decay": -1}"#),
                "`optimizer.weight_decay`",
            ),
            (
                with_optimizer(
                    r#"{"kind": "sgd", "weight_decay": 0.1, "decoupled_weight_decay": 0.1}"#,
                ),
                "`optimizer.decoupled_weight_decay`",
            ),
            (
                with_optimizer(r#"{"kind": "adam"}"#),
                "unknown variant `adam`",
            ),
            (
                error_for(("{\"value\": 0.5}", "{\"schedule\": \"bogus:k0=1\"}")),
                "unknown schedule policy `bogus`",
            ),
            (
                error_for((
                    "{\"value\": 0.5}",
                    "{\"schedule\": \"step:k0=1,gamma=2,l=5\"}",
                )),
                "`gamma`",
            ),
        ];
        for (message, expected) in cases {
            assert!(message.contains(expected), "{expected}: {message}");
        }
    }
}
