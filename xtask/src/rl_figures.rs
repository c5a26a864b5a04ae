//! Implicit under-parameterisation ([`catapult_lab::underparam`]): the srank and effective
//! rank of a Q-network's features and its distance to `Q*` over fitted Q-iteration, with
//! bootstrapped targets (few and many steps per iteration), supervised targets and the srank
//! penalty.

use crate::figures::{Built, THREE_PANELS};
use crate::plot::{Axis, Figure, Panel, RUN_COLORS};
use anyhow::Result;
use catapult_lab::underparam::{
    UnderparamRow, UnderparamSpec, run_underparam, summarise_underparam,
};
use plotters::prelude::{RGBColor, SeriesLabelPosition};

/// One colour per variant, in the order of [`UnderparamSpec::variants`].
const VARIANT_COLORS: [RGBColor; 4] = [
    RUN_COLORS[0],
    RUN_COLORS[1],
    RUN_COLORS[2],
    RGBColor(214, 39, 40),
];

/// srank, effective rank and RMS distance to `Q*` against the iteration, mean over seeds.
pub fn fqi_srank() -> Result<Built> {
    let spec = UnderparamSpec::standard();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rows = run_underparam(&spec, threads)?;
    let mut srank = Panel::new(
        "srank_0.01(Φ) of the penultimate features",
        Axis::linear("iteration (target update)"),
        Axis::linear("srank"),
    )
    .legend_at(SeriesLabelPosition::LowerLeft);
    let mut effective = Panel::new(
        "effective rank exp(H(σ/Σσ)) of Φ",
        Axis::linear("iteration (target update)"),
        Axis::linear("effective rank"),
    )
    .legend_at(SeriesLabelPosition::UpperRight);
    let mut distance = Panel::new(
        "distance to Q* (RMS over state-action pairs)",
        Axis::linear("iteration (target update)"),
        Axis::log("‖Q − Q*‖_rms"),
    )
    .legend_at(SeriesLabelPosition::LowerLeft);
    for (variant, color) in spec.variants().iter().zip(VARIANT_COLORS) {
        let label = format!("{} ({} steps/it)", variant.name, variant.steps);
        let mean_of = |pick: fn(&UnderparamRow) -> f64| -> Vec<(f64, f64)> {
            (0..=spec.iterations)
                .map(|it| {
                    let values: Vec<f64> = rows
                        .iter()
                        .filter(|r| r.variant == variant.name && r.iteration == it)
                        .map(pick)
                        .collect();
                    (it as f64, values.iter().sum::<f64>() / values.len() as f64)
                })
                .collect()
        };
        srank.line(&label, color, mean_of(|r| r.srank as f64));
        effective.line(&label, color, mean_of(|r| r.effective_rank));
        distance.line(&label, color, mean_of(|r| r.q_distance.max(1e-6)));
    }
    let notes = summarise_underparam(&rows)
        .iter()
        .map(|s| {
            format!(
                "{}: srank {:.1} ± {:.1} → {:.1} ± {:.1} (lowest {:.1}), Bellman error {:.3} ± {:.3}, ‖Q − Q*‖ {:.3} ± {:.3} (RMS Q* {:.2})",
                s.variant,
                s.srank_start.mean,
                s.srank_start.sd,
                s.srank_end.mean,
                s.srank_end.sd,
                s.srank_lowest.mean,
                s.bellman_error_end.mean,
                s.bellman_error_end.sd,
                s.q_distance_end.mean,
                s.q_distance_end.sd,
                s.q_star_rms.mean
            )
        })
        .collect();
    let figure = Figure {
        title: format!(
            "Fitted Q-iteration on {}×{} gridworlds (γ = {}, ReLU MLP {:?} on one-hot states, lr {}, penalty c = {}; mean of {} seeds)",
            spec.grid.width,
            spec.grid.height,
            spec.gamma,
            spec.hidden,
            spec.learning_rate,
            spec.penalty,
            spec.seeds.len()
        ),
        size: THREE_PANELS,
        panels: vec![srank, effective, distance],
    };
    Ok(Built { figure, notes })
}
