//! Learning-rate schedules: spec strings, errors and the properties every policy must keep.

use catapult_optim::schedule::{
    AmplitudeDecay, CosineAnnealing, CycleMode, Cyclic, ExponentialDecay, Fixed, InverseDecay,
    LEARNING_RATE_FLOOR, MAX_NESTING_DEPTH, MultiStepDecay, OneCycle, PolynomialDecay, Sequence,
    StepDecay, WarmRestarts, Warmup, Waveform,
};
use catapult_optim::{LrSchedule, Schedule, ScheduleError};
use proptest::collection::vec;
use proptest::prelude::*;
use std::f64::consts::PI;

fn parse(spec: &str) -> LrSchedule {
    spec.parse()
        .unwrap_or_else(|error| panic!("{spec}: {error}"))
}

fn assert_close(got: f64, expected: f64) {
    assert!(
        (got - expected).abs() <= 1e-15 * expected.abs().max(1.0),
        "got {got}, expected {expected}"
    );
}

/// Steps at which every schedule is checked: the first few hundred and some huge ones.
fn sample_steps() -> impl Iterator<Item = usize> {
    (0..300).chain([
        1000,
        12_345,
        1 << 20,
        1 << 40,
        usize::MAX / 2,
        usize::MAX - 1,
        usize::MAX,
    ])
}

/// `next ≤ previous`, allowing the last-bit wobble of `pow` and `cos`.
fn non_increasing(previous: f64, next: f64) -> bool {
    next <= previous * (1.0 + 4.0 * f64::EPSILON)
}

#[test]
fn the_examples_of_the_issue_parse_and_evaluate() {
    let cosine = parse("cosine:k0=0.5,floor=0.01,T=3000");
    assert_eq!(cosine.learning_rate(0), 0.5);
    assert_close(cosine.learning_rate(1500), 0.255);
    assert_eq!(cosine.learning_rate(3000), 0.01);
    assert_eq!(cosine.horizon(), Some(3000));

    let warmup = parse("warmup:steps=100,then=step:k0=1,gamma=0.1,l=1000");
    assert_close(warmup.learning_rate(0), 1.0 / 101.0);
    assert_eq!(warmup.learning_rate(100), 1.0);
    assert_eq!(warmup.learning_rate(1099), 1.0);
    assert_close(warmup.learning_rate(1100), 0.1);
    assert_eq!(warmup.horizon(), None);

    let sequence = parse("seq:[fix:k0=2@500,cosine:k0=0.5,T=2500]");
    assert_eq!(sequence.learning_rate(499), 2.0);
    assert_eq!(sequence.learning_rate(500), 0.5);
    assert_eq!(sequence.learning_rate(3000), LEARNING_RATE_FLOOR);
    assert_eq!(sequence.horizon(), Some(3000));

    let poly = parse("poly:k0=0.5,p=2,l=200");
    for t in [0, 37, 100, 150, 199] {
        assert_close(
            poly.learning_rate(t),
            0.5 * (1.0 - t as f64 / 200.0).powi(2),
        );
    }
    assert_eq!(poly.learning_rate(200), LEARNING_RATE_FLOOR);
}

#[test]
fn spec_strings_pin_the_lrbench_formulas() {
    let (k0, k1, gamma, l): (f64, f64, f64, f64) = (0.1, 0.5, 0.99, 10.0);
    let tri = |t: f64| (2.0 / PI) * (PI * t / (2.0 * l)).sin().asin().abs();
    let sin = |t: f64| (PI * t / (2.0 * l)).sin().abs();
    let cyclic = |wave: f64| k0 + (k1 - k0) * wave;
    for step in [0usize, 3, 10, 17, 26, 40, 55] {
        let t = step as f64;
        let at = |spec: &str| parse(spec).learning_rate(step);
        assert_close(at("fix:k0=0.1"), k0);
        assert_close(at("step:k0=1,gamma=0.5,l=10"), 0.5f64.powf((t / l).floor()));
        assert_close(at("exp:k0=1,gamma=0.99"), gamma.powf(t));
        assert_close(at("inv:k0=1,gamma=0.1,p=0.5"), (1.0 + 0.1 * t).powf(-0.5));
        assert_close(at("tri:k0=0.1,k1=0.5,l=10"), cyclic(tri(t)));
        let halvings = 2f64.powf((t / (2.0 * l)).floor());
        assert_close(at("tri2:k0=0.1,k1=0.5,l=10"), cyclic(tri(t) / halvings));
        let triexp = at("triexp:k0=0.1,k1=0.5,gamma=0.99,l=10");
        assert_close(triexp, cyclic(gamma.powf(t) * tri(t)));
        assert_close(at("sin:k0=0.1,k1=0.5,l=10"), cyclic(sin(t)));
        assert_close(at("sin2:k0=0.1,k1=0.5,l=10"), cyclic(sin(t) / halvings));
        let sinexp = at("sinexp:k0=0.1,k1=0.5,gamma=0.99,l=10");
        assert_close(sinexp, cyclic(gamma.powf(t) * sin(t)));
        // COS as in LRBench's code (period 2l), not the table's cos(2πt/l).
        let cos = 0.5 * (1.0 + (PI * t / l).cos());
        assert_close(at("cos:k0=0.1,k1=0.5,l=10"), cyclic(cos));
        assert_close(at("dtri:k0=0.1,k1=0.5,l=10"), cyclic(tri(t + l)));
        assert_close(at("dsin:k0=0.1,k1=0.5,l=10"), cyclic(sin(t + l)));
    }
    let nstep = parse("nstep:k0=1,gamma=0.1,l=[100,200]");
    assert_eq!(nstep.learning_rate(99), 1.0);
    assert_close(nstep.learning_rate(100), 0.1);
    assert_close(nstep.learning_rate(200), 0.01);
}

#[test]
fn every_policy_prints_its_spec_back() {
    let mut specs = vec![
        "fix:k0=0.1",
        "step:k0=1,gamma=0.1,l=1000",
        "step:k0=1,k1=0.001,gamma=0.1,l=1000",
        "nstep:k0=1,gamma=0.1,l=[100,200]",
        "exp:k0=0.5,k1=0.01,gamma=0.999",
        "inv:k0=0.1,gamma=0.001,p=0.75",
        "poly:k0=0.5,p=2,l=200",
        "cosine:k0=0.5,floor=0.01,T=3000",
        "cosine:k0=0.5,T=2500",
        "sgdr:k0=0.1,floor=0.001,T0=100,Tmult=2",
        "sgdr:k0=0.1,T0=100",
        "onecycle:k0=0.1,k1=1,l=400,T=1000,floor=0.001",
        "warmup:steps=100,then=step:k0=1,gamma=0.1,l=1000",
        "seq:[fix:k0=2@500,cosine:k0=0.5,T=2500]",
        "seq:[warmup:steps=5,then=seq:[fix:k0=1@3,exp:k0=1,gamma=0.5]@100,tri:k0=0.1,k1=1,l=5]",
        "fix:k0=1e-7",
        "fix:k0=1e300",
    ];
    let cyclic: Vec<String> = [
        "tri", "sin", "upcos", "dtri", "dsin", "cos", "rtri", "rsin", "rcos",
    ]
    .iter()
    .flat_map(|stem| {
        [
            format!("{stem}:k0=0.01,k1=0.1,l=500"),
            format!("{stem}2:k0=0.01,k1=0.1,l=500"),
            format!("{stem}exp:k0=0.01,k1=0.1,gamma=0.999,l=500"),
        ]
    })
    .collect();
    specs.extend(cyclic.iter().map(String::as_str));
    for spec in specs {
        assert_eq!(parse(spec).to_string(), spec);
    }
}

#[test]
fn parameters_may_come_in_any_order() {
    assert_eq!(
        parse("step:l=1000,gamma=0.1,k0=1"),
        parse("step:k0=1,gamma=0.1,l=1000")
    );
    assert_eq!(
        parse("poly:k0=0.5,k1=0,p=2,l=200").to_string(),
        "poly:k0=0.5,p=2,l=200"
    );
}

fn parse_error(spec: &str) -> ScheduleError {
    match spec.parse::<LrSchedule>() {
        Ok(schedule) => panic!("{spec} parsed as {schedule}"),
        Err(error) => error,
    }
}

#[test]
fn unknown_names_and_parameters_are_named() {
    for spec in [
        "foo:k0=1",
        "STEP:k0=1",
        "cosin:k0=1,T=3",
        "tri3:k0=1,k1=2,l=3",
    ] {
        assert!(
            matches!(parse_error(spec), ScheduleError::UnknownPolicy { .. }),
            "{spec}"
        );
    }
    for (spec, policy, parameter) in [
        ("step:k0=1,gama=0.1,l=5", "step", "gama"),
        ("fix:k0=1,k1=0.5", "fix", "k1"),
        ("tri:k0=1,k1=2,gamma=0.5,l=3", "tri", "gamma"),
        ("warmup:then=fix:k0=1,steps=5", "fix", "steps"),
        ("seq:[fix:k0=1@5,cosine:k0=1,t=5]", "cosine", "t"),
    ] {
        match parse_error(spec) {
            ScheduleError::UnknownParameter {
                policy: p,
                parameter: q,
                ..
            } => assert_eq!((p.as_str(), q.as_str()), (policy, parameter), "{spec}"),
            other => panic!("{spec}: {other}"),
        }
    }
    let message = parse_error("step:k0=1,gama=0.1,l=5").to_string();
    assert!(message.contains("`step`") && message.contains("`gama`") && message.contains("gamma"));
}

#[test]
fn missing_and_repeated_parameters_are_named() {
    for (spec, policy, parameter) in [
        ("step:k0=1,l=5", "step", "gamma"),
        ("cosine:k0=0.5", "cosine", "T"),
        ("tri:k0=0.1,l=10", "tri", "k1"),
        ("triexp:k0=0.1,k1=1,l=10", "triexp", "gamma"),
        ("nstep:k0=1,gamma=0.5", "nstep", "l"),
        ("warmup:steps=3", "warmup", "then"),
        ("sgdr:k0=1,floor=0.1", "sgdr", "T0"),
    ] {
        assert_eq!(
            parse_error(spec),
            ScheduleError::MissingParameter {
                policy: policy.to_owned(),
                parameter,
            },
            "{spec}"
        );
    }
    assert_eq!(
        parse_error("fix:k0=1,k0=2"),
        ScheduleError::DuplicateParameter {
            policy: "fix".to_owned(),
            parameter: "k0".to_owned(),
        }
    );
}

#[test]
fn out_of_range_parameters_say_which_and_why() {
    for (spec, policy, parameter) in [
        ("fix:k0=0", "fix", "k0"),
        ("fix:k0=-1", "fix", "k0"),
        ("fix:k0=inf", "fix", "k0"),
        ("fix:k0=NaN", "fix", "k0"),
        ("fix:k0=abc", "fix", "k0"),
        ("fix:k0=[1]", "fix", "k0"),
        ("step:k0=1,gamma=1.5,l=5", "step", "gamma"),
        ("step:k0=1,gamma=0,l=5", "step", "gamma"),
        ("step:k0=1,gamma=0.1,l=0", "step", "l"),
        ("step:k0=1,gamma=0.1,l=1.5", "step", "l"),
        ("step:k0=1,gamma=0.1,l=-3", "step", "l"),
        ("step:k0=1,k1=-0.1,gamma=0.1,l=3", "step", "k1"),
        ("exp:k0=1,gamma=NaN", "exp", "gamma"),
        ("inv:k0=1,gamma=0.1,p=0", "inv", "p"),
        ("poly:k0=0.5,k1=0.5,p=2,l=10", "poly", "k1"),
        ("poly:k0=0.5,p=2,l=0", "poly", "l"),
        ("nstep:k0=1,gamma=0.1,l=[200,100]", "nstep", "l"),
        ("nstep:k0=1,gamma=0.1,l=[]", "nstep", "l"),
        ("nstep:k0=1,gamma=0.1,l=[0,5]", "nstep", "l"),
        ("nstep:k0=1,gamma=0.1,l=[1,x]", "nstep", "l"),
        ("nstep:k0=1,gamma=0.1,l=100", "nstep", "l"),
        ("tri:k0=0.1,k1=0,l=10", "tri", "k1"),
        ("dsinexp:k0=0.1,k1=1,gamma=2,l=10", "dsinexp", "gamma"),
        ("rcos2:k0=0.1,k1=1,l=0", "rcos2", "l"),
        ("cosine:k0=0.5,T=0", "cosine", "T"),
        ("cosine:k0=0.5,floor=0.6,T=10", "cosine", "floor"),
        ("sgdr:k0=1,T0=10,Tmult=0", "sgdr", "Tmult"),
        ("onecycle:k0=0.1,k1=1,l=10,T=20", "onecycle", "T"),
        ("onecycle:k0=1,k1=0.5,l=1,T=5", "onecycle", "k1"),
        ("warmup:steps=0,then=fix:k0=1", "warmup", "steps"),
        ("warmup:steps=3,then=fix:k0=0", "fix", "k0"),
        ("seq:[fix:k0=1@0,fix:k0=2]", "seq", "@steps"),
        ("seq:[fix:k0=1@x,fix:k0=2]", "seq", "@steps"),
    ] {
        match parse_error(spec) {
            ScheduleError::InvalidParameter {
                policy: p,
                parameter: q,
                ..
            } => assert_eq!((p.as_str(), q), (policy, parameter), "{spec}"),
            other => panic!("{spec}: {other}"),
        }
    }
    assert_eq!(
        parse_error("step:k0=1,gamma=1.5,l=5").to_string(),
        "policy `step`: parameter `gamma` = 1.5 must be in (0, 1]"
    );
}

#[test]
fn malformed_specs_are_syntax_errors() {
    for spec in [
        "",
        "fix",
        "fix:",
        "fix:k0",
        "fix:k0=1,",
        "fix:k0=1]",
        "fix:k0=1@5",
        "fix:=1",
        "seq:fix:k0=1",
        "seq:[]",
        "seq:[fix:k0=1@5]",
        "seq:[fix:k0=1,fix:k0=2]",
        "seq:[fix:k0=1@5,",
        "seq:[fix:k0=1",
        "nstep:k0=1,gamma=0.1,l=[1,2",
        "nstep:k0=1,gamma=0.1,l=[1@2]",
    ] {
        assert!(
            matches!(parse_error(spec), ScheduleError::Syntax { .. }),
            "{spec}: {:?}",
            parse_error(spec)
        );
    }
}

#[test]
fn nesting_is_capped_without_overflowing_the_stack() {
    let nested = |depth: usize| format!("{}fix:k0=1", "warmup:steps=1,then=".repeat(depth));
    assert!(nested(MAX_NESTING_DEPTH).parse::<LrSchedule>().is_ok());
    let too_deep = ScheduleError::TooDeep {
        limit: MAX_NESTING_DEPTH,
    };
    assert_eq!(parse_error(&nested(MAX_NESTING_DEPTH + 1)), too_deep);
    assert_eq!(parse_error(&nested(100_000)), too_deep);
    let sequences = format!("{}fix:k0=1{}", "seq:[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(parse_error(&sequences), too_deep);
}

#[test]
fn odd_bytes_are_errors_not_panics() {
    for spec in [
        "fix:k0=1\u{e9}",
        "\u{1f600}:k0=1",
        "fix:k0=\u{1f600}",
        "fix:k0= 1",
        " fix:k0=1",
        "seq:[@@@]",
        "nstep:k0=1,gamma=0.1,l=[99999999999999999999999]",
        "step:k0=1e400,gamma=0.1,l=3",
        "warmup:steps=18446744073709551615,then=fix:k0=1",
    ] {
        let _ = spec.parse::<LrSchedule>();
    }
}

#[cfg(feature = "serde")]
#[test]
fn serde_writes_and_reads_the_spec_string() {
    let schedule = parse("seq:[fix:k0=2@500,cosine:k0=0.5,T=2500]");
    let json = serde_json::to_string(&schedule).unwrap();
    assert_eq!(json, "\"seq:[fix:k0=2@500,cosine:k0=0.5,T=2500]\"");
    assert_eq!(serde_json::from_str::<LrSchedule>(&json).unwrap(), schedule);
    let error = serde_json::from_str::<LrSchedule>("\"fix:k0=0\"").unwrap_err();
    assert!(error.to_string().contains("`k0`"));
}

// ---- strategies ----

/// A positive rate, mostly ordinary, sometimes extreme.
fn rate() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => 1e-4f64..10.0,
        1 => Just(1e-300),
        1 => Just(1e300),
    ]
}

/// `(k0, k1)` with `0 ≤ k1 < k0`, `k1` often 0.
fn decay_range() -> impl Strategy<Value = (f64, f64)> {
    (rate(), prop_oneof![Just(0.0), 0.0f64..0.99]).prop_map(|(k0, share)| (k0, k0 * share))
}

fn factor() -> impl Strategy<Value = f64> {
    prop_oneof![4 => 0.01f64..1.0, 1 => Just(1.0)]
}

fn period() -> impl Strategy<Value = usize> {
    prop_oneof![8 => 1usize..200, 1 => Just(usize::MAX / 2), 1 => Just(usize::MAX)]
}

fn boundaries() -> impl Strategy<Value = Vec<usize>> {
    vec(1usize..300, 1..5).prop_map(|gaps| {
        gaps.iter()
            .scan(0, |sum, gap| {
                *sum += gap;
                Some(*sum)
            })
            .collect()
    })
}

/// The decaying policies: non-increasing in `t`.
fn decaying() -> impl Strategy<Value = LrSchedule> {
    prop_oneof![
        (decay_range(), factor(), period()).prop_map(|((k0, k1), gamma, l)| LrSchedule::from(
            StepDecay::new(k0, k1, gamma, l).unwrap()
        )),
        (decay_range(), factor(), boundaries()).prop_map(|((k0, k1), gamma, l)| {
            LrSchedule::from(MultiStepDecay::new(k0, k1, gamma, l).unwrap())
        }),
        (decay_range(), factor()).prop_map(|((k0, k1), gamma)| LrSchedule::from(
            ExponentialDecay::new(k0, k1, gamma).unwrap()
        )),
        (decay_range(), 1e-4f64..10.0, 0.1f64..4.0).prop_map(|((k0, k1), gamma, p)| {
            LrSchedule::from(InverseDecay::new(k0, k1, gamma, p).unwrap())
        }),
        (decay_range(), 0.1f64..4.0, period()).prop_map(|((k0, k1), p, l)| LrSchedule::from(
            PolynomialDecay::new(k0, k1, p, l).unwrap()
        )),
        (decay_range(), period()).prop_map(|((k0, floor), length)| {
            LrSchedule::from(CosineAnnealing::new(k0, floor, length).unwrap())
        }),
    ]
}

fn waveform() -> impl Strategy<Value = Waveform> {
    prop_oneof![
        Just(Waveform::Triangular),
        Just(Waveform::Sine),
        Just(Waveform::Cosine)
    ]
}

fn mode() -> impl Strategy<Value = CycleMode> {
    prop_oneof![
        Just(CycleMode::Rising),
        Just(CycleMode::Falling),
        Just(CycleMode::Restarting)
    ]
}

fn amplitude_decay() -> impl Strategy<Value = AmplitudeDecay> {
    prop_oneof![
        Just(AmplitudeDecay::Constant),
        Just(AmplitudeDecay::Halving),
        factor().prop_map(|gamma| AmplitudeDecay::Exponential { gamma }),
    ]
}

fn cyclic_with(
    decay: impl Strategy<Value = AmplitudeDecay>,
    l: impl Strategy<Value = usize>,
) -> impl Strategy<Value = Cyclic> {
    (waveform(), mode(), decay, rate(), rate(), l)
        .prop_map(|(w, m, d, k0, k1, l)| Cyclic::new(w, m, d, k0, k1, l).unwrap())
}

fn leaf() -> impl Strategy<Value = LrSchedule> {
    prop_oneof![
        3 => decaying(),
        1 => rate().prop_map(|k0| LrSchedule::from(Fixed::new(k0).unwrap())),
        3 => cyclic_with(amplitude_decay(), period()).prop_map(LrSchedule::from),
        1 => (decay_range(), 1usize..100, 1usize..4).prop_map(|((k0, floor), t0, mult)| {
            LrSchedule::from(WarmRestarts::new(k0, floor, t0, mult).unwrap())
        }),
        1 => (decay_range(), 1.0f64..100.0, 1usize..100, 1usize..100).prop_map(
            |((k0, floor), peak, l, tail)| {
                LrSchedule::from(OneCycle::new(k0, k0 * peak + 1e-3, l, 2 * l + tail, floor).unwrap())
            }
        ),
    ]
}

/// Any schedule, composites nested up to three deep.
fn schedule() -> impl Strategy<Value = LrSchedule> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (1usize..100, inner.clone())
                .prop_map(|(steps, then)| LrSchedule::from(Warmup::new(steps, then).unwrap())),
            (vec((inner.clone(), 1usize..100), 0..4), inner)
                .prop_map(|(timed, last)| LrSchedule::from(Sequence::new(timed, last).unwrap())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_rate_is_positive_and_finite(schedule in schedule()) {
        for t in sample_steps() {
            let rate = schedule.learning_rate(t);
            prop_assert!(rate.is_finite() && rate > 0.0, "{schedule} at t = {t}: {rate}");
        }
    }

    #[test]
    fn display_then_parse_gives_back_the_same_schedule(schedule in schedule()) {
        let spec = schedule.to_string();
        let parsed: LrSchedule = spec.parse().map_err(|e| TestCaseError::fail(format!("{spec}: {e}")))?;
        prop_assert_eq!(&parsed, &schedule);
        prop_assert_eq!(parsed.to_string(), spec);
    }

    #[test]
    fn decaying_policies_never_increase(schedule in decaying()) {
        for t in 0..400 {
            let (now, next) = (schedule.learning_rate(t), schedule.learning_rate(t + 1));
            prop_assert!(non_increasing(now, next), "{schedule}: {now} then {next} at t = {t}");
        }
        let checkpoints = [0, 1000, 1 << 20, 1 << 40, usize::MAX / 2, usize::MAX];
        for pair in checkpoints.windows(2) {
            let (early, late) = (schedule.learning_rate(pair[0]), schedule.learning_rate(pair[1]));
            prop_assert!(non_increasing(early, late), "{schedule}: t = {} vs {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn constant_amplitude_cycles_are_periodic(
        waveform in waveform(),
        mode in mode(),
        (k0, k1) in (rate(), rate()),
        l in 1usize..200,
        start in prop_oneof![0usize..1000, Just(usize::MAX / 2)],
    ) {
        let cyclic = Cyclic::new(waveform, mode, AmplitudeDecay::Constant, k0, k1, l).unwrap();
        let period = if mode == CycleMode::Restarting { l } else { 2 * l };
        for t in start..start + 2 * period {
            prop_assert_eq!(cyclic.learning_rate(t), cyclic.learning_rate(t + period), "{} at {}", cyclic, t);
        }
    }

    #[test]
    fn shrinking_amplitudes_have_non_increasing_peaks(
        waveform in waveform(),
        mode in mode(),
        decay in prop_oneof![
            Just(AmplitudeDecay::Halving),
            (0.5f64..1.0).prop_map(|gamma| AmplitudeDecay::Exponential { gamma }),
        ],
        k0 in 0.01f64..1.0,
        spread in 1.5f64..10.0,
        l in 1usize..50,
    ) {
        let k1 = k0 * spread;
        let cyclic = Cyclic::new(waveform, mode, decay, k0, k1, l).unwrap();
        let peak_step = |cycle: usize| match mode {
            CycleMode::Rising => l + 2 * l * cycle,
            CycleMode::Falling => 2 * l * cycle,
            CycleMode::Restarting => l * cycle,
        };
        let peaks: Vec<f64> = (0..8).map(|cycle| cyclic.learning_rate(peak_step(cycle))).collect();
        prop_assert!(peaks.windows(2).all(|pair| non_increasing(pair[0], pair[1])), "{}: {:?}", cyclic, peaks);
        prop_assert!(peaks[7] < peaks[0]);
        for t in 0..peak_step(8) {
            let rate = cyclic.learning_rate(t);
            prop_assert!(rate >= k0 && non_increasing(k1, rate), "{} at {}: {}", cyclic, t, rate);
        }
    }

    #[test]
    fn sgdr_anneals_within_each_cycle_and_restarts_at_k0(
        (k0, floor) in decay_range(),
        first_period in 1usize..50,
        multiplier in 1usize..4,
    ) {
        let sgdr = WarmRestarts::new(k0, floor, first_period, multiplier).unwrap();
        let mut start = 0;
        let mut period = first_period;
        for _ in 0..5 {
            prop_assert_eq!(sgdr.learning_rate(start), k0);
            for t in start..start + period - 1 {
                prop_assert!(non_increasing(sgdr.learning_rate(t), sgdr.learning_rate(t + 1)));
            }
            start += period;
            period *= multiplier;
        }
    }

    #[test]
    fn matched_pieces_join_continuously(
        k0 in 0.1f64..10.0,
        shares in (0.1f64..0.9, 0.0f64..0.9),
        first in 1usize..300,
        second in 1usize..300,
    ) {
        let seam = k0 * shares.0;
        let after = CosineAnnealing::new(seam, seam * shares.1, second).unwrap();
        let before = CosineAnnealing::new(k0, seam, first).unwrap();
        let sequence = Sequence::new(vec![(before.into(), first)], after.into()).unwrap();
        for t in 0..first {
            prop_assert_eq!(sequence.learning_rate(t), before.learning_rate(t));
        }
        // The second piece starts where the first one would have gone next: the seam value.
        prop_assert_eq!(sequence.learning_rate(first), before.learning_rate(first));
        prop_assert_eq!(sequence.learning_rate(first), seam);
        for t in first..first + second + 10 {
            prop_assert_eq!(sequence.learning_rate(t), after.learning_rate(t - first));
            prop_assert!(non_increasing(sequence.learning_rate(t - 1), sequence.learning_rate(t)));
        }
    }

    #[test]
    fn warmup_ramps_linearly_to_the_first_rate(then in leaf(), steps in 1usize..300) {
        let target = then.learning_rate(0);
        let warmup = Warmup::new(steps, then.clone()).unwrap();
        let increment = target / (steps as f64 + 1.0);
        for t in 0..steps {
            let expected = (increment * (t as f64 + 1.0)).max(LEARNING_RATE_FLOOR);
            let rate = warmup.learning_rate(t);
            prop_assert!((rate - expected).abs() <= 1e-12 * target, "t = {}: {} vs {}", t, rate, expected);
        }
        for t in steps..steps + 50 {
            prop_assert_eq!(warmup.learning_rate(t), then.learning_rate(t - steps));
        }
    }

    #[test]
    fn parsing_any_text_returns_without_panicking(text in "[a-z0-9TM:=,@.\\[\\]-]{0,80}") {
        let _ = text.parse::<LrSchedule>();
    }

    #[test]
    fn parsing_a_damaged_spec_returns_without_panicking(
        schedule in schedule(),
        cut in any::<prop::sample::Index>(),
        byte in prop::sample::select(b":=,@[]0-x".to_vec()),
    ) {
        let spec = schedule.to_string();
        let at = cut.index(spec.len());
        let _ = spec[..at].parse::<LrSchedule>();
        let mut damaged = spec.into_bytes();
        damaged[at] = byte;
        let _ = String::from_utf8(damaged).unwrap().parse::<LrSchedule>();
    }
}

/// `η_t = 1 + (t mod 7)`: peaks at step 6.
struct Sawtooth;

impl Schedule for Sawtooth {
    fn learning_rate(&self, t: usize) -> f64 {
        1.0 + (t % 7) as f64
    }

    fn horizon(&self) -> Option<usize> {
        None
    }
}

#[test]
fn peak_learning_rate_is_the_largest_step_taken() {
    assert_eq!(Sawtooth.peak_learning_rate(0), 1.0);
    assert_eq!(Sawtooth.peak_learning_rate(1), 1.0);
    assert_eq!(Sawtooth.peak_learning_rate(6), 6.0);
    assert_eq!(Sawtooth.peak_learning_rate(7), 7.0);
    assert_eq!(Sawtooth.peak_learning_rate(100), 7.0);
    assert_eq!(0.25f64.peak_learning_rate(10), 0.25);
}
