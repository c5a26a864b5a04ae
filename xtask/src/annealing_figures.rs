//! The schedule comparison and SGD's spikes ([`catapult_experiments::annealing`]): test accuracy and
//! final sharpness per policy, training curves per policy on red wine, and the loss spikes of
//! SGD against GD with the sharpness around them.

use crate::generalisation_figures::curve_panels;
use crate::setups::{Built, TWO_PANELS};
use anyhow::Result;
use catapult_experiments::annealing::{
    AnnealingSpec, SpikeSpec, policies, run_policies, run_spikes, summarise_policies,
};
use catapult_experiments::generalisation::{RunPlan, Task, run_task};
use catapult_plot::{Axis, Figure, GREY, GuideAt, Marker, Panel, RUN_COLORS};
use catapult_plot::{RGBColor, SeriesLabelPosition};

/// Six colours, one per policy, in the order of [`policies`].
const POLICY_COLORS: [RGBColor; 6] = [
    RUN_COLORS[0],
    RUN_COLORS[1],
    RUN_COLORS[2],
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Test-accuracy gain over the lazy policy and final sharpness, per task (columns) and depth
/// (series), mean ± sd over seeds.
pub fn annealing_policies() -> Result<Built> {
    let spec = AnnealingSpec::standard();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rows = run_policies(&spec, threads, |_, _| {})?;
    let summaries = summarise_policies(&rows, spec.budget());
    let names: Vec<&str> = policies(spec.small, spec.large, spec.budget())?
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let x_label = names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("{} {name}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let ticks: Vec<f64> = (1..=names.len()).map(|i| i as f64).collect();
    let mut accuracy_panels = Vec::new();
    let mut sharpness_panels = Vec::new();
    let mut notes = Vec::new();
    for task in &spec.tasks {
        let mut accuracy = Panel::new(
            format!("{task}: test accuracy − lazy (paired)"),
            Axis::linear(&x_label).with_ticks(&ticks),
            Axis::linear("gain (mean ± sd over seeds)").with_limits(-0.06, 0.06),
        )
        .legend_at(SeriesLabelPosition::LowerLeft);
        let mut sharpness = Panel::new(
            format!("{task}: sharpness at step {} / S0", spec.budget()),
            Axis::linear(&x_label).with_ticks(&ticks),
            Axis::log("S / S0"),
        )
        .legend_at(SeriesLabelPosition::LowerLeft);
        for (j, &depth) in spec.depths.iter().enumerate() {
            let offset = 0.12 * (j as f64 - 0.5);
            let color = RUN_COLORS[j % RUN_COLORS.len()];
            let label = format!("depth {depth}");
            let of = |pick: &dyn Fn(
                &catapult_experiments::annealing::PolicySummary,
            )
                -> Option<catapult_experiments::generalisation::Spread>| {
                summaries
                    .iter()
                    .filter(|s| s.task == task.name() && s.depth == depth)
                    .filter_map(|s| {
                        let index = names.iter().position(|n| *n == s.policy)?;
                        pick(s).map(|v| (index as f64 + 1.0 + offset, v.mean, v.sd))
                    })
                    .collect::<Vec<_>>()
            };
            let gains = of(&|s| s.accuracy_gain);
            accuracy.markers(
                &label,
                color,
                Marker::Circle,
                gains.iter().map(|&(x, m, _)| (x, m)),
            );
            accuracy.error_bars(&label, color, gains.iter().copied());
            let relative = of(&|s| s.relative_sharpness);
            sharpness.markers(
                &label,
                color,
                Marker::Circle,
                relative.iter().map(|&(x, m, _)| (x, m)),
            );
            sharpness.error_bars(&label, color, relative.iter().copied());
            for s in summaries
                .iter()
                .filter(|s| s.task == task.name() && s.depth == depth)
            {
                if let (Some(gain), Some(acc)) = (s.accuracy_gain, s.test_accuracy)
                    && gain.mean != 0.0
                {
                    notes.push(format!(
                        "{task} depth {depth} {}: test accuracy {:.3} ± {:.3}, gain {:+.3} ± {:.3}, divergent {}/{}",
                        s.policy, acc.mean, acc.sd, gain.mean, gain.sd, s.divergent, s.runs
                    ));
                }
            }
        }
        accuracy.guide("no difference", GREY, GuideAt::Horizontal(0.0));
        accuracy_panels.push(accuracy);
        sharpness_panels.push(sharpness);
    }
    let figure = Figure {
        title: format!(
            "Schedules after a large first step ({} GD steps, width {}, {} seeds; small {} and large {} in units of 2/S0)",
            spec.budget(),
            spec.width,
            spec.seeds.len(),
            spec.small,
            spec.large
        ),
        size: (2100, 1300),
        panels: accuracy_panels
            .into_iter()
            .chain(sharpness_panels)
            .collect(),
    };
    Ok(Built { figure, notes })
}

/// Training loss and sharpness of every policy on red wine (seed 0, depth 2).
pub fn annealing_curves() -> Result<Built> {
    let spec = AnnealingSpec::standard();
    let task = Task::WineRed.prepare(0, spec.test_fraction, false)?;
    let budget = spec.budget();
    let (mut loss, mut sharpness) = curve_panels(
        "training loss, red wine (seed 0, depth 2)",
        "sharpness S_t / S0",
    );
    let mut notes = Vec::new();
    for (i, (name, schedule)) in policies(spec.small, spec.large, budget)?
        .into_iter()
        .enumerate()
    {
        let checkpoints = (0..100).chain((100..=budget).step_by(10)).collect();
        let mut plan = RunPlan::constant(2, spec.width, 1.0, checkpoints)?;
        plan.schedule = schedule;
        let run = run_task(&task, &plan)?;
        let color = POLICY_COLORS[i % POLICY_COLORS.len()];
        let label = format!("{name} ({})", run.phase.name());
        loss.line(
            &label,
            color,
            run.checkpoints
                .iter()
                .map(|c| ((c.step + 1) as f64, c.train_loss)),
        );
        sharpness.line(
            &label,
            color,
            run.checkpoints
                .iter()
                .map(|c| ((c.step + 1) as f64, c.sharpness / run.sharpness0)),
        );
        if let Some(last) = run.checkpoints.last() {
            notes.push(format!(
                "{name}: train loss {:.4}, test accuracy {:.3}, S/S0 {:.3} at step {}",
                last.train_loss,
                last.test_accuracy,
                last.sharpness / run.sharpness0,
                last.step
            ));
        }
    }
    let figure = Figure {
        title: format!(
            "Training curves per schedule on red wine (width {}, small {} and large {} in units of 2/S0)",
            spec.width, spec.small, spec.large
        ),
        size: TWO_PANELS,
        panels: vec![loss, sharpness],
    };
    Ok(Built { figure, notes })
}

/// GD against SGD at the same step size (seed 0): the loss of every step with its spikes, and
/// the sharpness.
pub fn sgd_spikes() -> Result<Built> {
    let spec = SpikeSpec::standard();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runs = run_spikes(&spec, threads)?;
    let mut loss = Panel::new(
        format!("{}, seed 0: full-batch training loss", spec.task),
        Axis::linear("step"),
        Axis::log("logistic loss"),
    );
    let mut sharpness = Panel::new(
        "sharpness S_t / S0 (dashed: the edge 2/η)",
        Axis::linear("step"),
        Axis::log("S / S0"),
    );
    let mut notes = Vec::new();
    for run in &runs {
        let (drops, judged) = run.sharpness_drops();
        notes.push(format!(
            "{} seed {}: {} spikes, {drops} of {judged} followed by a sharpness drop, final S/S0 {:.3}",
            run.optimizer,
            run.seed,
            run.spikes.len(),
            run.final_relative_sharpness()
        ));
        if run.seed != 0 {
            continue;
        }
        let color = if run.optimizer == "gd" {
            RUN_COLORS[0]
        } else {
            RUN_COLORS[1]
        };
        let label = if run.optimizer == "gd" {
            "GD".to_string()
        } else {
            format!("SGD, batch {}", spec.batch)
        };
        loss.line(
            &label,
            color,
            run.losses.iter().enumerate().map(|(t, &l)| (t as f64, l)),
        );
        loss.markers(
            format!("{label}: spike peaks"),
            color,
            Marker::Triangle,
            run.spikes
                .iter()
                .map(|s| (s.peak as f64, run.losses[s.peak])),
        );
        sharpness.line(
            &label,
            color,
            run.sharpness
                .iter()
                .map(|&(t, s)| (t as f64, s / run.sharpness0)),
        );
    }
    sharpness.guide("2/η", GREY, GuideAt::Horizontal(1.0 / spec.edge_multiple));
    let figure = Figure {
        title: format!(
            "SGD (batch {}) against GD at η = {}·2/S0 (spike: loss > {}× running minimum; Zhu et al. 2024)",
            spec.batch, spec.edge_multiple, spec.spike_factor
        ),
        size: TWO_PANELS,
        panels: vec![loss, sharpness],
    };
    Ok(Built { figure, notes })
}
