//! The figures of the phase boundaries across widths: the phase of every run over
//! η·λ0 × width ([`phase_diagram`]), the growth of the logistic divergence boundary with the
//! width ([`eta_max_scaling`]), and the 2/η edge on which catapult runs end
//! ([`sharpness_times_eta`]).

use crate::degenerate_figures::{SQUARED_DIVERGENT_EDGE, SQUARED_LAZY_EDGE, predicted_squared};
use crate::setups::{
    Built, LOGISTIC_STEPS, LOGISTIC_SWEEP, SQUARED_STEPS, SQUARED_SWEEP, SWEEP_EVERY, SWEEP_POINTS,
    TWO_PANELS,
};
use crate::setups::{
    Dataset, LOGISTIC_NONSEPARABLE, SEED, SQUARED, log_space, parallel_map, run_all, threads,
};
use anyhow::{Result, anyhow, bail};
use catapult_lab::sweep::{Shard, SweepSpec, run_sweep};
use catapult_lab::table::{TableRow, merge_dir};
use catapult_lab::{LearningRate, Phase};
use catapult_losses::Loss;
use catapult_plot::phase::{BOUNDARY_COLOR, boundary_guides, phase_style};
use catapult_plot::{Axis, Figure, GREY, GuideAt, Marker, Panel, RUN_COLORS, Style, short_number};
use catapult_plot::{RGBColor, SeriesLabelPosition};
use catapult_theory::{
    catapult_threshold, divergence_boundary, fit_power_law, predicted_boundaries,
};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

/// Widths of the phase diagram.
const DIAGRAM_WIDTHS: [usize; 7] = [64, 128, 256, 512, 1024, 2048, 4096];
/// η·λ0 ranges of the phase diagram.
const DIAGRAM_SQUARED: (f64, f64) = (0.5, 6.0);
const DIAGRAM_LOGISTIC: (f64, f64) = (0.5, 1000.0);
/// Steps of the squared-loss runs of the phase diagram.
const DIAGRAM_SQUARED_STEPS: usize = 2000;
/// Steps of every run that measures the logistic divergence boundary (as in claim 5 of
/// `catapult check`), and of the logistic runs of the phase diagram.
const ETA_MAX_STEPS: usize = 3000;

/// Widths and seeds of the divergence-boundary scaling (claim 5 of the full check suite).
const SCALING_WIDTHS: [usize; 8] = [64, 128, 256, 512, 1024, 2048, 4096, 8192];
const SCALING_SEEDS: [u64; 3] = [0, 1, 2];

/// Width of the runs of the sharpness·η figure.
const EDGE_WIDTH: usize = 1024;

/// Colour of measured boundaries (fits, η_max) as opposed to predicted ones.
const MEASURED_COLOR: RGBColor = RGBColor(40, 40, 40);

/// `η_crit·λ0 = 2·mean(a²)/L''(w*)` of the logistic non-separable data: the lazy/catapult
/// boundary in units of `η·λ0` (`λ_init = λ0/mean(a²)`), the same at every width.
fn logistic_crit_factor() -> Result<f64> {
    let data = LOGISTIC_NONSEPARABLE;
    let mean_square = data.problem()?.mean_square();
    Ok(catapult_threshold(
        1.0 / mean_square,
        data.minimum()?.curvature,
    ))
}

/// Phase diagram of Lewkowycz et al. 2020 (squared loss) and Huang et al. arXiv 2011.12547
/// (logistic loss, non-separable data): one marker per run (seed 0), at its `η·λ0` and
/// width, shaped and coloured by the phase it reports. Predicted boundaries: squared, the
/// vertical lines `η·λ0 = 2` and `4` at every width; logistic, the vertical line `η_crit·λ0`
/// and the divergence boundary `η_max·λ0` measured per width by bisection on real runs
/// (`catapult_theory::divergence_boundary`), which moves right as the width grows.
pub fn phase_diagram() -> Result<Built> {
    let mut notes = Vec::new();
    let widths: Vec<f64> = DIAGRAM_WIDTHS.iter().map(|&w| w as f64).collect();
    let y_axis = || {
        Axis::log("width m")
            .with_ticks(&widths)
            .with_limits(48.0, 12_000.0)
    };

    let squared_rows = sweep_phases(
        &SQUARED,
        "squared",
        log_space(DIAGRAM_SQUARED.0, DIAGRAM_SQUARED.1, SWEEP_POINTS),
        DIAGRAM_SQUARED_STEPS,
    )?;
    let mut squared = Panel::new(
        format!("squared loss ({DIAGRAM_SQUARED_STEPS} steps)"),
        Axis::log("η·λ0").with_limits(0.45, 6.6),
        y_axis(),
    )
    .legend_at(SeriesLabelPosition::UpperLeft);
    phase_markers(&mut squared, &squared_rows);
    boundary_guides(
        &mut squared,
        &predicted_boundaries(Loss::Squared, None),
        1.0,
    );
    notes.push(disagreements("squared loss", &squared_rows, |_, x| {
        predicted_squared(x)
    }));

    let problem = LOGISTIC_NONSEPARABLE.problem()?;
    let x_crit = logistic_crit_factor()?;
    let started = Instant::now();
    let eta_max: Vec<f64> = parallel_map(&DIAGRAM_WIDTHS, |&width| {
        divergence_boundary(&problem, width, SEED, ETA_MAX_STEPS)
    })
    .into_iter()
    .collect::<Result<_, _>>()?;
    notes.push(format!(
        "logistic η_max·λ0 (seed {SEED}, {ETA_MAX_STEPS} steps) at widths {DIAGRAM_WIDTHS:?}: {} ({:.1} s)",
        join_numbers(&eta_max),
        started.elapsed().as_secs_f64()
    ));
    let logistic_rows = sweep_phases(
        &LOGISTIC_NONSEPARABLE,
        "logistic",
        log_space(DIAGRAM_LOGISTIC.0, DIAGRAM_LOGISTIC.1, SWEEP_POINTS),
        ETA_MAX_STEPS,
    )?;
    let mut logistic = Panel::new(
        format!("logistic loss, non-separable data ({ETA_MAX_STEPS} steps)"),
        Axis::log("η·λ0").with_limits(0.4, 1300.0),
        y_axis(),
    )
    .legend_at(SeriesLabelPosition::UpperLeft);
    phase_markers(&mut logistic, &logistic_rows);
    logistic.line(
        format!("η_max·λ0 measured (bisection, seed {SEED})"),
        MEASURED_COLOR,
        eta_max.iter().copied().zip(widths.iter().copied()),
    );
    boundary_guides(
        &mut logistic,
        &predicted_boundaries(Loss::Logistic, Some(&problem)),
        1.0,
    );
    let boundary_at: BTreeMap<usize, f64> = DIAGRAM_WIDTHS
        .iter()
        .copied()
        .zip(eta_max.iter().copied())
        .collect();
    notes.push(disagreements(
        "logistic loss, non-separable data (divergence predicted from the measured η_max)",
        &logistic_rows,
        |width, x| {
            if x < x_crit {
                Phase::Lazy
            } else if boundary_at.get(&width).is_none_or(|&max| x < max) {
                Phase::Catapult
            } else {
                Phase::Divergent
            }
        },
    ));

    let figure = Figure {
        title: format!(
            "Phase of every run over η·λ0 × width, seed {SEED} (Lewkowycz et al. 2020; Huang et al. arXiv 2011.12547)"
        ),
        size: TWO_PANELS,
        panels: vec![squared, logistic],
    };
    Ok(Built { figure, notes })
}

/// Runs `factors × DIAGRAM_WIDTHS` (seed 0, observed only at the start and the end) with the
/// lab's sweep machinery into a scratch directory, merges the records into table rows and
/// removes the directory.
fn sweep_phases(
    data: &Dataset,
    slug: &str,
    factors: Vec<f64>,
    steps: usize,
) -> Result<Vec<TableRow>> {
    let base = data.config_at(DIAGRAM_WIDTHS[0], LearningRate::Factor(1.0), steps, steps);
    let spec = SweepSpec::new(base, factors, DIAGRAM_WIDTHS.to_vec(), vec![SEED])?;
    let dir = std::env::temp_dir().join(format!(
        "catapult-xtask-phase-diagram-{slug}-{}",
        std::process::id()
    ));
    // A leftover of an earlier process with the same id could hold stale records.
    let _ = std::fs::remove_dir_all(&dir);
    let summary = run_sweep(&spec, Shard::ALL, &dir, threads(), |_, _| {})?;
    let rows = if summary.failures.is_empty() {
        merge_dir(&dir).map_err(anyhow::Error::from)
    } else {
        let failed: Vec<String> = summary
            .failures
            .iter()
            .map(|f| format!("{}: {}", f.key, f.error))
            .collect();
        Err(anyhow!(
            "{}: {} runs failed: {}",
            data.name,
            failed.len(),
            failed.join("; ")
        ))
    };
    let _ = std::fs::remove_dir_all(&dir);
    rows
}

/// One marker layer per phase at (η·λ0, width).
fn phase_markers(panel: &mut Panel, rows: &[TableRow]) {
    let points: Vec<(f64, f64, Phase)> = rows
        .iter()
        .map(|r| (r.lr_factor, r.width as f64, r.phase))
        .collect();
    catapult_plot::phase::phase_markers(panel, &points);
}

/// A note counting the phases and listing every run whose phase differs from
/// `predict(width, η·λ0)`.
fn disagreements(title: &str, rows: &[TableRow], predict: impl Fn(usize, f64) -> Phase) -> String {
    let count = |phase| rows.iter().filter(|r| r.phase == phase).count();
    let wrong: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let predicted = predict(r.width, r.lr_factor);
            (predicted != r.phase).then(|| {
                format!(
                    "m = {} at η·λ0 = {:.4}: {} (predicted {})",
                    r.width,
                    r.lr_factor,
                    r.phase.name(),
                    predicted.name()
                )
            })
        })
        .collect();
    let mut note = format!(
        "{title}: {} lazy, {} catapult, {} divergent of {} runs; {} disagree with the prediction",
        count(Phase::Lazy),
        count(Phase::Catapult),
        count(Phase::Divergent),
        rows.len(),
        wrong.len()
    );
    if !wrong.is_empty() {
        note.push_str(": ");
        note.push_str(&wrong.join("; "));
    }
    note
}

fn join_numbers(values: &[f64]) -> String {
    let texts: Vec<String> = values.iter().map(|&v| format!("{v:.3}")).collect();
    texts.join(", ")
}

/// Huang et al. (arXiv 2011.12547): with the logistic loss on non-separable data the
/// divergence boundary is not the squared loss's constant `η·λ0 = 4` but grows with the
/// width. Each marker is `η_max·λ0` of one network (bisection on the phase of real runs of
/// 3000 steps, `catapult_theory::divergence_boundary`; the computation of claim 5 of
/// `catapult check`), the line the power law `c·m^k` fitted by least squares on log-log
/// axes to all of them, with the 95% interval of `k` in the title.
pub fn eta_max_scaling() -> Result<Built> {
    let problem = LOGISTIC_NONSEPARABLE.problem()?;
    let mut jobs: Vec<(usize, u64)> = SCALING_WIDTHS
        .iter()
        .flat_map(|&w| SCALING_SEEDS.iter().map(move |&s| (w, s)))
        .collect();
    // Widest first: the slowest runs do not start last.
    jobs.sort_by_key(|&(w, s)| (std::cmp::Reverse(w), s));
    println!(
        "  measuring η_max·λ0 at {} widths × {} seeds on {} threads",
        SCALING_WIDTHS.len(),
        SCALING_SEEDS.len(),
        threads()
    );
    let started = Instant::now();
    let finished: Mutex<BTreeMap<usize, Vec<(u64, f64)>>> = Mutex::new(BTreeMap::new());
    let measured: Vec<f64> = parallel_map(&jobs, |&(width, seed)| {
        let value = divergence_boundary(&problem, width, seed, ETA_MAX_STEPS)?;
        let mut done = finished.lock().unwrap_or_else(|p| p.into_inner());
        let at_width = done.entry(width).or_default();
        at_width.push((seed, value));
        if at_width.len() == SCALING_SEEDS.len() {
            at_width.sort_by_key(|&(s, _)| s);
            let values: Vec<f64> = at_width.iter().map(|&(_, v)| v).collect();
            println!(
                "  width {width}: η_max·λ0 = {} (seeds {SCALING_SEEDS:?}, {:.1} s)",
                join_numbers(&values),
                started.elapsed().as_secs_f64()
            );
        }
        Ok::<_, anyhow::Error>(value)
    })
    .into_iter()
    .collect::<Result<_>>()?;
    let points: Vec<(usize, u64, f64)> = jobs
        .iter()
        .zip(&measured)
        .map(|(&(w, s), &v)| (w, s, v))
        .collect();
    let xy: Vec<(f64, f64)> = points.iter().map(|&(w, _, v)| (w as f64, v)).collect();
    let Some(fit) = fit_power_law(&xy) else {
        bail!("η_max·λ0 could not be fitted by a power law: {points:?}");
    };
    let (lo, hi) = fit.exponent_ci95;

    let widths: Vec<f64> = SCALING_WIDTHS.iter().map(|&w| w as f64).collect();
    let (w_lo, w_hi) = (widths[0], widths[widths.len() - 1]);
    let mut panel = Panel::new(
        format!(
            "logistic loss, non-separable data: {} runs, {ETA_MAX_STEPS} steps each",
            points.len()
        ),
        Axis::log("width m")
            .with_ticks(&widths)
            .with_limits(0.85 * w_lo, w_hi / 0.85),
        Axis::log("η_max·λ0 (divergence boundary)"),
    )
    .legend_at(SeriesLabelPosition::UpperLeft);
    let markers = [Marker::Circle, Marker::Triangle, Marker::Cross];
    for (i, &seed) in SCALING_SEEDS.iter().enumerate() {
        let seed_points = points
            .iter()
            .filter(|&&(_, s, _)| s == seed)
            .map(|&(w, _, v)| (w as f64, v));
        panel.markers(
            format!("seed {seed}"),
            RUN_COLORS[i % RUN_COLORS.len()],
            markers[i % markers.len()],
            seed_points,
        );
    }
    panel.line(
        format!(
            "fit {}·m^{:.3} (95% CI of the exponent [{lo:.3}, {hi:.3}])",
            short_number(fit.prefactor),
            fit.exponent
        ),
        MEASURED_COLOR,
        log_space(w_lo, w_hi, 9)
            .into_iter()
            .map(|m| (m, fit.prefactor * m.powf(fit.exponent))),
    );
    let x_crit = logistic_crit_factor()?;
    panel.dashed(
        format!("logistic η_crit·λ0 = {x_crit:.2} (lazy | catapult), every width"),
        BOUNDARY_COLOR,
        [(w_lo, x_crit), (w_hi, x_crit)],
    );
    panel.dashed(
        "squared loss: η_max·λ0 = 4, every width",
        GREY,
        [
            (w_lo, SQUARED_DIVERGENT_EDGE),
            (w_hi, SQUARED_DIVERGENT_EDGE),
        ],
    );

    let mut notes: Vec<String> = SCALING_WIDTHS
        .iter()
        .map(|&w| {
            let values: Vec<f64> = points
                .iter()
                .filter(|&&(pw, _, _)| pw == w)
                .map(|&(_, _, v)| v)
                .collect();
            format!("m = {w}: η_max·λ0 = {}", join_numbers(&values))
        })
        .collect();
    notes.push(format!(
        "fit η_max·λ0 ≈ {:.4}·m^{:.4}, standard error {:.4}, 95% CI [{lo:.4}, {hi:.4}] over {} runs; predicted exponent ≈ 0.5 ({})",
        fit.prefactor,
        fit.exponent,
        fit.exponent_stderr,
        fit.points,
        if (lo..=hi).contains(&0.5) {
            "inside the interval"
        } else {
            "outside the interval"
        }
    ));
    let figure = Figure {
        title: format!(
            "Logistic divergence boundary η_max·λ0 ∝ m^{:.3} (95% CI [{lo:.3}, {hi:.3}]); Huang et al. arXiv 2011.12547",
            fit.exponent
        ),
        size: (1400, 760),
        panels: vec![panel],
    };
    Ok(Built { figure, notes })
}

/// The 2/η edge (Lewkowycz et al. 2020; Huang et al. arXiv 2011.12547): final sharpness·η
/// against η·λ0 at width 1024. A lazy run keeps its curvature, so its sharpness·η grows
/// like η·λ0·L''(w*)/mean(a²) (dashed, up to the boundary, where it reaches 2); a catapult
/// run ends where GD is stable, sharpness·η ≤ 2 (the dashed horizontal line), on or just
/// below it. Divergent runs show their last observed value.
pub fn sharpness_times_eta() -> Result<Built> {
    let mut notes = Vec::new();
    let squared = edge_panel(
        &SQUARED,
        "squared loss",
        SQUARED_SWEEP,
        SQUARED_STEPS,
        &[SQUARED_LAZY_EDGE, SQUARED_DIVERGENT_EDGE],
        &mut notes,
    )?;
    let x_crit = logistic_crit_factor()?;
    let logistic = edge_panel(
        &LOGISTIC_NONSEPARABLE,
        "logistic loss, non-separable data",
        LOGISTIC_SWEEP,
        LOGISTIC_STEPS,
        &[x_crit],
        &mut notes,
    )?;
    let figure = Figure {
        title: format!(
            "Final sharpness·η against η·λ0, width {EDGE_WIDTH}, seed {SEED} (Lewkowycz et al. 2020; Huang et al. arXiv 2011.12547)"
        ),
        size: TWO_PANELS,
        panels: vec![squared, logistic],
    };
    Ok(Built { figure, notes })
}

/// One panel of [`sharpness_times_eta`]; `boundaries[0]` is the lazy/catapult boundary.
fn edge_panel(
    data: &Dataset,
    title: &str,
    range: (f64, f64),
    steps: usize,
    boundaries: &[f64],
    notes: &mut Vec<String>,
) -> Result<Panel> {
    let factors = log_space(range.0, range.1, SWEEP_POINTS);
    let configs: Vec<_> = factors
        .iter()
        .map(|&f| data.config_at(EDGE_WIDTH, LearningRate::Factor(f), steps, SWEEP_EVERY))
        .collect();
    let records = run_all(data, &configs)?;
    let problem = data.problem()?;
    let slope = data.minimum()?.curvature / problem.mean_square();

    let mut panel = Panel::new(
        format!("{title} ({steps} steps)"),
        Axis::log("η·λ0").with_limits(0.9 * range.0, range.1 / 0.9),
        Axis::log("final sharpness · η"),
    )
    .legend_at(SeriesLabelPosition::LowerRight);
    for (phase, label) in [
        (Phase::Lazy, "lazy"),
        (Phase::Catapult, "catapult"),
        (Phase::Divergent, "divergent (last observed value)"),
    ] {
        let (color, marker) = phase_style(phase);
        let points: Vec<(f64, f64)> = records
            .iter()
            .filter(|r| r.phase == phase)
            .map(|r| (r.eta * r.lambda0, r.final_state.sharpness * r.eta))
            .collect();
        if !points.is_empty() {
            panel.markers(label, color, marker, points);
        }
    }
    panel.dashed(
        "2/η edge: sharpness·η = 2",
        GREY,
        [(range.0, 2.0), (range.1, 2.0)],
    );
    let lazy_end = boundaries.first().copied().unwrap_or(range.1);
    panel.dashed(
        format!("lazy prediction: η·λ0·L''(w*)/mean(a²), slope {slope:.4}"),
        RUN_COLORS[0],
        log_space(range.0, lazy_end, 20)
            .into_iter()
            .map(|x| (x, slope * x)),
    );
    for &x in boundaries {
        panel.guide(
            format!("predicted boundary η·λ0 = {x:.3}"),
            BOUNDARY_COLOR,
            GuideAt::Vertical(x),
        );
    }
    panel.legend_note("predicted phase boundaries", BOUNDARY_COLOR, Style::Dashed);

    let catapult: Vec<(f64, f64)> = records
        .iter()
        .filter(|r| r.phase == Phase::Catapult)
        .map(|r| (r.eta * r.lambda0, r.final_state.sharpness * r.eta))
        .collect();
    if catapult.is_empty() {
        notes.push(format!("{title}: no catapult run"));
    } else {
        let (min, max) = catapult
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
                (lo.min(y), hi.max(y))
            });
        let above: Vec<String> = catapult
            .iter()
            .filter(|&&(_, y)| y > 2.0)
            .map(|&(x, y)| format!("η·λ0 = {x:.3}: {y:.6}"))
            .collect();
        let listed: Vec<String> = catapult
            .iter()
            .map(|&(x, y)| format!("{}: {y:.4}", short_number(x)))
            .collect();
        notes.push(format!(
            "{title}: {} catapult runs end with sharpness·η in [{min:.4}, {max:.4}] (predicted ≤ 2); above 2: {}; per run (η·λ0: sharpness·η) {}",
            catapult.len(),
            if above.is_empty() {
                "none".to_string()
            } else {
                above.join(", ")
            },
            listed.join(", ")
        ));
    }
    let lazy_gap = records
        .iter()
        .filter(|r| r.phase == Phase::Lazy)
        .map(|r| {
            let x = r.eta * r.lambda0;
            (r.final_state.sharpness * r.eta / (slope * x) - 1.0).abs()
        })
        .fold(0.0, f64::max);
    notes.push(format!(
        "{title}: lazy runs lie within a relative {lazy_gap:.2e} of the lazy prediction"
    ));
    let mismatched = records
        .iter()
        .filter(|r| {
            let x = r.eta * r.lambda0;
            r.phase == Phase::Lazy && x >= lazy_end || r.phase != Phase::Lazy && x < lazy_end
        })
        .count();
    if mismatched > 0 {
        notes.push(format!(
            "{title}: {mismatched} runs fall on the wrong side of the lazy/catapult boundary {lazy_end:.3}"
        ));
    }
    Ok(panel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_boundary_matches_the_documented_value() {
        // README: η_crit·λ0 = 8.44 for the built-in non-separable data.
        let x = logistic_crit_factor().unwrap();
        assert!((x - 8.44).abs() < 0.01, "{x}");
    }

    #[test]
    fn disagreements_list_only_the_runs_off_the_prediction() {
        let row = |width, lr_factor, phase| TableRow {
            loss: catapult_losses::Loss::Squared,
            lr_factor,
            width,
            seed: 0,
            eta: 1.0,
            lambda0: 1.0,
            sharpness0: 1.0,
            final_loss: 1.0,
            final_sharpness: 1.0,
            final_ntk_top: 1.0,
            diverged: false,
            phase,
            phase_criterion: None,
            steps_to_converge: None,
        };
        let rows = [
            row(64, 1.0, Phase::Lazy),
            row(64, 3.0, Phase::Catapult),
            row(128, 3.9, Phase::Divergent),
        ];
        let note = disagreements("t", &rows, |_, x| predicted_squared(x));
        assert!(note.starts_with("t: 1 lazy, 1 catapult, 1 divergent of 3 runs; 1 disagree"));
        assert!(note.ends_with("m = 128 at η·λ0 = 3.9000: divergent (predicted catapult)"));
    }
}
