//! Diagonal linear networks ([`catapult_experiments::diagonal`]): the incremental-learning staircase
//! and support order (Gissin et al.), the distance to the ℓ1 and ℓ2 max-margin directions over
//! α and ε and the transition between them (Moroshko et al.), and large steps.

use crate::setups::{Built, TWO_PANELS};
use anyhow::Result;
use catapult_experiments::diagonal::incremental::{
    SparseRegressionSpec, StaircaseSpec, run_sparse_regression, run_staircase,
};
use catapult_experiments::diagonal::large_step::{LargeStepSpec, run_large_steps};
use catapult_experiments::diagonal::margin::{MarginSpec, run_margin_grid, transitions};
use catapult_plot::{Axis, Figure, GREY, GuideAt, Marker, Panel, Style, short_number};
use catapult_plot::{RGBColor, SeriesLabelPosition};

/// Nine distinguishable colours (one per coordinate, ε or α).
const PALETTE: [RGBColor; 9] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(23, 190, 207),
];

const FOUR_PANELS: (u32, u32) = (2400, 720);

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// σ_i(t) of the toy `σ = u^N` for N = 1…4 from σ0 = 1e-4 onto σ* = (12, 6, 3, 1.5): one
/// coordinate at a time, largest first, for N ≥ 2; all at once for N = 1.
pub fn diagonal_staircase() -> Result<Built> {
    let spec = StaircaseSpec::standard();
    let runs = run_staircase(&spec)?;
    let shown_sigma0 = 1e-4;
    let mut panels = Vec::new();
    let mut notes = Vec::new();
    for run in &runs {
        for t in run.times.iter().filter(|t| t.coordinate > 0) {
            notes.push(format!(
                "N = {} σ0 = {:e} σ* = {} level {}: t = {:.5} (closed form {:.5}), t/t(σ*=12) = {:.4} (closed form {:.4})",
                t.depth,
                t.sigma0,
                t.target,
                t.level,
                t.measured,
                t.predicted,
                t.measured_ratio,
                t.predicted_ratio
            ));
        }
        if run.sigma0 != shown_sigma0 {
            continue;
        }
        let mut panel = Panel::new(
            format!("N = {}", run.depth),
            Axis::linear("time t"),
            Axis::linear("σ_i = u_i^N"),
        )
        .legend_at(SeriesLabelPosition::UpperLeft);
        for (i, values) in run.sigma.iter().enumerate() {
            panel.line(
                format!("σ* = {}", short_number(spec.target[i])),
                PALETTE[i],
                run.time.iter().copied().zip(values.iter().copied()),
            );
            panel.guide("target", GREY, GuideAt::Horizontal(spec.target[i]));
        }
        panels.push(panel);
    }
    let figure = Figure {
        title: "Incremental learning: gradient flow of σ = u^N onto σ* = (12, 6, 3, 1.5) from σ0 = 1e-4 (Gissin et al.)".into(),
        size: FOUR_PANELS,
        panels,
    };
    Ok(Built { figure, notes })
}

/// A depth-3 diagonal net on sparse regression (d = 40, n = 25): support coordinates and the
/// largest off-support coordinate against time, uncorrelated and correlated features.
pub fn diagonal_sparse_regression() -> Result<Built> {
    let spec = SparseRegressionSpec::standard();
    let runs = run_sparse_regression(&spec)?;
    let mut panels = Vec::new();
    let mut notes = Vec::new();
    let support: Vec<usize> = (0..spec.teacher.len())
        .filter(|&k| spec.teacher[k] != 0.0)
        .collect();
    for run in &runs {
        let order: Vec<String> = run
            .found
            .iter()
            .map(|(k, t)| format!("w*_{k} = {} at t = {t:.2}", spec.teacher[*k]))
            .collect();
        notes.push(format!(
            "correlation {}: found (half value) in order {}; relative error at t = {:.1}: {:.2e}",
            run.correlation,
            order.join(", "),
            run.end,
            run.recovery_error
        ));
        let mut panel = Panel::new(
            format!("feature correlation ρ = {}", run.correlation),
            Axis::linear("time t"),
            Axis::linear("w_k").with_limits(-0.2, 5.8),
        )
        .legend_at(SeriesLabelPosition::UpperRight);
        for (j, &k) in support.iter().enumerate() {
            panel.line(
                format!("w_{k} (w* = {})", short_number(spec.teacher[k])),
                PALETTE[j],
                run.time.iter().copied().zip(run.w[k].iter().copied()),
            );
            panel.guide("target", GREY, GuideAt::Horizontal(spec.teacher[k]));
        }
        let off: Vec<(f64, f64)> = (0..run.time.len())
            .map(|s| {
                let largest = (0..spec.teacher.len())
                    .filter(|k| !support.contains(k))
                    .map(|k| run.w[k][s].abs())
                    .fold(0.0, f64::max);
                (run.time[s], largest)
            })
            .collect();
        panel.dashed("max |w_k| off the support", GREY, off);
        panels.push(panel);
    }
    let figure = Figure {
        title: format!(
            "Sparse regression with a depth-{} diagonal net (d = {}, n = {}, α = {}, seed {}): the order in which the support is found",
            spec.depth,
            spec.teacher.len(),
            spec.samples,
            spec.alpha,
            spec.seed
        ),
        size: TWO_PANELS,
        panels,
    };
    Ok(Built { figure, notes })
}

/// Distance of `w/‖w‖` to the ℓ1 and ℓ2 max-margin directions against α, one curve per ε,
/// for D = 2 and D = 3 (exponential loss, gradient flow clocked by the log-loss).
pub fn diagonal_margin() -> Result<Built> {
    let spec = MarginSpec::standard();
    let (references, rows) = run_margin_grid(&spec, threads())?;
    let mut notes = vec![format!(
        "references: ℓ2 margin {:.4}, ℓ1 margin {:.4}, distance between the directions {:.3}",
        references.l2_margin,
        references.l1_margin,
        (&references.l1 - &references.l2).norm_l2()
    )];
    let drift = rows.iter().map(|r| r.clock_drift.abs()).fold(0.0, f64::max);
    notes.push(format!(
        "largest clock drift |−ln L − ln(1/ε)| over the grid: {drift:.1e}"
    ));
    let mut panels = Vec::new();
    for &depth in &spec.depths {
        for (name, pick) in [
            (
                "ℓ1",
                (|r: &catapult_experiments::diagonal::margin::MarginRow| r.distance_l1)
                    as fn(&_) -> f64,
            ),
            ("ℓ2", |r| r.distance_l2),
        ] {
            let mut panel = Panel::new(
                format!("D = {depth}: distance to the {name} max-margin direction"),
                Axis::log("initial scale α"),
                Axis::linear(format!("‖w/‖w‖ − w_{name}‖₂")).with_limits(0.0, 1.1),
            )
            .legend_at(if name == "ℓ1" {
                SeriesLabelPosition::UpperLeft
            } else {
                SeriesLabelPosition::LowerLeft
            });
            for (j, &epsilon) in spec.epsilons.iter().enumerate() {
                let points: Vec<(f64, f64)> = rows
                    .iter()
                    .filter(|r| r.depth == depth && r.epsilon == epsilon)
                    .map(|r| (r.alpha, pick(r)))
                    .collect();
                panel.line(format!("ε = {epsilon:e}"), PALETTE[j], points);
            }
            panels.push(panel);
        }
        for r in rows.iter().filter(|r| {
            r.depth == depth
                && [1e-4, 1e-2, 1.0, 10.0]
                    .iter()
                    .any(|a| (r.alpha / a - 1.0).abs() < 1e-9)
                && [1e-1, 1e-10, 1e-30, 1e-300].contains(&r.epsilon)
        }) {
            notes.push(format!(
                "D = {depth} α = {:e} ε = {:e}: distance to ℓ1 {:.3}, to ℓ2 {:.3}, ℓ1 margin / max {:.3}, ℓ2 margin / max {:.3}, cosine to the teacher {:.4}",
                r.alpha, r.epsilon, r.distance_l1, r.distance_l2, r.l1_margin_ratio, r.l2_margin_ratio, r.teacher_cosine
            ));
        }
    }
    let figure = Figure {
        title: format!(
            "Kernel vs rich regime, exponential loss, gradient flow (Moroshko et al.): sparse teacher e_0, d = {}, n = {}, seed {}",
            spec.teacher.len(),
            spec.samples,
            spec.seed
        ),
        size: (2100, 1400),
        panels,
    };
    Ok(Built { figure, notes })
}

/// The measured transition α_c(ε) (where the direction is as close to ℓ1 as to ℓ2) in the
/// (ln(1/ε), α) plane, with the predicted `α_c ∝ ln(1/ε)^{1/D}` (constant fitted).
pub fn diagonal_transition() -> Result<Built> {
    let spec = MarginSpec::standard();
    let (_, rows) = run_margin_grid(&spec, threads())?;
    let fits = transitions(&spec, &rows);
    let mut panels = Vec::new();
    let mut notes = Vec::new();
    for fit in &fits {
        notes.push(format!(
            "D = {}: slope of ln α_c against ln ln(1/ε) {} (predicted 1/D = {:.3})",
            fit.depth,
            fit.slope.map_or("undefined".into(), |s| format!("{s:.3}")),
            fit.predicted_slope
        ));
        for p in &fit.points {
            notes.push(format!(
                "D = {} ε = {:e}: α_c measured {}, predicted {}",
                fit.depth,
                p.epsilon,
                p.measured_alpha
                    .map_or("none".into(), |a| format!("{a:.4}")),
                p.predicted_alpha
                    .map_or("none".into(), |a| format!("{a:.4}"))
            ));
        }
        let mut panel = Panel::new(
            format!("D = {}", fit.depth),
            Axis::log("ln(1/ε)"),
            Axis::log("α where dist(ℓ1) = dist(ℓ2)"),
        )
        .legend_at(SeriesLabelPosition::UpperLeft);
        let at = |p: &catapult_experiments::diagonal::margin::Transition| (1.0 / p.epsilon).ln();
        panel.markers(
            "measured α_c (above: kernel side, below: rich side)",
            PALETTE[0],
            Marker::Circle,
            fit.points
                .iter()
                .filter_map(|p| p.measured_alpha.map(|a| (at(p), a))),
        );
        panel.dashed(
            format!("predicted α_c ∝ ln(1/ε)^(1/{})", fit.depth),
            PALETTE[1],
            fit.points
                .iter()
                .filter_map(|p| p.predicted_alpha.map(|a| (at(p), a))),
        );
        panels.push(panel);
    }
    let figure = Figure {
        title:
            "The kernel–rich transition in the (ε, α) plane: measured vs μ = α^D/ln(1/ε) = const"
                .into(),
        size: TWO_PANELS,
        panels,
    };
    Ok(Built { figure, notes })
}

/// GD at `η = x·2/S0` (`x` the edge multiple) on a depth-2 diagonal net against gradient flow
/// stopped at the same loss: distance to the ℓ1 and ℓ2 directions, per loss and α; marker by phase.
pub fn diagonal_large_steps() -> Result<Built> {
    let spec = LargeStepSpec::standard();
    let rows = run_large_steps(&spec, threads())?;
    let mut panels = Vec::new();
    let mut notes = Vec::new();
    for loss in &spec.losses {
        for (name, is_l1) in [("ℓ1", true), ("ℓ2", false)] {
            let mut panel = Panel::new(
                format!("{}: distance to the {name} direction", loss.name()),
                Axis::log("η·S0/2"),
                Axis::linear(format!("‖w/‖w‖ − w_{name}‖₂")).with_limits(0.0, 1.25),
            )
            .legend_at(SeriesLabelPosition::UpperLeft);
            for (j, &alpha) in spec.alphas.iter().enumerate() {
                let cell: Vec<_> = rows
                    .iter()
                    .filter(|r| r.loss == loss.name() && r.alpha == alpha)
                    .collect();
                let pick =
                    |gd: bool, r: &&catapult_experiments::diagonal::large_step::LargeStepRow| {
                        match (gd, is_l1) {
                            (true, true) => r.gd_distance_l1,
                            (true, false) => r.gd_distance_l2,
                            (false, true) => r.flow_distance_l1,
                            (false, false) => r.flow_distance_l2,
                        }
                        .map(|v| (r.edge_multiple, v))
                    };
                panel.markers(
                    format!("GD, α = {alpha} (circle: monotone loss, triangle: loss rose)"),
                    PALETTE[j],
                    Marker::Circle,
                    cell.iter()
                        .filter(|r| r.loss_rises == 0)
                        .filter_map(|r| pick(true, r)),
                );
                panel.markers(
                    format!("GD, α = {alpha}, loss rose at some step"),
                    PALETTE[j],
                    Marker::Triangle,
                    cell.iter()
                        .filter(|r| r.loss_rises > 0)
                        .filter_map(|r| pick(true, r)),
                );
                panel.dashed(
                    format!("gradient flow at the same loss, α = {alpha}"),
                    PALETTE[j],
                    cell.iter().filter_map(|r| pick(false, r)),
                );
            }
            panel.legend_note("divergent runs are not drawn", GREY, Style::Dashed);
            panels.push(panel);
        }
        for r in rows.iter().filter(|r| r.loss == loss.name()) {
            notes.push(format!(
                "{} α = {} η·S0/2 = {}: phase {}, loss rose at {} steps (largest one-step ratio {:.3}), final loss {:.2e}, final η·S/2 {}, GD distance ℓ1/ℓ2 {}/{}, flow {}/{}",
                r.loss,
                r.alpha,
                r.edge_multiple,
                r.phase.name(),
                r.loss_rises,
                r.largest_rise,
                r.final_loss,
                r.final_sharpness
                    .map_or("-".into(), |s| format!("{:.1e}", s * r.eta / 2.0)),
                fmt(r.gd_distance_l1),
                fmt(r.gd_distance_l2),
                fmt(r.flow_distance_l1),
                fmt(r.flow_distance_l2)
            ));
        }
    }
    let figure = Figure {
        title: format!(
            "Large steps on a depth-{} diagonal net ({} GD steps, same data as the margin figure): GD vs gradient flow at equal training loss",
            spec.depths[0], spec.steps
        ),
        size: (2100, 1400),
        panels,
    };
    Ok(Built { figure, notes })
}

fn fmt(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{v:.3}"))
}
