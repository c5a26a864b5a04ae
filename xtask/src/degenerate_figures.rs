//! The figures of the two-layer net on degenerate data (Lewkowycz et al. 2020; Huang et al.,
//! arXiv 2011.12547): what each shows, how its runs are set up, and how the runs become
//! panels. Plotting itself lives in `catapult-plot`: every figure here is either a set of
//! training traces ([`trace_figure`]) or phase sweeps ([`sweep_panel`]); the figures of the
//! phase boundaries across widths are in [`crate::phase_figures`].

use crate::setups::{
    Built, Dataset, LOGISTIC_NONSEPARABLE, LOGISTIC_SEPARABLE, LOGISTIC_STEPS, LOGISTIC_SWEEP,
    SQUARED, SQUARED_STEPS, SQUARED_SWEEP, SWEEP_EVERY, SWEEP_POINTS, THREE_PANELS, TWO_PANELS,
    log_space, run_all,
};
use anyhow::Result;
use catapult_lab::{LearningRate, Phase, RunRecord};
use catapult_plot::SeriesLabelPosition;
use catapult_plot::phase::{BOUNDARY_COLOR, phase_style};
use catapult_plot::{Axis, Figure, GREY, GuideAt, Panel, RUN_COLORS, Scale, Style, short_number};
use catapult_theory::{catapult_threshold, squared_loss_divergence_threshold};

const TRACE_EVERY: usize = 5;

/// Reproduces the catapult figure of Lewkowycz et al. 2020 (arXiv 2003.02218) for the
/// two-layer linear net on degenerate data with the squared loss: at `η = 0.5/λ0` (lazy) the
/// loss falls and the NTK eigenvalue stays at λ0; at `3/λ0` (catapult) the loss first grows,
/// the eigenvalue falls below `2/η` (dashed, per run) and then the loss converges; at `4.5/λ0`
/// (divergent) both blow up and the run stops early.
pub fn squared_phases() -> Result<Built> {
    let factors = [0.5, 3.0, 4.5];
    let runs = factor_runs(&SQUARED, &factors, SQUARED_STEPS)?;

    let mut notes = Vec::new();
    for run in &runs {
        let r = &run.record;
        let predicted = predicted_squared(r.eta * r.lambda0);
        notes.push(format!(
            "η·λ0 = {:.2}: phase {} (predicted {}), final ntk_top {:.4} vs 2/η = {:.4}, final loss {:.3e}, diverged {}",
            r.eta * r.lambda0,
            r.phase.name(),
            predicted.name(),
            r.final_state.ntk_top,
            2.0 / r.eta,
            r.final_state.loss,
            r.final_state.diverged
        ));
    }
    let lambda0 = runs.first().map_or(f64::NAN, |r| r.record.lambda0);
    let panels = [
        TracePanel {
            title: "training loss",
            y: Axis::log("loss"),
            value: &|r, i| at(&r.trace.loss, i),
            level: None,
        },
        TracePanel {
            title: "NTK top eigenvalue (dashed: 2/η per run)",
            y: Axis::linear("top eigenvalue of Θ/n"),
            value: &|r, i| at(&r.trace.ntk_top, i),
            level: Some(("2/η", &|r| 2.0 / r.eta)),
        },
    ];
    let title = format!(
        "Squared loss, two-layer linear net, width {}: λ0 = {:.4} (Lewkowycz et al. 2020, arXiv 2003.02218)",
        crate::setups::WIDTH,
        lambda0
    );
    Ok(Built {
        figure: trace_figure(title, &runs, &panels),
        notes,
    })
}

/// Reproduces the non-separable case of Huang et al. (arXiv 2011.12547): logistic loss on
/// degenerate data with a finite minimiser `w*`. Below `η_crit = 2/(λ_init·L''(w*))` GD
/// converges lazily; above it the scale `λ_t` drops until `λ_t ≤ 2/(η·L''(w*))` (dashed, per
/// run), i.e. the run lands in a flatter minimum, and the loss still reaches `L(w*)`.
pub fn logistic_nonseparable_phases() -> Result<Built> {
    let data = LOGISTIC_NONSEPARABLE;
    let problem = data.problem()?;
    let minimum = data.minimum()?;
    let mean_square = problem.mean_square();
    let lambda0 = data.lambda0()?;
    let eta_crit = catapult_threshold(lambda0 / mean_square, minimum.curvature);

    let multiples = [0.6, 2.0, 5.0];
    let configs: Vec<_> = multiples
        .iter()
        .map(|&m| {
            data.config(
                LearningRate::Value(m * eta_crit),
                LOGISTIC_STEPS,
                TRACE_EVERY,
            )
        })
        .collect();
    let records = run_all(&data, &configs)?;
    let runs: Vec<Run> = multiples
        .iter()
        .zip(records)
        .map(|(m, record)| Run {
            label: format!("{} {}·η_crit", record.phase.name(), short_number(*m)),
            record,
        })
        .collect();

    let curvature = minimum.curvature;
    let mut notes = vec![format!(
        "λ0 = {lambda0:.5}, mean(a²) = {mean_square:.4}, w* = {:.5}, L(w*) = {:.6}, L''(w*) = {curvature:.5}, η_crit = {eta_crit:.5}",
        minimum.w, minimum.risk
    )];
    for (m, run) in multiples.iter().zip(&runs) {
        let r = &run.record;
        let predicted = if *m < 1.0 {
            Phase::Lazy
        } else {
            Phase::Catapult
        };
        notes.push(format!(
            "η = {m}·η_crit: phase {} (predicted {}), final λ {:.4} vs 2/(η·L''(w*)) = {:.4}, final loss − L(w*) = {:.3e}",
            r.phase.name(),
            predicted.name(),
            r.final_state.ntk_top / mean_square,
            2.0 / (r.eta * curvature),
            r.final_state.loss - minimum.risk
        ));
    }
    let risk = minimum.risk;
    let panels = [
        TracePanel {
            title: "excess loss (floored at 1e-16)",
            y: Axis::log("loss - L(w*)"),
            value: &|r, i| (at(&r.trace.loss, i) - risk).max(1e-16),
            level: None,
        },
        TracePanel {
            title: "NTK scale λ_t (dashed: 2/(η·L''(w*)) per run)",
            y: Axis::linear("λ_t = ntk_top / mean(a²)"),
            value: &|r, i| at(&r.trace.ntk_top, i) / mean_square,
            level: Some(("2/(η·L''(w*))", &|r| 2.0 / (r.eta * curvature))),
        },
    ];
    let title = format!(
        "Logistic loss, non-separable data: η_crit = 2/(λ_init·L''(w*)) = {eta_crit:.4} (Huang et al., arXiv 2011.12547)"
    );
    Ok(Built {
        figure: trace_figure(title, &runs, &panels),
        notes,
    })
}

/// Reproduces the separable case of Huang et al. (arXiv 2011.12547): logistic loss on
/// separable degenerate data at `η = 1, 10, 100 / λ0`. The loss goes to zero and the
/// sharpness with it, at every step size: there is no flatter minimum to be catapulted to.
pub fn logistic_separable() -> Result<Built> {
    let data = LOGISTIC_SEPARABLE;
    let factors = [1.0, 10.0, 100.0];
    let runs = factor_runs(&data, &factors, LOGISTIC_STEPS)?;
    let notes = runs
        .iter()
        .map(|run| {
            let r = &run.record;
            format!(
                "η·λ0 = {}: phase {}, sharpness {:.3e} -> {:.3e}, final loss {:.3e}, diverged {}",
                short_number(r.eta * r.lambda0),
                r.phase.name(),
                r.sharpness0,
                r.final_state.sharpness,
                r.final_state.loss,
                r.final_state.diverged
            )
        })
        .collect();
    let panels = [
        TracePanel {
            title: "training loss",
            y: Axis::log("loss"),
            value: &|r, i| at(&r.trace.loss, i),
            level: None,
        },
        TracePanel {
            title: "sharpness (top Hessian eigenvalue)",
            y: Axis::log("sharpness"),
            value: &|r, i| at(&r.trace.sharpness, i),
            level: None,
        },
    ];
    let title = "Logistic loss, separable data: loss and sharpness vanish at every step size (Huang et al., arXiv 2011.12547)";
    Ok(Built {
        figure: trace_figure(title.to_string(), &runs, &panels),
        notes,
    })
}

/// Final sharpness against `η·λ0` in the three settings (Lewkowycz et al. 2020 for the
/// squared loss, Huang et al. arXiv 2011.12547 for the logistic loss): each marker is one run,
/// shaped and coloured by the phase it reports; the dashed curve is `2/η`, which the final
/// sharpness of a converged run cannot exceed, and the vertical lines are the predicted
/// phase boundaries (squared: `2/λ0` and `4/λ0`; logistic non-separable: `η_crit`).
pub fn final_sharpness_vs_eta() -> Result<Built> {
    let mut notes = Vec::new();

    let squared = Sweep {
        data: SQUARED,
        title: "squared loss",
        factors: log_space(SQUARED_SWEEP.0, SQUARED_SWEEP.1, SWEEP_POINTS),
        steps: SQUARED_STEPS,
        boundaries: vec![
            ("2/λ0 (lazy | catapult)".to_string(), SQUARED_LAZY_EDGE),
            (
                "4/λ0 (catapult | divergent)".to_string(),
                SQUARED_DIVERGENT_EDGE,
            ),
        ],
        predict: Box::new(|x| Some(predicted_squared(x))),
    };
    let squared_panel = sweep_panel(&squared, &mut notes)?;

    let data = LOGISTIC_NONSEPARABLE;
    let problem = data.problem()?;
    let minimum = data.minimum()?;
    let lambda0 = data.lambda0()?;
    let x_crit = catapult_threshold(lambda0 / problem.mean_square(), minimum.curvature) * lambda0;
    let nonseparable = Sweep {
        data,
        title: "logistic loss, non-separable data",
        factors: log_space(LOGISTIC_SWEEP.0, LOGISTIC_SWEEP.1, SWEEP_POINTS),
        steps: LOGISTIC_STEPS,
        boundaries: vec![(format!("η_crit·λ0 = {x_crit:.3} (lazy | catapult)"), x_crit)],
        predict: Box::new(move |x| {
            Some(if x < x_crit {
                Phase::Lazy
            } else {
                Phase::Catapult
            })
        }),
    };
    let nonseparable_panel = sweep_panel(&nonseparable, &mut notes)?;

    let separable = Sweep {
        data: LOGISTIC_SEPARABLE,
        title: "logistic loss, separable data",
        factors: log_space(LOGISTIC_SWEEP.0, LOGISTIC_SWEEP.1, SWEEP_POINTS),
        steps: LOGISTIC_STEPS,
        boundaries: Vec::new(),
        predict: Box::new(|_| None),
    };
    let separable_panel = sweep_panel(&separable, &mut notes)?;

    let figure = Figure {
        title: format!(
            "Final sharpness after GD against η·λ0 (every {SWEEP_EVERY} steps observed; Lewkowycz et al. 2020; Huang et al. arXiv 2011.12547)"
        ),
        size: THREE_PANELS,
        panels: vec![squared_panel, nonseparable_panel, separable_panel],
    };
    Ok(Built { figure, notes })
}

/// The squared-loss lazy/catapult boundary in units of `η·λ0`: `2/λ0` (`L'' = 1` per unit of
/// the NTK eigenvalue).
pub const SQUARED_LAZY_EDGE: f64 = 2.0;
/// The squared-loss catapult/divergent boundary in units of `η·λ0`: `4/λ0`.
pub const SQUARED_DIVERGENT_EDGE: f64 = 4.0;

/// The phase the squared-loss theory predicts at `η·λ0 = x` (Lewkowycz et al. 2020), with the
/// boundaries of the theory crate (`catapult_threshold`, `squared_loss_divergence_threshold`)
/// at `λ0 = 1`.
pub fn predicted_squared(x: f64) -> Phase {
    if x < catapult_threshold(1.0, 1.0) {
        Phase::Lazy
    } else if x < squared_loss_divergence_threshold(1.0) {
        Phase::Catapult
    } else {
        Phase::Divergent
    }
}

/// A run and its legend label.
struct Run {
    label: String,
    record: RunRecord,
}

/// The runs of `data` at `η = f/λ0` for each factor `f`, traced every `TRACE_EVERY` steps
/// and labelled by phase and factor.
fn factor_runs(data: &Dataset, factors: &[f64], steps: usize) -> Result<Vec<Run>> {
    let configs: Vec<_> = factors
        .iter()
        .map(|&f| data.config(LearningRate::Factor(f), steps, TRACE_EVERY))
        .collect();
    let records = run_all(data, &configs)?;
    Ok(factors
        .iter()
        .zip(records)
        .map(|(f, record)| Run {
            label: format!("{} {}/λ0", record.phase.name(), short_number(*f)),
            record,
        })
        .collect())
}

/// Entry `i` of a trace column; NaN (dropped when plotted) if the columns disagree in length.
fn at(column: &[f64], i: usize) -> f64 {
    column.get(i).copied().unwrap_or(f64::NAN)
}

/// A number computed from a whole run (a predicted level).
type PerRun<'a> = &'a dyn Fn(&RunRecord) -> f64;

/// A panel of one traced quantity against the step, one line per run, with an optional
/// per-run level drawn as a dashed line in the run's colour.
struct TracePanel<'a> {
    title: &'a str,
    y: Axis,
    value: &'a dyn Fn(&RunRecord, usize) -> f64,
    level: Option<(&'a str, PerRun<'a>)>,
}

/// One panel per [`TracePanel`], side by side, against `step + 1` on a log axis (the phases
/// play out in the first tens of steps, convergence over thousands; step 0 stays visible).
/// On a linear y axis a divergent run would
/// squash the others, so the axis then stops 10% above the other runs and the levels, and
/// the divergent line is cut at the edge.
fn trace_figure(title: String, runs: &[Run], specs: &[TracePanel<'_>]) -> Figure {
    let mut panels = Vec::new();
    for spec in specs {
        let mut y = spec.y.clone();
        let any_divergent = runs.iter().any(|r| r.record.phase == Phase::Divergent);
        if y.scale == Scale::Linear && any_divergent {
            let mut kept: Vec<f64> = runs
                .iter()
                .filter(|r| r.record.phase != Phase::Divergent)
                .flat_map(|r| (0..r.record.trace.step.len()).map(|i| (spec.value)(&r.record, i)))
                .collect();
            if let Some((_, level)) = spec.level {
                kept.extend(runs.iter().map(|r| level(&r.record)));
            }
            let kept: Vec<f64> = kept.into_iter().filter(|v| v.is_finite()).collect();
            let hi = kept.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lo = kept.iter().copied().fold(0.0, f64::min);
            if hi.is_finite() && hi > lo {
                y = y.with_limits(lo, lo + 1.1 * (hi - lo));
            }
        }
        let mut panel = Panel::new(spec.title, Axis::log("step + 1"), y);
        for (run, color) in runs.iter().zip(RUN_COLORS.iter().cycle()) {
            let r = &run.record;
            let points = r
                .trace
                .step
                .iter()
                .enumerate()
                .map(|(i, &s)| (s as f64 + 1.0, (spec.value)(r, i)));
            panel.line(run.label.as_str(), *color, points);
            if let Some((name, level)) = spec.level {
                panel.guide(
                    format!("{name} for {}", run.label),
                    *color,
                    GuideAt::Horizontal(level(r)),
                );
            }
        }
        if let Some((name, _)) = spec.level {
            panel.legend_note(format!("{name} (dashed, run colour)"), GREY, Style::Dashed);
        }
        panels.push(panel);
    }
    Figure {
        title,
        size: TWO_PANELS,
        panels,
    }
}

/// A learning-rate sweep of one setting for the final-sharpness figure.
struct Sweep {
    data: Dataset,
    title: &'static str,
    /// Values of `η·λ0` (passed as `LearningRate::Factor`).
    factors: Vec<f64>,
    steps: usize,
    /// Predicted boundaries, in units of `η·λ0`.
    boundaries: Vec<(String, f64)>,
    /// The phase the theory predicts at `η·λ0`, if it predicts one.
    predict: Box<dyn Fn(f64) -> Option<Phase>>,
}

/// Markers at (η·λ0, final sharpness) by phase, the curve `2/η`, the predicted boundaries.
/// Appends a note for every run whose phase disagrees with the prediction.
fn sweep_panel(sweep: &Sweep, notes: &mut Vec<String>) -> Result<Panel> {
    let configs: Vec<_> = sweep
        .factors
        .iter()
        .map(|&f| {
            sweep
                .data
                .config(LearningRate::Factor(f), sweep.steps, SWEEP_EVERY)
        })
        .collect();
    let records = run_all(&sweep.data, &configs)?;

    let mut panel = Panel::new(sweep.title, Axis::log("η·λ0"), Axis::log("final sharpness"))
        .legend_at(SeriesLabelPosition::LowerLeft);
    let phases = [
        (Phase::Lazy, "lazy"),
        (Phase::Catapult, "catapult"),
        (Phase::Divergent, "divergent (last observed value)"),
    ];
    for (phase, label) in phases {
        let (color, marker) = phase_style(phase);
        let points: Vec<_> = records
            .iter()
            .filter(|r| r.phase == phase)
            .map(|r| (r.eta * r.lambda0, r.final_state.sharpness))
            .collect();
        if !points.is_empty() {
            panel.markers(label, color, marker, points);
        }
    }
    if let Some(lambda0) = records.first().map(|r| r.lambda0) {
        let (lo, hi) = sweep
            .factors
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        let curve = log_space(lo, hi, 80)
            .into_iter()
            .map(|x| (x, 2.0 * lambda0 / x));
        panel.dashed("2/η", GREY, curve);
    }
    for (name, x) in &sweep.boundaries {
        panel.guide(name.as_str(), BOUNDARY_COLOR, GuideAt::Vertical(*x));
    }
    if !sweep.boundaries.is_empty() {
        panel.legend_note("predicted boundaries", BOUNDARY_COLOR, Style::Dashed);
    }

    let mut counts = [0usize; 3];
    for r in &records {
        let x = r.eta * r.lambda0;
        let slot = match r.phase {
            Phase::Lazy => 0,
            Phase::Catapult => 1,
            Phase::Divergent => 2,
        };
        counts[slot] += 1;
        if let Some(predicted) = (sweep.predict)(x)
            && predicted != r.phase
        {
            notes.push(format!(
                "{}: η·λ0 = {x:.4} reports {} but the theory predicts {} (initial sharpness {:.4}, final sharpness {:.4}, final loss {:.4e}, diverged {})",
                sweep.title,
                r.phase.name(),
                predicted.name(),
                r.sharpness0,
                r.final_state.sharpness,
                r.final_state.loss,
                r.final_state.diverged
            ));
        }
    }
    notes.push(format!(
        "{}: {} lazy, {} catapult, {} divergent of {} runs (η·λ0 from {} to {})",
        sweep.title,
        counts[0],
        counts[1],
        counts[2],
        records.len(),
        short_number(sweep.factors.first().copied().unwrap_or(f64::NAN)),
        short_number(sweep.factors.last().copied().unwrap_or(f64::NAN))
    ));
    Ok(panel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squared_edges_match_the_theory_crate() {
        assert_eq!(catapult_threshold(1.0, 1.0), SQUARED_LAZY_EDGE);
        assert_eq!(
            squared_loss_divergence_threshold(1.0),
            SQUARED_DIVERGENT_EDGE
        );
        assert_eq!(predicted_squared(1.9), Phase::Lazy);
        assert_eq!(predicted_squared(3.0), Phase::Catapult);
        assert_eq!(predicted_squared(4.5), Phase::Divergent);
    }
}
