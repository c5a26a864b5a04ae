//! The generalisation experiment of Huang et al. (arXiv 2011.12547) on real and synthetic
//! data ([`catapult_experiments::generalisation`]): test accuracy and final sharpness against the step
//! size, mean ± sd over seeds, and training curves on real data. The grid is the standard one
//! (5 tasks × 5 seeds × 13 step sizes, 10 000 steps), run once per process and shared by the
//! two figures that need it.

use crate::setups::{Built, TWO_PANELS};
use anyhow::Result;
use catapult_experiments::generalisation::{
    GeneralisationSpec, Group, Row, RunPlan, Summary, Task, run_grid, run_task, summarise,
};
use catapult_plot::{Axis, Figure, GREY, GuideAt, Marker, Panel, RUN_COLORS};
use catapult_plot::{RGBColor, SeriesLabelPosition};
use std::sync::OnceLock;

/// One colour per task, in the order of [`Task::ALL`].
const TASK_COLORS: [RGBColor; 5] = [
    RUN_COLORS[0],
    RUN_COLORS[1],
    RUN_COLORS[2],
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
];

/// The early checkpoint (a fixed small budget) shown beside the full budget.
const EARLY_STEP: usize = 100;

fn color(task: &Task) -> RGBColor {
    let index = Task::ALL.iter().position(|t| t == task).unwrap_or(0);
    TASK_COLORS[index]
}

/// The standard grid's rows, computed on first use.
fn standard_rows() -> Result<&'static (GeneralisationSpec, Vec<Row>)> {
    static ROWS: OnceLock<(GeneralisationSpec, Vec<Row>)> = OnceLock::new();
    if let Some(done) = ROWS.get() {
        return Ok(done);
    }
    let spec = GeneralisationSpec::standard();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rows = run_grid(&spec, threads, |_, _| {})?;
    Ok(ROWS.get_or_init(|| (spec, rows)))
}

fn constant_groups<'a>(summary: &'a Summary, task: &Task) -> impl Iterator<Item = &'a Group> {
    let name = task.name();
    summary
        .groups
        .iter()
        .filter(move |g| g.task == name && g.schedule == "constant")
}

fn boundary_label(summary: &Summary, task: &Task) -> String {
    match summary.boundary(&task.name()) {
        Some(edge_multiple) => format!("{task} (catapult from {edge_multiple})"),
        None => format!("{task} (no catapult)"),
    }
}

/// Test accuracy minus that of the smallest step size, paired by seed, at an early budget and
/// at the full budget.
pub fn generalisation_accuracy() -> Result<Built> {
    let (spec, rows) = standard_rows()?;
    let budget = spec.budget();
    let mut notes = Vec::new();
    let mut panels = Vec::new();
    for step in [EARLY_STEP, budget] {
        let summary = summarise(rows, step);
        let mut panel = Panel::new(
            format!(
                "test accuracy gain over η = {}·2/S0, step {step}",
                spec.edge_multiples[0]
            ),
            Axis::log("η·S0/2"),
            Axis::linear("test accuracy − reference (mean ± sd over seeds)"),
        )
        .legend_at(SeriesLabelPosition::LowerLeft);
        for task in &spec.tasks {
            let label = boundary_label(&summary, task);
            let points: Vec<(f64, f64, f64)> = constant_groups(&summary, task)
                .filter_map(|g| g.accuracy_gain.map(|s| (g.edge_multiple, s.mean, s.sd)))
                .collect();
            panel.line(&label, color(task), points.iter().map(|&(x, m, _)| (x, m)));
            panel.error_bars(&label, color(task), points.iter().copied());
            if step == budget {
                for g in constant_groups(&summary, task) {
                    if let Some(gain) = g.accuracy_gain.filter(|s| s.mean.abs() > s.sd) {
                        notes.push(format!(
                            "{task} at η·S0/2 = {}: gain {:+.3} ± {:.3} at step {step}",
                            g.edge_multiple, gain.mean, gain.sd
                        ));
                    }
                }
            }
        }
        panel.guide("no difference", GREY, GuideAt::Horizontal(0.0));
        panels.push(panel);
    }
    let figure = Figure {
        title: format!(
            "Test accuracy against η: depth-{} linear net, width {}, logistic loss, {} seeds (Huang et al. 2011.12547)",
            spec.depth,
            spec.width,
            spec.seeds.len()
        ),
        size: TWO_PANELS,
        panels,
    };
    Ok(Built { figure, notes })
}

/// Final sharpness and sharpness on the non-separable input subspace, relative to the
/// sharpness at initialisation, against the step size; the edge `S = 2/η` is `S/S0 = 1/x`.
pub fn generalisation_sharpness() -> Result<Built> {
    let (spec, rows) = standard_rows()?;
    let summary = summarise(rows, spec.budget());
    let sharpness0 = |task: &Task| {
        let values: Vec<f64> = rows
            .iter()
            .filter(|r| r.task == task.name() && r.step == 0)
            .map(|r| r.sharpness0)
            .collect();
        values.iter().sum::<f64>() / values.len().max(1) as f64
    };
    let edge: Vec<(f64, f64)> = spec.edge_multiples.iter().map(|&x| (x, 1.0 / x)).collect();
    let mut total = Panel::new(
        format!("sharpness at step {} / mean S0", spec.budget()),
        Axis::log("η·S0/2"),
        Axis::log("S / S0 (mean ± sd over seeds; below 1e-7 not shown)").with_limits(1e-7, 10.0),
    )
    .legend_at(SeriesLabelPosition::LowerLeft);
    let mut restricted = Panel::new(
        "sharpness on the non-separable input subspace / mean S0",
        Axis::log("η·S0/2"),
        Axis::log("S_nonsep / S0"),
    )
    .legend_at(SeriesLabelPosition::LowerLeft);
    for task in &spec.tasks {
        let s0 = sharpness0(task);
        for (panel, pick) in [
            (&mut total, (|g: &Group| g.sharpness) as fn(&Group) -> _),
            (&mut restricted, |g: &Group| g.sharpness_nonseparable),
        ] {
            let points: Vec<(f64, f64, f64)> = constant_groups(&summary, task)
                .filter_map(|g| pick(g).map(|s| (g.edge_multiple, s.mean / s0, s.sd / s0)))
                .collect();
            if points.is_empty() {
                continue;
            }
            let label = boundary_label(&summary, task);
            panel.markers(
                &label,
                color(task),
                Marker::Circle,
                points.iter().map(|&(x, m, _)| (x, m)),
            );
            panel.error_bars(&label, color(task), points.iter().copied());
        }
    }
    total.dashed("edge S = 2/η", GREY, edge);
    let figure = Figure {
        title: format!(
            "Final sharpness after {} GD steps against η (deep linear net, width {}, logistic loss, {} seeds)",
            spec.budget(),
            spec.width,
            spec.seeds.len()
        ),
        size: TWO_PANELS,
        panels: vec![total, restricted],
    };
    Ok(Built {
        figure,
        notes: Vec::new(),
    })
}

/// The two panels of a training-curve figure: the training loss and `S_t/S0`, both against
/// `step + 1` on log axes.
pub fn curve_panels(loss_title: &str, sharpness_title: &str) -> (Panel, Panel) {
    (
        Panel::new(
            loss_title,
            Axis::log("step + 1"),
            Axis::log("logistic loss"),
        ),
        Panel::new(sharpness_title, Axis::log("step + 1"), Axis::log("S / S0")),
    )
}

/// Steps, edge multiples and seed of the training-curve figure.
const CURVE_STEPS: usize = 2000;
/// Every step is measured up to here, then every [`CURVE_EVERY`] steps.
const CURVE_DENSE: usize = 100;
const CURVE_EVERY: usize = 10;
const CURVE_EDGE_MULTIPLES: [f64; 3] = [0.5, 3.0, 6.0];
const CURVE_SEED: u64 = 0;

/// Training loss and sharpness over the first steps on red wine, for a lazy and two catapult
/// step sizes (seed 0).
pub fn generalisation_curves() -> Result<Built> {
    let spec = GeneralisationSpec::standard();
    let task = Task::WineRed.prepare(CURVE_SEED, spec.test_fraction, false)?;
    let (mut loss, mut sharpness) = curve_panels(
        "training loss, red wine (seed 0)",
        "sharpness S_t / S0 (dashed: the edge 2/η)",
    );
    let mut notes = Vec::new();
    for (i, &edge_multiple) in CURVE_EDGE_MULTIPLES.iter().enumerate() {
        let checkpoints = (0..CURVE_DENSE)
            .chain((CURVE_DENSE..=CURVE_STEPS).step_by(CURVE_EVERY))
            .collect();
        let plan = RunPlan::constant(spec.depth, spec.width, edge_multiple, checkpoints)?;
        let run = run_task(&task, &plan)?;
        let label = format!("η = {edge_multiple}·2/S0 ({})", run.phase.name());
        let color = RUN_COLORS[i % RUN_COLORS.len()];
        let shifted = |step: usize| (step + 1) as f64;
        loss.line(
            &label,
            color,
            run.checkpoints
                .iter()
                .map(|c| (shifted(c.step), c.train_loss)),
        );
        sharpness.line(
            &label,
            color,
            run.checkpoints
                .iter()
                .map(|c| (shifted(c.step), c.sharpness / run.sharpness0)),
        );
        sharpness.guide(
            format!("2/η for {label}"),
            color,
            GuideAt::Horizontal(1.0 / edge_multiple),
        );
        if let Some(last) = run.checkpoints.last() {
            notes.push(format!(
                "{label}: first rise at step {:?}, train loss {:.4}, test accuracy {:.3}, S/S0 {:.3} at step {}",
                run.first_rise,
                last.train_loss,
                last.test_accuracy,
                last.sharpness / run.sharpness0,
                last.step
            ));
        }
    }
    let figure = Figure {
        title: format!(
            "Training curves on red wine (quality ≥ 6 vs ≤ 5), deep linear net width {}, logistic loss; x axis is step + 1",
            spec.width
        ),
        size: TWO_PANELS,
        panels: vec![loss, sharpness],
    };
    Ok(Built { figure, notes })
}
