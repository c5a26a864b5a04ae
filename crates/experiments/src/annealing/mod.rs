//! Does an initial large step help, and which schedule keeps it? The annealing experiment of
//! the journal version of Huang et al. (arXiv 2011.12547: a large initial step, then a small
//! one) over LRBench-style policies (Wu, Liu et al. 2019), and SGD's loss spikes against the
//! sharpness ("catapults in SGD", Zhu, Liu, Radhakrishnan, Belkin, ICML 2024).
//!
//! **Policies** ([`policies`]), all in units of `2/S0` (`S0` the sharpness at
//! initialisation) and run for the same budget `T` with full-batch GD: a small constant step
//! (`lazy`), a large constant one (`catapult`), the large step decayed tenfold every `T/3`
//! steps (`large-then-step`), the large step annealed by a cosine to a tenth of the small one
//! (`large-then-cosine`), a linear warm-up over `T/10` steps to the large step
//! (`warmup-to-large`), and a triangle cycling between the small and the large step with
//! half-period `T/12` (`cyclic`). Each run records train loss, test loss and accuracy, the
//! gradient norm and the sharpness at the checkpoints ([`run_policies`], one [`PolicyRow`]
//! per checkpoint).
//!
//! **Spikes** ([`run_spikes`]): the same task and step size with full-batch GD and with
//! mini-batch SGD; the full-batch training loss of every step and the sharpness every few
//! steps. A spike ([`find_spikes`]) starts when the loss rises above `factor` times its running
//! minimum and ends when it falls back below `factor` times the minimum it started from; it is
//! followed by a sharpness drop when the first sharpness measured at or after its end is below
//! the last one measured at or before its start.

mod policies;
mod spikes;

pub use policies::{
    AnnealingSpec, PolicyRow, PolicySummary, policies, run_policies, summarise_policies,
};
pub use spikes::{Spike, SpikeRun, SpikeSpec, find_spikes, run_spikes};
