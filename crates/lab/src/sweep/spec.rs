//! The grid of a sweep: which learning-rate factors, widths and seeds it runs, how each grid
//! point becomes a [`RunConfig`], and which slice of the grid a shard takes.
//!
//! The parsers here read the values of the `catapult sweep` flags, and their errors name
//! the flag (`--lr-factors`, `--widths`, `--seeds`, `--shard`).

use crate::{LearningRate, RunConfig};
use std::fmt;
use std::str::FromStr;

/// A flag value that does not describe a grid or a shard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag} `{value}`: {problem}")]
pub struct SpecError {
    /// The `catapult sweep` flag the value belongs to, e.g. `--lr-factors`.
    pub flag: &'static str,
    /// The value as given.
    pub value: String,
    /// What is wrong with it.
    pub problem: String,
}

impl SpecError {
    fn new(flag: &'static str, value: &str, problem: impl Into<String>) -> Self {
        Self {
            flag,
            value: value.to_string(),
            problem: problem.into(),
        }
    }
}

const LR_FACTORS: &str = "--lr-factors";
const WIDTHS: &str = "--widths";
const SEEDS: &str = "--seeds";
const SHARD: &str = "--shard";

/// Parses `--lr-factors`: either `START:STOP:COUNT`, meaning COUNT values geometrically
/// spaced from START to STOP inclusive (`f_i = START·(STOP/START)^(i/(COUNT−1))`, so
/// consecutive values have a constant ratio), or a comma list such as `0.5,1,2`.
///
/// Every factor must be finite and > 0, and no factor may repeat; START:STOP:COUNT needs
/// START ≤ STOP, COUNT ≥ 1, and START = STOP exactly when COUNT = 1.
///
/// ```
/// use catapult_lab::sweep::parse_lr_factors;
/// assert_eq!(parse_lr_factors("1:100:3").unwrap(), vec![1.0, 10.0, 100.0]);
/// assert_eq!(parse_lr_factors("0.5,3,4.5").unwrap(), vec![0.5, 3.0, 4.5]);
/// let error = parse_lr_factors("0.5:20:0").unwrap_err().to_string();
/// assert_eq!(error, "--lr-factors `0.5:20:0`: COUNT must be at least 1");
/// ```
pub fn parse_lr_factors(text: &str) -> Result<Vec<f64>, SpecError> {
    let error = |problem: String| SpecError::new(LR_FACTORS, text, problem);
    let values = if text.contains(':') {
        geometric_from_text(text).map_err(error)?
    } else {
        comma_list(text, "a number").map_err(error)?
    };
    check_factors(&values).map_err(error)?;
    Ok(values)
}

/// Parses `--widths`: a comma list of hidden widths ≥ 1, none repeated.
///
/// ```
/// use catapult_lab::sweep::parse_widths;
/// assert_eq!(parse_widths("64,256").unwrap(), vec![64, 256]);
/// assert!(parse_widths("64,0").is_err());
/// ```
pub fn parse_widths(text: &str) -> Result<Vec<usize>, SpecError> {
    let error = |problem: String| SpecError::new(WIDTHS, text, problem);
    let values = comma_list(text, "a whole number").map_err(error)?;
    check_widths(&values).map_err(error)?;
    Ok(values)
}

/// Parses `--seeds`: `A..B` (A included, B excluded, A < B) or a comma list, none repeated.
///
/// ```
/// use catapult_lab::sweep::parse_seeds;
/// assert_eq!(parse_seeds("0..3").unwrap(), vec![0, 1, 2]);
/// assert_eq!(parse_seeds("7,3").unwrap(), vec![7, 3]);
/// assert!(parse_seeds("3..3").is_err());
/// ```
pub fn parse_seeds(text: &str) -> Result<Vec<u64>, SpecError> {
    let error = |problem: String| SpecError::new(SEEDS, text, problem);
    let values = match text.split_once("..") {
        Some((start, end)) => seed_range(start, end).map_err(error)?,
        None => comma_list(text, "a whole number").map_err(error)?,
    };
    check_seeds(&values).map_err(error)?;
    Ok(values)
}

fn geometric_from_text(text: &str) -> Result<Vec<f64>, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let [start, stop, count] = parts[..] else {
        return Err("expected START:STOP:COUNT or a comma list".into());
    };
    let start = number::<f64>(start, "START", "a number")?;
    let stop = number::<f64>(stop, "STOP", "a number")?;
    let count = number::<usize>(count, "COUNT", "a whole number")?;
    geometric(start, stop, count)
}

/// `count` values from `start` to `stop` inclusive with a constant ratio; both end points
/// are exact.
fn geometric(start: f64, stop: f64, count: usize) -> Result<Vec<f64>, String> {
    if !(start.is_finite() && start > 0.0) {
        return Err(format!("START must be finite and > 0, got {start}"));
    }
    if !stop.is_finite() {
        return Err(format!("STOP must be finite, got {stop}"));
    }
    if stop < start {
        return Err(format!("STOP {stop} is below START {start}"));
    }
    match count {
        0 => Err("COUNT must be at least 1".into()),
        1 if start != stop => Err("COUNT 1 cannot hold both START and STOP".into()),
        1 => Ok(vec![start]),
        _ if start == stop => Err(format!("START = STOP gives {count} equal values")),
        _ => {
            let ratio = stop / start;
            let last = (count - 1) as f64;
            let mut values: Vec<f64> = (0..count)
                .map(|i| start * ratio.powf(i as f64 / last))
                .collect();
            values[0] = start;
            values[count - 1] = stop;
            Ok(values)
        }
    }
}

fn seed_range(start: &str, end: &str) -> Result<Vec<u64>, String> {
    let start = number::<u64>(start, "A", "a whole number")?;
    let end = number::<u64>(end, "B", "a whole number")?;
    if end <= start {
        return Err(format!(
            "the range {start}..{end} is empty (B is excluded and must exceed A)"
        ));
    }
    Ok((start..end).collect())
}

fn comma_list<T: FromStr>(text: &str, kind: &str) -> Result<Vec<T>, String> {
    if text.trim().is_empty() {
        return Err("the list is empty".into());
    }
    text.split(',')
        .map(|item| match item.trim() {
            "" => Err("the list has an empty entry".to_string()),
            item => item.parse().map_err(|_| format!("`{item}` is not {kind}")),
        })
        .collect()
}

fn number<T: FromStr>(text: &str, name: &str, kind: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{name} `{}` is not {kind}", text.trim()))
}

fn check_factors(values: &[f64]) -> Result<(), String> {
    if let Some(bad) = values.iter().find(|f| !(f.is_finite() && **f > 0.0)) {
        return Err(format!("every factor must be finite and > 0, got {bad}"));
    }
    // Distinct bits give distinct file names (see `RunKey::file_name`).
    check_distinct(values, |f| f.to_bits())
}

fn check_widths(values: &[usize]) -> Result<(), String> {
    if values.contains(&0) {
        return Err("every width must be at least 1, got 0".into());
    }
    check_distinct(values, |w| *w)
}

fn check_seeds(values: &[u64]) -> Result<(), String> {
    check_distinct(values, |s| *s)
}

fn check_distinct<T: fmt::Display, K: Ord>(
    values: &[T],
    key: impl Fn(&T) -> K,
) -> Result<(), String> {
    if values.is_empty() {
        return Err("the list is empty".into());
    }
    let mut seen = std::collections::BTreeSet::new();
    match values.iter().find(|v| !seen.insert(key(v))) {
        Some(repeated) => Err(format!("{repeated} appears more than once")),
        None => Ok(()),
    }
}

/// One point of the grid: the three values a sweep replaces in the base config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunKey {
    /// Hidden width.
    pub width: usize,
    /// The step size as a multiple of `1/λ0` (`LearningRate::Factor`).
    pub lr_factor: f64,
    /// Initialisation seed.
    pub seed: u64,
}

impl RunKey {
    /// The record's file name, `w{width}-f{factor}-s{seed}.json`, with the factor in Rust's
    /// shortest round-trip scientific notation: factors that differ in any bit get distinct names,
    /// and the same factor always gets the same name.
    ///
    /// ```
    /// use catapult_lab::sweep::RunKey;
    /// let key = RunKey { width: 1024, lr_factor: 3.25, seed: 2 };
    /// assert_eq!(key.file_name(), "w1024-f3.25e0-s2.json");
    /// let key = RunKey { width: 64, lr_factor: 0.5, seed: 0 };
    /// assert_eq!(key.file_name(), "w64-f5e-1-s0.json");
    /// ```
    pub fn file_name(&self) -> String {
        format!("w{}-f{:e}-s{}.json", self.width, self.lr_factor, self.seed)
    }

    /// The base config with its learning rate, width and seed replaced by this key's.
    pub fn apply(&self, base: &RunConfig) -> RunConfig {
        let mut config = base.clone();
        config.lr = LearningRate::Factor(self.lr_factor);
        config.model.set_width(self.width);
        config.seed = self.seed;
        config
    }

    /// The key of a config whose learning rate is a factor; `None` for an absolute one.
    pub fn of(config: &RunConfig) -> Option<RunKey> {
        let LearningRate::Factor(lr_factor) = config.lr else {
            return None;
        };
        Some(RunKey {
            width: config.model.width(),
            lr_factor,
            seed: config.seed,
        })
    }
}

impl fmt::Display for RunKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "width {}, lr factor {}, seed {}",
            self.width, self.lr_factor, self.seed
        )
    }
}

/// Every combination of learning-rate factor, width and seed, applied to a base config.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepSpec {
    base: RunConfig,
    lr_factors: Vec<f64>,
    widths: Vec<usize>,
    seeds: Vec<u64>,
}

impl SweepSpec {
    /// Checks the lists (non-empty, no repeats, factors finite and > 0, widths ≥ 1); the
    /// errors name the matching `catapult sweep` flag.
    ///
    /// ```
    /// use catapult_lab::RunConfig;
    /// use catapult_lab::sweep::SweepSpec;
    /// let base = RunConfig::from_json(r#"{
    ///     "data": {"kind": "degenerate", "a": [1.0, 2.0], "y": [1.0, -1.0], "dim": 3},
    ///     "model": {"kind": "two-layer-linear", "width": 8},
    ///     "loss": "squared", "lr": {"value": 0.1}, "steps": 10
    /// }"#).unwrap();
    /// let spec = SweepSpec::new(base, vec![0.5, 2.0], vec![16, 32], vec![0, 1, 2]).unwrap();
    /// assert_eq!(spec.len(), 12);
    /// assert_eq!(spec.runs()[1].seed, 1);
    /// ```
    pub fn new(
        base: RunConfig,
        lr_factors: Vec<f64>,
        widths: Vec<usize>,
        seeds: Vec<u64>,
    ) -> Result<Self, SpecError> {
        let listed = |values: String| format!("[{values}]");
        check_factors(&lr_factors)
            .map_err(|p| SpecError::new(LR_FACTORS, &listed(join(&lr_factors)), p))?;
        check_widths(&widths).map_err(|p| SpecError::new(WIDTHS, &listed(join(&widths)), p))?;
        check_seeds(&seeds).map_err(|p| SpecError::new(SEEDS, &listed(join(&seeds)), p))?;
        Ok(Self {
            base,
            lr_factors,
            widths,
            seeds,
        })
    }

    /// The base config.
    pub fn base(&self) -> &RunConfig {
        &self.base
    }

    /// The learning-rate factors, in the order given.
    pub fn lr_factors(&self) -> &[f64] {
        &self.lr_factors
    }

    /// The widths, in the order given.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// The seeds, in the order given.
    pub fn seeds(&self) -> &[u64] {
        &self.seeds
    }

    /// Number of runs in the grid.
    pub fn len(&self) -> usize {
        self.widths.len() * self.lr_factors.len() * self.seeds.len()
    }

    /// Never true: a spec holds at least one value per axis.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The grid points in the fixed order: widths outermost, then factors, then seeds
    /// (innermost), each axis in the order given. A run's position here is its grid index.
    pub fn keys(&self) -> Vec<RunKey> {
        let mut keys = Vec::with_capacity(self.len());
        for &width in &self.widths {
            for &lr_factor in &self.lr_factors {
                for &seed in &self.seeds {
                    keys.push(RunKey {
                        width,
                        lr_factor,
                        seed,
                    });
                }
            }
        }
        keys
    }

    /// The run configs in the order of [`SweepSpec::keys`].
    pub fn runs(&self) -> Vec<RunConfig> {
        self.keys().iter().map(|k| k.apply(&self.base)).collect()
    }

    /// The grid points that belong to `shard`, with their grid indices, in grid order.
    pub fn shard_keys(&self, shard: Shard) -> Vec<(usize, RunKey)> {
        self.keys()
            .into_iter()
            .enumerate()
            .filter(|(index, _)| shard.owns(*index))
            .collect()
    }
}

fn join<T: fmt::Display>(values: &[T]) -> String {
    let items: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    items.join(",")
}

/// Slice `index` of `count` (0-based): the runs whose grid index `k` has
/// `k mod count == index`. The `count` shards of a grid are disjoint and cover it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// The whole grid (`0/1`).
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Shard `index` of `count`; needs `count ≥ 1` and `index < count`.
    ///
    /// ```
    /// use catapult_lab::sweep::Shard;
    /// let shard = Shard::new(1, 3).unwrap();
    /// assert!(shard.owns(4) && !shard.owns(5));
    /// assert_eq!("1/3".parse::<Shard>().unwrap(), shard);
    /// assert!(Shard::new(3, 3).is_err());
    /// ```
    pub fn new(index: usize, count: usize) -> Result<Self, SpecError> {
        let value = format!("{index}/{count}");
        if count == 0 {
            return Err(SpecError::new(SHARD, &value, "N must be at least 1"));
        }
        if index >= count {
            return Err(SpecError::new(
                SHARD,
                &value,
                format!("the index must be below {count} (shards are numbered from 0)"),
            ));
        }
        Ok(Self { index, count })
    }

    /// The 0-based shard index.
    pub fn index(self) -> usize {
        self.index
    }

    /// The number of shards.
    pub fn count(self) -> usize {
        self.count
    }

    /// Whether the run with grid index `k` belongs to this shard.
    pub fn owns(self, k: usize) -> bool {
        k % self.count == self.index
    }
}

impl FromStr for Shard {
    type Err = SpecError;

    /// Parses `I/N`.
    fn from_str(text: &str) -> Result<Self, SpecError> {
        let error = |problem: String| SpecError::new(SHARD, text, problem);
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| error("expected I/N, e.g. 0/4".into()))?;
        let index = number::<usize>(index, "I", "a whole number").map_err(error)?;
        let count = number::<usize>(count, "N", "a whole number").map_err(error)?;
        Shard::new(index, count).map_err(|e| error(e.problem))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> RunConfig {
        RunConfig::from_json(
            r#"{"data": {"kind": "degenerate", "a": [1.0, 2.0], "y": [1.0, -1.0], "dim": 3},
            "model": {"kind": "two-layer-linear", "width": 8}, "loss": "squared", "seed": 9,
            "lr": {"value": 0.1}, "steps": 10}"#,
        )
        .unwrap()
    }

    #[test]
    fn geometric_factors_are_evenly_spaced_in_log_with_exact_ends() {
        let values = parse_lr_factors("0.5:20:40").unwrap();
        assert_eq!(values.len(), 40);
        assert_eq!((values[0], values[39]), (0.5, 20.0));
        let ratio = (20.0f64 / 0.5).powf(1.0 / 39.0);
        for pair in values.windows(2) {
            assert!((pair[1] / pair[0] - ratio).abs() < 1e-12, "{pair:?}");
        }
        assert_eq!(parse_lr_factors("2:8:3").unwrap(), vec![2.0, 4.0, 8.0]);
        assert_eq!(parse_lr_factors(" 3 : 3 : 1 ").unwrap(), vec![3.0]);
    }

    #[test]
    fn good_lists_parse_in_the_order_given() {
        assert_eq!(
            parse_lr_factors("2,0.5,1e-3").unwrap(),
            vec![2.0, 0.5, 1e-3]
        );
        assert_eq!(parse_lr_factors("4.5").unwrap(), vec![4.5]);
        assert_eq!(parse_widths("4096, 64").unwrap(), vec![4096, 64]);
        assert_eq!(parse_seeds("0..5").unwrap(), vec![0, 1, 2, 3, 4]);
        assert_eq!(parse_seeds("3..4").unwrap(), vec![3]);
        assert_eq!(parse_seeds("9,2,5").unwrap(), vec![9, 2, 5]);
    }

    #[test]
    fn bad_specs_name_the_flag_and_the_problem() {
        type Parser = fn(&str) -> Result<(), SpecError>;
        let factors: Parser = |t| parse_lr_factors(t).map(drop);
        let widths: Parser = |t| parse_widths(t).map(drop);
        let seeds: Parser = |t| parse_seeds(t).map(drop);
        let shard: Parser = |t| t.parse::<Shard>().map(drop);
        let cases: [(Parser, &str, &str, &str); 27] = [
            (
                factors,
                "0.5:20:0",
                "--lr-factors",
                "COUNT must be at least 1",
            ),
            (
                factors,
                "0:20:5",
                "--lr-factors",
                "START must be finite and > 0",
            ),
            (
                factors,
                "-1:20:5",
                "--lr-factors",
                "START must be finite and > 0",
            ),
            (
                factors,
                "20:0.5:5",
                "--lr-factors",
                "STOP 0.5 is below START 20",
            ),
            (
                factors,
                "0.5:20:x",
                "--lr-factors",
                "COUNT `x` is not a whole number",
            ),
            (
                factors,
                "0.5:20:2.5",
                "--lr-factors",
                "COUNT `2.5` is not a whole number",
            ),
            (
                factors,
                "a:20:5",
                "--lr-factors",
                "START `a` is not a number",
            ),
            (factors, "0.5:inf:5", "--lr-factors", "STOP must be finite"),
            (
                factors,
                "0.5:20",
                "--lr-factors",
                "expected START:STOP:COUNT",
            ),
            (
                factors,
                "0.5:20:3:4",
                "--lr-factors",
                "expected START:STOP:COUNT",
            ),
            (factors, "1:2:1", "--lr-factors", "COUNT 1 cannot hold both"),
            (factors, "2:2:3", "--lr-factors", "3 equal values"),
            (factors, "", "--lr-factors", "the list is empty"),
            (factors, "1,,2", "--lr-factors", "empty entry"),
            (factors, "1,two", "--lr-factors", "`two` is not a number"),
            (factors, "1,0", "--lr-factors", "finite and > 0, got 0"),
            (factors, "1,NaN", "--lr-factors", "finite and > 0, got NaN"),
            (
                factors,
                "1,2,1.0",
                "--lr-factors",
                "1 appears more than once",
            ),
            (widths, "64,0", "--widths", "at least 1, got 0"),
            (widths, "64,-1", "--widths", "`-1` is not a whole number"),
            (widths, " ", "--widths", "the list is empty"),
            (widths, "64,64", "--widths", "64 appears more than once"),
            (seeds, "5..2", "--seeds", "the range 5..2 is empty"),
            (seeds, "0..x", "--seeds", "B `x` is not a whole number"),
            (seeds, "1,1", "--seeds", "1 appears more than once"),
            (shard, "3/3", "--shard", "the index must be below 3"),
            (shard, "0/0", "--shard", "N must be at least 1"),
        ];
        for (parse, text, flag, problem) in cases {
            let error = parse(text).expect_err(text);
            assert_eq!(error.flag, flag, "{text}");
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("{flag} `{text}`: ")) && message.contains(problem),
                "{text}: {message}"
            );
        }
        for text in ["1", "1-3", "a/3", "1/b", "/", "-1/3"] {
            let error = text.parse::<Shard>().unwrap_err();
            assert_eq!(error.flag, "--shard", "{text}");
        }
    }

    #[test]
    fn spec_new_rejects_bad_lists_naming_the_flag() {
        let new = |f: Vec<f64>, w: Vec<usize>, s: Vec<u64>| SweepSpec::new(base(), f, w, s);
        assert_eq!(
            new(vec![], vec![8], vec![0]).unwrap_err().flag,
            "--lr-factors"
        );
        assert_eq!(
            new(vec![-1.0], vec![8], vec![0]).unwrap_err().flag,
            "--lr-factors"
        );
        assert_eq!(
            new(vec![1.0], vec![0], vec![0]).unwrap_err().flag,
            "--widths"
        );
        assert_eq!(new(vec![1.0], vec![8], vec![]).unwrap_err().flag, "--seeds");
        let error = new(vec![1.0], vec![8], vec![2, 2]).unwrap_err().to_string();
        assert_eq!(error, "--seeds `[2,2]`: 2 appears more than once");
    }

    #[test]
    fn runs_cover_every_combination_in_a_fixed_order() {
        let spec = SweepSpec::new(base(), vec![0.5, 2.0], vec![16, 4], vec![7, 1, 3]).unwrap();
        let keys = spec.keys();
        assert_eq!(keys.len(), 12);
        assert_eq!(spec.len(), 12);
        let triple = |k: &RunKey| (k.width, k.lr_factor, k.seed);
        assert_eq!(triple(&keys[0]), (16, 0.5, 7));
        assert_eq!(triple(&keys[1]), (16, 0.5, 1));
        assert_eq!(triple(&keys[3]), (16, 2.0, 7));
        assert_eq!(triple(&keys[6]), (4, 0.5, 7));
        assert_eq!(triple(&keys[11]), (4, 2.0, 3));
        let runs = spec.runs();
        for (key, run) in keys.iter().zip(&runs) {
            assert_eq!(RunKey::of(run), Some(*key));
            assert_eq!(run.steps, 10);
            assert_eq!(run.data, base().data);
        }
        let names: std::collections::BTreeSet<String> =
            keys.iter().map(RunKey::file_name).collect();
        assert_eq!(names.len(), 12);
        assert_eq!(RunKey::of(&base()), None);
    }

    #[test]
    fn file_names_tell_close_factors_apart() {
        let key = |lr_factor| RunKey {
            width: 64,
            lr_factor,
            seed: 0,
        };
        let close = [1.2345, 1.2346, 1.23451, 1.0, 1.0 + f64::EPSILON];
        let names: std::collections::BTreeSet<String> =
            close.iter().map(|f| key(*f).file_name()).collect();
        assert_eq!(names.len(), close.len(), "{names:?}");
        assert_eq!(key(1.2345).file_name(), "w64-f1.2345e0-s0.json");
        assert_eq!(key(20.0).file_name(), "w64-f2e1-s0.json");
        // Geometric grids: every value gets its own name.
        let values = parse_lr_factors("1:1.0001:50").unwrap();
        let names: std::collections::BTreeSet<String> =
            values.iter().map(|f| key(*f).file_name()).collect();
        assert_eq!(names.len(), 50);
    }

    #[test]
    fn shards_are_disjoint_and_cover_the_grid() {
        let spec =
            SweepSpec::new(base(), vec![0.5, 1.0, 2.0], vec![4, 8], vec![0, 1, 2, 3, 4]).unwrap();
        let total = spec.len();
        for count in 1..=(total + 2) {
            let mut owners = vec![0usize; total];
            for index in 0..count {
                let shard = Shard::new(index, count).unwrap();
                let keys = spec.shard_keys(shard);
                // Balanced to within one run.
                assert!(keys.len().abs_diff(total / count) <= 1);
                for (k, key) in keys {
                    owners[k] += 1;
                    assert_eq!(key, spec.keys()[k]);
                }
            }
            assert!(owners.iter().all(|&n| n == 1), "count {count}: {owners:?}");
        }
        assert_eq!(spec.shard_keys(Shard::ALL).len(), total);
        assert_eq!(Shard::new(2, 5).unwrap().to_string(), "2/5");
    }
}
