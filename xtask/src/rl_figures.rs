//! Implicit under-parameterisation ([`catapult_experiments::underparam`]): the srank and effective
//! rank of a Q-network's features and its distance to `Q*` over fitted Q-iteration, with
//! bootstrapped targets (few and many steps per iteration), supervised targets and the srank
//! penalty.

use crate::setups::{Built, THREE_PANELS};
use anyhow::Result;
use catapult_experiments::underparam::{
    UnderparamRow, UnderparamSpec, run_underparam, summarise_underparam,
};
use catapult_plot::{Axis, Figure, GREY, Panel, RUN_COLORS, Style};
use catapult_plot::{RGBColor, SeriesLabelPosition};
use catapult_rl::{DistillConfig, policy_values, random_chain, self_distill};
use faer::Mat;

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

/// The deep-linear view: singular values of a deep linear network's end-to-end map under
/// repeated self-distillation with weight decay (depth 2 against the soft-threshold closed
/// form, depth 3 measured), and srank under bootstrapped against supervised targets.
pub fn self_distillation() -> Result<Built> {
    let sigma = [3.0, 2.5, 2.0, 1.5, 1.0, 0.7, 0.4, 0.2];
    let n = sigma.len();
    let y0 = Mat::from_fn(n, n, |i, j| if i == j { sigma[i] } else { 0.0 });
    let zero = Mat::<f64>::zeros(n, n);
    let identity = Mat::<f64>::identity(n, n);
    let pure = |depth: usize| DistillConfig {
        depth,
        width: n,
        rounds: 20,
        steps_per_round: 3000,
        learning_rate: 0.05,
        weight_decay: 0.1,
        gamma: 1.0,
        init_scale: 0.3,
        seed: 0,
    };
    let mut notes = Vec::new();
    let mut panels = Vec::new();
    for depth in [2, 3] {
        let records = self_distill(y0.as_ref(), zero.as_ref(), identity.as_ref(), &pure(depth))?;
        let mut panel = Panel::new(
            format!("pure self-distillation, depth {depth}, λ = 0.1"),
            Axis::linear("round"),
            Axis::linear("singular values of W_L ⋯ W_1"),
        )
        .legend_at(SeriesLabelPosition::UpperRight);
        for (i, &s) in sigma.iter().enumerate() {
            let color = VARIANT_COLORS[i % VARIANT_COLORS.len()];
            let measured = std::iter::once((0.0, s)).chain(
                records
                    .iter()
                    .map(|r| (r.round as f64, r.singular_values[i])),
            );
            panel.line(format!("σ_{} = {s} at start", i + 1), color, measured);
            if depth == 2 {
                panel.unlisted(
                    format!("max(σ_{} − 0.1k, 0)", i + 1),
                    GREY,
                    Style::Dashed,
                    (0..=20).map(|k| (k as f64, (s - 0.1 * k as f64).max(0.0))),
                );
            }
        }
        if depth == 2 {
            panel.legend_note("closed form max(σ_i − λk, 0)", GREY, Style::Dashed);
        }
        let last = records.last().expect("20 rounds");
        notes.push(format!(
            "depth {depth}, pure self-distillation: srank by round {:?}; round 20 singular values {:?}",
            records.iter().map(|r| r.srank).collect::<Vec<_>>(),
            last.singular_values
                .iter()
                .map(|v| (v * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>()
        ));
        panels.push(panel);
    }
    let (transition, rewards) = random_chain(20, 8, 0)?;
    let gamma = 0.9;
    // Rewards scaled by 1 − γ keep Q^π of order one, so one learning rate suits both fits.
    let rewards = rewards * faer::Scale(1.0 - gamma);
    let q_pi = policy_values(transition.as_ref(), rewards.as_ref(), gamma)?;
    let chain = DistillConfig {
        depth: 3,
        width: 20,
        rounds: 30,
        steps_per_round: 2000,
        learning_rate: 0.01,
        weight_decay: 0.01,
        gamma,
        init_scale: 0.3,
        seed: 0,
    };
    let zero = Mat::<f64>::zeros(20, 8);
    let identity = Mat::<f64>::identity(20, 20);
    let bootstrapped = self_distill(zero.as_ref(), rewards.as_ref(), transition.as_ref(), &chain)?;
    let supervised_config = DistillConfig {
        gamma: 0.0,
        ..chain.clone()
    };
    let supervised = self_distill(
        zero.as_ref(),
        q_pi.as_ref(),
        identity.as_ref(),
        &supervised_config,
    )?;
    let q_pi_sigma = catapult_spectral::singular_values(q_pi.as_ref())?;
    let mut panel = Panel::new(
        "random chain (20 states × 8, rewards on [0, 0.1]), γ = 0.9, depth 3, λ = 0.01",
        Axis::linear("round"),
        Axis::log("σ_i / σ_1 of W_L ⋯ W_1"),
    )
    .legend_at(SeriesLabelPosition::UpperRight);
    for (name, records, color) in [
        ("bootstrapped R + γPŴ", &bootstrapped, VARIANT_COLORS[1]),
        ("supervised Q^π", &supervised, VARIANT_COLORS[2]),
    ] {
        for i in 1..8 {
            let points = records.iter().map(|r| {
                (
                    r.round as f64,
                    (r.singular_values[i] / r.singular_values[0]).max(1e-8),
                )
            });
            if i == 1 {
                panel.line(format!("{name}, σ_2 … σ_8"), color, points);
            } else {
                panel.unlisted(format!("{name} σ_{}", i + 1), color, Style::Line, points);
            }
        }
        let last = records.last().expect("30 rounds");
        notes.push(format!(
            "chain, {name}: srank by round {:?}; round 30 singular values {:?}, fit error {:.3e}",
            records.iter().map(|r| r.srank).collect::<Vec<_>>(),
            last.singular_values
                .iter()
                .map(|v| (v * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>(),
            last.fit_error
        ));
    }
    notes.push(format!(
        "chain: singular values of Q^π {:?}",
        q_pi_sigma
            .iter()
            .map(|v| (v * 1000.0).round() / 1000.0)
            .collect::<Vec<_>>()
    ));
    panels.push(panel);
    Ok(Built {
        figure: Figure {
            title: "Deep linear self-distillation with weight decay: the end-to-end map's singular values".to_string(),
            size: THREE_PANELS,
            panels,
        },
        notes,
    })
}
