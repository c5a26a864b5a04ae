//! The starting point of a run — its training data and initial parameters — written out so
//! that another implementation (the numpy reference in `benches/reference/`) can train from
//! exactly the same bits.

use crate::runner::initial_state;
use crate::{LabError, RunConfig};
use serde::{Deserialize, Serialize};

/// Training inputs, targets and θ0 of a run config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartingPoint {
    /// Inputs, one row per sample (n × d).
    pub x: Vec<Vec<f64>>,
    /// Targets (length n).
    pub y: Vec<f64>,
    /// Hidden widths `m_1, …, m_{L−1}` of the deep linear net.
    pub widths: Vec<usize>,
    /// θ0 in the model's layout: `W_1 … W_{L−1}` (each m_k × m_{k−1}, column-major), then
    /// `w_L`; for depth 2, `U` (m × d) then `v`.
    pub theta: Vec<f64>,
}

/// The data and θ0 that [`crate::run`] starts from for `config` (same seed, same bits).
pub fn starting_point(config: &RunConfig) -> Result<StartingPoint, LabError> {
    let (data, model, theta) = initial_state(config)?;
    let x = data.x();
    Ok(StartingPoint {
        x: (0..x.nrows())
            .map(|i| (0..x.ncols()).map(|j| x[(i, j)]).collect())
            .collect(),
        y: data.y().iter().copied().collect(),
        widths: model.widths().to_vec(),
        theta: theta.iter().copied().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_is_the_runs_data_and_first_parameters() {
        let config = RunConfig::from_json(
            r#"{"data": {"kind": "degenerate", "a": [1.0, -2.0], "y": [1.0, -1.0], "dim": 4},
            "model": {"kind": "two-layer-linear", "width": 3}, "loss": "logistic", "seed": 7,
            "lr": {"value": 0.5}, "steps": 1, "observe_every": 1}"#,
        )
        .unwrap();
        let start = starting_point(&config).unwrap();
        assert_eq!(start.x, vec![vec![0.5; 4], vec![-1.0; 4]]);
        assert_eq!(start.y, vec![1.0, -1.0]);
        assert_eq!(start.widths, vec![3]);
        let model = catapult_models::DeepLinear::two_layer(3, 4).unwrap();
        let theta: Vec<f64> = model.init(7).iter().copied().collect();
        assert_eq!(start.theta, theta);
        assert_eq!(start.theta.len(), 3 * 4 + 3);
    }
}
