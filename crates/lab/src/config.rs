//! The run configuration, its JSON form and its validation.

use catapult_losses::Loss;
use catapult_models::{DeepLinear, ModelError};
use serde::{Deserialize, Serialize};

/// One training run. JSON form:
/// `{"data": {...}, "model": {...}, "loss": "logistic", "seed": 0, "lr": {"factor": 3.0},
/// "steps": 3000, "observe_every": 10}`. `seed` defaults to 0 and `observe_every` to 10.
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
    /// The step size, absolute or relative to `λ0`.
    pub lr: LearningRate,
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

/// The step size η.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum LearningRate {
    /// `η = value`.
    Value(f64),
    /// `η = factor / λ0`, with `λ0` the top eigenvalue of Θ/n at initialisation.
    Factor(f64),
}

/// A config field with a value it cannot take.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("config field `{field}`: {problem}")]
pub struct ConfigError {
    /// Dotted path of the field, e.g. `model.width`.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl ConfigError {
    fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}

impl RunConfig {
    /// Parses JSON, naming the offending field on error.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let config: RunConfig =
            serde_json::from_str(text).map_err(|e| ConfigError::new("(json)", e.to_string()))?;
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
        let (field, rate) = match self.lr {
            LearningRate::Value(v) => ("lr.value", v),
            LearningRate::Factor(f) => ("lr.factor", f),
        };
        if !(rate.is_finite() && rate > 0.0) {
            return Err(ConfigError::new(
                field,
                format!("must be finite and > 0, got {rate}"),
            ));
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
}
