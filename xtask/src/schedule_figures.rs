//! Every learning-rate policy of `catapult_optim::schedule` (LRBench's Table I of Wu, Liu et
//! al. 2019 with its decreasing and restart variants, cosine annealing, SGDR, one-cycle,
//! warm-up and sequences) drawn from its spec string, one small panel each.

use crate::setups::Built;
use anyhow::{Context, Result};
use catapult_optim::{LrSchedule, Schedule};
use catapult_plot::{Axis, Figure, Panel, RUN_COLORS};

/// Steps drawn in every panel.
const STEPS: usize = 1000;

/// Each panel's title and spec.
const SPECS: [(&str, &str); 20] = [
    ("FIX", "fix:k0=0.5"),
    ("STEP", "step:k0=0.5,gamma=0.5,l=200"),
    ("NSTEP", "nstep:k0=0.5,gamma=0.3,l=[300,700]"),
    ("EXP", "exp:k0=0.5,gamma=0.997"),
    ("INV", "inv:k0=0.5,gamma=0.01,p=0.75"),
    ("POLY", "poly:k0=0.5,k1=0.05,p=2,l=800"),
    ("TRI", "tri:k0=0.05,k1=0.5,l=125"),
    ("TRI2", "tri2:k0=0.05,k1=0.5,l=125"),
    ("TRIEXP", "triexp:k0=0.05,k1=0.5,gamma=0.998,l=125"),
    ("SIN", "sin:k0=0.05,k1=0.5,l=125"),
    ("SIN2", "sin2:k0=0.05,k1=0.5,l=125"),
    ("SINEXP", "sinexp:k0=0.05,k1=0.5,gamma=0.998,l=125"),
    ("COS", "cos:k0=0.05,k1=0.5,l=125"),
    ("DTRI (falls first)", "dtri:k0=0.05,k1=0.5,l=125"),
    ("RTRI (restarts)", "rtri:k0=0.05,k1=0.5,l=250"),
    ("cosine annealing", "cosine:k0=0.5,floor=0.02,T=800"),
    ("SGDR", "sgdr:k0=0.5,floor=0.02,T0=100,Tmult=2"),
    (
        "one-cycle",
        "onecycle:k0=0.05,k1=0.5,l=300,T=900,floor=0.005",
    ),
    (
        "warm-up, then step",
        "warmup:steps=100,then=step:k0=0.5,gamma=0.5,l=300",
    ),
    (
        "sequence: large, then cosine",
        "seq:[fix:k0=0.5@300,cosine:k0=0.1,floor=0.005,T=600]",
    ),
];

/// η_t for t = 0 … 1000 of every policy, titled by its spec.
pub fn schedules() -> Result<Built> {
    let mut panels = Vec::new();
    for (name, spec) in SPECS {
        let schedule: LrSchedule = spec.parse().with_context(|| format!("spec `{spec}`"))?;
        let mut panel = Panel::new(
            name,
            Axis::linear("step t"),
            Axis::linear("η_t").with_limits(0.0, 0.55),
        );
        panel.line(
            spec,
            RUN_COLORS[0],
            (0..=STEPS).map(|t| (t as f64, schedule.learning_rate(t))),
        );
        panels.push(panel);
    }
    let figure = Figure {
        title: "Learning-rate schedules from their spec strings (catapult schedule SPEC --steps T prints any of them)".to_string(),
        size: (2400, 2000),
        panels,
    };
    Ok(Built {
        figure,
        notes: Vec::new(),
    })
}
