//! The registry of figures: every figure `cargo xtask figures` can build, in the order it
//! builds them. Each figure module builds its figures from the shared setups
//! ([`crate::setups`]) and never imports this registry.

use crate::setups::Built;
use anyhow::Result;

/// A figure the `figures` command can build.
pub struct FigureSpec {
    pub name: &'static str,
    pub summary: &'static str,
    pub build: fn() -> Result<Built>,
}

/// Every figure, in the order they are built.
pub const ALL: [FigureSpec; 24] = [
    FigureSpec {
        name: "squared_phases",
        summary: "squared loss: loss and NTK eigenvalue in the lazy, catapult, divergent phases",
        build: crate::degenerate_figures::squared_phases,
    },
    FigureSpec {
        name: "logistic_nonseparable_phases",
        summary: "logistic loss, non-separable data: loss gap and λ_t below and above η_crit",
        build: crate::degenerate_figures::logistic_nonseparable_phases,
    },
    FigureSpec {
        name: "logistic_separable",
        summary: "logistic loss, separable data: loss and sharpness both vanish",
        build: crate::degenerate_figures::logistic_separable,
    },
    FigureSpec {
        name: "final_sharpness_vs_eta",
        summary: "final sharpness against η·λ0 for the three settings, with predicted boundaries",
        build: crate::degenerate_figures::final_sharpness_vs_eta,
    },
    FigureSpec {
        name: "phase_diagram",
        summary: "phase of every run over η·λ0 × width (squared | logistic), predicted boundaries",
        build: crate::phase_figures::phase_diagram,
    },
    FigureSpec {
        name: "eta_max_scaling",
        summary: "logistic divergence boundary η_max·λ0 against width, power-law fit (slowest)",
        build: crate::phase_figures::eta_max_scaling,
    },
    FigureSpec {
        name: "sharpness_times_eta",
        summary: "final sharpness·η against η·λ0: catapult runs end on the 2/η edge",
        build: crate::phase_figures::sharpness_times_eta,
    },
    FigureSpec {
        name: "generalisation_accuracy",
        summary: "real and synthetic data: test-accuracy gain against η, paired by seed (runs the grid)",
        build: crate::generalisation_figures::generalisation_accuracy,
    },
    FigureSpec {
        name: "generalisation_sharpness",
        summary: "real and synthetic data: final total and non-separable-subspace sharpness against η",
        build: crate::generalisation_figures::generalisation_sharpness,
    },
    FigureSpec {
        name: "generalisation_curves",
        summary: "red wine: training loss and sharpness for a lazy and two catapult step sizes",
        build: crate::generalisation_figures::generalisation_curves,
    },
    FigureSpec {
        name: "schedules",
        summary: "every learning-rate policy's η_t from its spec string, one small panel each",
        build: crate::schedule_figures::schedules,
    },
    FigureSpec {
        name: "annealing_policies",
        summary: "six schedules after a large first step: test-accuracy gain and final sharpness",
        build: crate::annealing_figures::annealing_policies,
    },
    FigureSpec {
        name: "annealing_curves",
        summary: "red wine: training loss and sharpness under each schedule",
        build: crate::annealing_figures::annealing_curves,
    },
    FigureSpec {
        name: "sgd_spikes",
        summary: "SGD against GD at the same step: loss spikes and the sharpness around them",
        build: crate::annealing_figures::sgd_spikes,
    },
    FigureSpec {
        name: "diagonal_staircase",
        summary: "incremental learning: σ = u^N for N = 1…4, one value at a time, largest first",
        build: crate::diagonal_figures::diagonal_staircase,
    },
    FigureSpec {
        name: "diagonal_sparse_regression",
        summary: "depth-3 diagonal net on sparse regression: order in which the support is found",
        build: crate::diagonal_figures::diagonal_sparse_regression,
    },
    FigureSpec {
        name: "diagonal_margin",
        summary: "exponential loss: distance to the ℓ1 and ℓ2 max-margin directions over α and ε",
        build: crate::diagonal_figures::diagonal_margin,
    },
    FigureSpec {
        name: "diagonal_transition",
        summary: "the kernel–rich transition α_c(ε), measured and predicted ∝ ln(1/ε)^(1/D)",
        build: crate::diagonal_figures::diagonal_transition,
    },
    FigureSpec {
        name: "diagonal_large_steps",
        summary: "GD with large steps on a diagonal net vs gradient flow at the same loss",
        build: crate::diagonal_figures::diagonal_large_steps,
    },
    FigureSpec {
        name: "fqi_srank",
        summary: "fitted Q-iteration: srank, effective rank and distance to Q* (bootstrapped, supervised, penalty)",
        build: crate::rl_figures::fqi_srank,
    },
    FigureSpec {
        name: "self_distillation",
        summary: "deep linear self-distillation: singular values shrink by λ per round (depth 2), bootstrapped vs supervised",
        build: crate::rl_figures::self_distillation,
    },
    FigureSpec {
        name: "relu_norm",
        summary: "square-loss ReLU classifier: ρ, loss and normalised margin with and without weight decay",
        build: crate::collapse_figures::relu_norm,
    },
    FigureSpec {
        name: "relu_ranks",
        summary: "square-loss ReLU classifier: stable and effective rank of the last weight matrices",
        build: crate::collapse_figures::relu_ranks,
    },
    FigureSpec {
        name: "relu_collapse",
        summary: "square-loss ReLU classifier: NC1, NC2, NC3 over training for a few weight decays",
        build: crate::collapse_figures::relu_collapse,
    },
];

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn figure_names_are_unique() {
        let mut names: Vec<_> = ALL.iter().map(|spec| spec.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
