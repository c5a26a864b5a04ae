//! Square-loss ReLU classifiers with weight normalisation and weight decay
//! ([`catapult_experiments::collapse`]): the norm ρ and margin, the ranks of the last weight matrices,
//! and neural collapse over training, one curve per weight decay λ. The three figures share
//! one set of runs.

use crate::setups::{Built, THREE_PANELS};
use anyhow::{Result, anyhow};
use catapult_experiments::collapse::{CollapseRow, CollapseSpec, run_collapse};
use catapult_plot::{Axis, Figure, Panel, RUN_COLORS};
use catapult_plot::{RGBColor, SeriesLabelPosition};
use std::sync::OnceLock;

/// One colour per weight decay, in the order of the spec.
const DECAY_COLORS: [RGBColor; 4] = [
    RUN_COLORS[0],
    RUN_COLORS[1],
    RUN_COLORS[2],
    RGBColor(214, 39, 40),
];

/// The runs of [`CollapseSpec::standard`], made once per process.
fn runs() -> Result<&'static (CollapseSpec, Vec<CollapseRow>)> {
    static RUNS: OnceLock<std::result::Result<(CollapseSpec, Vec<CollapseRow>), String>> =
        OnceLock::new();
    RUNS.get_or_init(|| {
        let spec = CollapseSpec::standard();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        run_collapse(&spec, threads)
            .map(|rows| (spec, rows))
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| anyhow!("{e}"))
}

/// Panels of one quantity per λ against the step.
fn curves(
    title: &str,
    y: Axis,
    legend: SeriesLabelPosition,
    pick: fn(&CollapseRow) -> f64,
) -> Result<Panel> {
    let (spec, rows) = runs()?;
    let mut panel = Panel::new(title, Axis::linear("GD step"), y).legend_at(legend);
    for (&lambda, color) in spec.weight_decays.iter().zip(DECAY_COLORS) {
        panel.line(
            format!("λ = {lambda}"),
            color,
            rows.iter()
                .filter(|r| r.weight_decay == lambda)
                .map(|r| (r.step as f64, pick(r))),
        );
    }
    Ok(panel)
}

fn title(what: &str) -> Result<String> {
    let (spec, _) = runs()?;
    Ok(format!(
        "{what} ({}, ReLU MLP {:?}, weight-normalised, GD {}, seed {})",
        spec.task.name(),
        spec.hidden,
        spec.schedule,
        spec.seed
    ))
}

/// Final values of every run, as notes.
fn final_notes() -> Result<Vec<String>> {
    let (spec, rows) = runs()?;
    Ok(spec
        .weight_decays
        .iter()
        .filter_map(|&lambda| rows.iter().rev().find(|r| r.weight_decay == lambda))
        .map(|r| {
            format!(
                "λ = {} at step {}: loss {:.3e}, accuracy {:.3}, ρ {:.3e}, margin/ρ {:.3e}, stable rank W_L−1 {:.2} W_L {:.2}, effective rank W_L−1 {:.2} W_L {:.2}, NC1 {:.3e}, NC2 norm {:.3} angle {:.3}, NC3 {:.3}",
                r.weight_decay,
                r.step,
                r.loss,
                r.accuracy,
                r.rho,
                r.normalised_margin,
                r.stable_rank_penultimate,
                r.stable_rank_last,
                r.effective_rank_penultimate,
                r.effective_rank_last,
                r.nc1,
                r.nc2_norm_spread,
                r.nc2_angle_spread,
                r.nc3
            )
        })
        .collect())
}

/// ρ = Π‖W_k‖ with and without weight decay, the training loss, and the normalised margin.
pub fn relu_norm() -> Result<Built> {
    let panels = vec![
        curves(
            "norm ρ = Π_k ‖W_k‖_F",
            Axis::log("ρ"),
            SeriesLabelPosition::UpperLeft,
            |r| r.rho,
        )?,
        curves(
            "training square loss",
            Axis::log("loss"),
            SeriesLabelPosition::LowerLeft,
            |r| r.loss.max(1e-12),
        )?,
        curves(
            "margin of the normalised net, min_i (F_y − max_c≠y F_c)/ρ",
            Axis::linear("margin / ρ"),
            SeriesLabelPosition::LowerRight,
            |r| r.normalised_margin,
        )?,
    ];
    Ok(Built {
        figure: Figure {
            title: title("Norm, loss and margin per weight decay")?,
            size: THREE_PANELS,
            panels,
        },
        notes: final_notes()?,
    })
}

/// Stable and effective rank of the last two weight matrices over training.
pub fn relu_ranks() -> Result<Built> {
    let panels = vec![
        curves(
            "stable rank of W_{L−1} (64 × 64)",
            Axis::linear("‖W‖_F² / ‖W‖_2²"),
            SeriesLabelPosition::UpperRight,
            |r| r.stable_rank_penultimate,
        )?,
        curves(
            "stable rank of W_L (4 × 64)",
            Axis::linear("‖W‖_F² / ‖W‖_2²"),
            SeriesLabelPosition::UpperRight,
            |r| r.stable_rank_last,
        )?,
        curves(
            "effective rank of W_{L−1}",
            Axis::linear("exp(H(σ/Σσ))"),
            SeriesLabelPosition::UpperRight,
            |r| r.effective_rank_penultimate,
        )?,
    ];
    Ok(Built {
        figure: Figure {
            title: title("Ranks of the last weight matrices per weight decay")?,
            size: THREE_PANELS,
            panels,
        },
        notes: Vec::new(),
    })
}

/// NC1 over training, and NC2 (angles) and NC3.
pub fn relu_collapse() -> Result<Built> {
    let panels = vec![
        curves(
            "NC1 = tr(Σ_W Σ_B⁺)/C",
            Axis::log("NC1"),
            SeriesLabelPosition::LowerLeft,
            |r| r.nc1.max(1e-12),
        )?,
        curves(
            "NC2: mean |cos(μ_c, μ_c') + 1/(C−1)|",
            Axis::linear("angle spread"),
            SeriesLabelPosition::UpperRight,
            |r| r.nc2_angle_spread,
        )?,
        curves(
            "NC3 = ‖W_L/‖W_L‖ − Mᵀ/‖M‖‖_F",
            Axis::linear("NC3"),
            SeriesLabelPosition::UpperRight,
            |r| r.nc3,
        )?,
    ];
    Ok(Built {
        figure: Figure {
            title: title("Neural collapse per weight decay")?,
            size: THREE_PANELS,
            panels,
        },
        notes: Vec::new(),
    })
}
