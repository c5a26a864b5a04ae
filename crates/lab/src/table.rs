//! One table from many run records: a row per run, sorted, written as CSV.

use crate::sweep::is_temp_file_name;
use crate::{LearningRate, Phase, RunRecord};
use catapult_losses::Loss;
use catapult_theory::PhaseCriterion;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The tolerance of the `steps_to_converge` column (see [`RunRecord::steps_to_converge`]).
pub const CONVERGENCE_TOL: f64 = 1e-6;

/// Why a directory of records could not be turned into a table.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The directory could not be listed.
    #[error("listing {}: {source}", path.display())]
    ListDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file in the directory is not a run record.
    #[error("{} is not a run record: {problem}", path.display())]
    NotARecord {
        /// The file.
        path: PathBuf,
        /// Why not.
        problem: String,
    },
    /// The directory holds no records.
    #[error("{} holds no run records", path.display())]
    NoRecords {
        /// The directory.
        path: PathBuf,
    },
    /// Writing the CSV failed.
    #[error("writing the table: {0}")]
    Csv(#[from] csv::Error),
}

/// One row of the table; the CSV columns are the field names, in this order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRow {
    /// The loss (`logistic`, `exponential`, `squared`).
    pub loss: Loss,
    /// `η·λ0`: the config's factor, or `eta·lambda0` for a run given an absolute rate.
    pub lr_factor: f64,
    /// Hidden width.
    pub width: usize,
    /// Initialisation seed.
    pub seed: u64,
    /// The step size used.
    pub eta: f64,
    /// Top eigenvalue of Θ/n at initialisation.
    pub lambda0: f64,
    /// Sharpness at initialisation.
    pub sharpness0: f64,
    /// Last observed loss.
    pub final_loss: f64,
    /// Last observed sharpness.
    pub final_sharpness: f64,
    /// Last observed top eigenvalue of Θ/n.
    pub final_ntk_top: f64,
    /// Whether the run diverged.
    pub diverged: bool,
    /// The phase (`lazy`, `catapult`, `divergent`).
    pub phase: Phase,
    /// The criterion of the phase rule that decided it (`blow-up`, `still-growing`,
    /// `loss-rose`, `curvature-fell`, `descended`); empty for older records.
    pub phase_criterion: Option<PhaseCriterion>,
    /// [`RunRecord::steps_to_converge`] with [`CONVERGENCE_TOL`]; empty when diverged.
    pub steps_to_converge: Option<usize>,
}

impl TableRow {
    /// The row of one record.
    pub fn from_record(record: &RunRecord) -> Self {
        let config = &record.config;
        let lr_factor = match config.lr {
            LearningRate::Factor(factor) => factor,
            _ => record.eta * record.lambda0,
        };
        TableRow {
            loss: config.loss,
            lr_factor,
            width: config.model.width(),
            seed: config.seed,
            eta: record.eta,
            lambda0: record.lambda0,
            sharpness0: record.sharpness0,
            final_loss: record.final_state.loss,
            final_sharpness: record.final_state.sharpness,
            final_ntk_top: record.final_state.ntk_top,
            diverged: record.final_state.diverged,
            phase: record.phase,
            phase_criterion: record.phase_criterion,
            steps_to_converge: record.steps_to_converge(CONVERGENCE_TOL),
        }
    }
}

/// Sorts rows by loss name, width, learning-rate factor and seed. The sort is stable, so
/// rows equal in all four keep their order.
pub fn sort_rows(rows: &mut [TableRow]) {
    rows.sort_by(|a, b| {
        a.loss
            .name()
            .cmp(b.loss.name())
            .then(a.width.cmp(&b.width))
            .then(a.lr_factor.total_cmp(&b.lr_factor))
            .then(a.seed.cmp(&b.seed))
    });
}

/// Reads every record in `dir`, in file-name order. Temporary files of the sweep writer are
/// skipped; any other entry that is not a JSON run record (another JSON document, a
/// half-written record, a text file, a directory) is an error naming it.
pub fn read_records(dir: &Path) -> Result<Vec<(PathBuf, RunRecord)>, TableError> {
    let list_error = |source| TableError::ListDir {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(list_error)? {
        let entry = entry.map_err(list_error)?;
        if !is_temp_file_name(&entry.file_name().to_string_lossy()) {
            paths.push(entry.path());
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| read_record(&path).map(|record| (path, record)))
        .collect()
}

fn read_record(path: &Path) -> Result<RunRecord, TableError> {
    if path.is_dir() {
        return Err(TableError::NotARecord {
            path: path.to_path_buf(),
            problem: "it is a directory".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| TableError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| TableError::NotARecord {
        path: path.to_path_buf(),
        problem: e.to_string(),
    })
}

/// The most common phase of each `(η·λ0, width)` cell over its seeds, as
/// `(lr_factor, width, phase)` sorted by factor then width; a tie goes to the more unstable
/// phase (divergent over catapult over lazy).
pub fn majority_phases(rows: &[TableRow]) -> Vec<(f64, usize, Phase)> {
    const ORDER: [Phase; 3] = [Phase::Lazy, Phase::Catapult, Phase::Divergent];
    let mut counts: BTreeMap<(u64, usize), [usize; 3]> = BTreeMap::new();
    for row in rows {
        let slot = ORDER.iter().position(|p| *p == row.phase).unwrap_or(0);
        counts
            .entry((row.lr_factor.to_bits(), row.width))
            .or_default()[slot] += 1;
    }
    let mut cells: Vec<(f64, usize, Phase)> = counts
        .into_iter()
        .map(|((factor, width), count)| {
            // `max_by_key` returns the last of equal maxima: the more unstable phase.
            let most = (0..3).max_by_key(|&i| count[i]).unwrap_or(0);
            (f64::from_bits(factor), width, ORDER[most])
        })
        .collect();
    cells.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    cells
}

/// The sorted rows of every record in `dir` (see [`read_records`], [`sort_rows`]); an error
/// if there are none.
pub fn merge_dir(dir: &Path) -> Result<Vec<TableRow>, TableError> {
    let records = read_records(dir)?;
    if records.is_empty() {
        return Err(TableError::NoRecords {
            path: dir.to_path_buf(),
        });
    }
    let mut rows: Vec<TableRow> = records
        .iter()
        .map(|(_, record)| TableRow::from_record(record))
        .collect();
    sort_rows(&mut rows);
    Ok(rows)
}

/// Writes a header line and one CSV line per row. Numbers are written in their shortest
/// round-trip form, so the same rows always give the same bytes.
///
/// ```
/// use catapult_lab::table::write_csv;
/// let mut out = Vec::new();
/// write_csv(&[], &mut out).unwrap();
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "loss,lr_factor,width,seed,eta,lambda0,sharpness0,final_loss,final_sharpness,\
///      final_ntk_top,diverged,phase,phase_criterion,steps_to_converge\n"
/// );
/// ```
pub fn write_csv(rows: &[TableRow], out: impl std::io::Write) -> Result<(), TableError> {
    let mut writer = csv::Writer::from_writer(out);
    if rows.is_empty() {
        writer.write_record(COLUMNS)?;
    }
    for row in rows {
        writer.serialize(row)?;
    }
    writer.flush().map_err(csv::Error::from)?;
    Ok(())
}

/// The CSV columns, in order.
pub const COLUMNS: [&str; 14] = [
    "loss",
    "lr_factor",
    "width",
    "seed",
    "eta",
    "lambda0",
    "sharpness0",
    "final_loss",
    "final_sharpness",
    "final_ntk_top",
    "diverged",
    "phase",
    "phase_criterion",
    "steps_to_converge",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FinalState, RunConfig, Trace};

    fn record(loss: Loss, width: usize, factor: f64, seed: u64) -> RunRecord {
        let mut config = RunConfig::from_json(
            r#"{"data": {"kind": "degenerate", "a": [1.0], "y": [1.0], "dim": 1},
            "model": {"kind": "two-layer-linear", "width": 1}, "loss": "squared",
            "lr": {"factor": 1.0}, "steps": 40}"#,
        )
        .unwrap();
        config.loss = loss;
        config.model = crate::ModelConfig::TwoLayerLinear { width };
        config.lr = LearningRate::Factor(factor);
        config.seed = seed;
        RunRecord {
            config,
            eta: factor / 2.0,
            lambda0: 2.0,
            sharpness0: 3.0,
            trace: Trace {
                step: vec![0, 10, 20, 30, 40],
                loss: vec![5.0, 1.0, 1.0, 1.0, 1.0],
                ..Trace::default()
            },
            final_state: FinalState {
                loss: 1.0,
                accuracy: 1.0,
                ntk_top: 0.25,
                sharpness: 0.125,
                diverged: false,
            },
            phase: Phase::Lazy,
            phase_criterion: None,
        }
    }

    #[test]
    fn majority_phase_per_cell_and_ties_go_to_the_more_unstable_phase() {
        let row = |width, factor, seed, phase| {
            let mut r = record(Loss::Squared, width, factor, seed);
            r.phase = phase;
            TableRow::from_record(&r)
        };
        let rows = [
            row(8, 3.0, 0, Phase::Lazy),
            row(8, 3.0, 1, Phase::Catapult),
            row(8, 1.0, 0, Phase::Lazy),
            row(8, 1.0, 1, Phase::Lazy),
            row(8, 1.0, 2, Phase::Divergent),
            row(4, 3.0, 0, Phase::Divergent),
        ];
        assert_eq!(
            majority_phases(&rows),
            [
                (1.0, 8, Phase::Lazy),
                (3.0, 4, Phase::Divergent),
                (3.0, 8, Phase::Catapult),
            ]
        );
    }

    fn with_losses(step: Vec<usize>, loss: Vec<f64>, diverged: bool) -> RunRecord {
        let mut r = record(Loss::Squared, 1, 1.0, 0);
        r.final_state.loss = loss.last().copied().unwrap_or(0.0);
        r.final_state.diverged = diverged;
        r.trace = Trace {
            step,
            loss,
            ..Trace::default()
        };
        r
    }

    #[test]
    fn steps_to_converge_is_the_first_step_of_the_final_band() {
        let steps = vec![0, 10, 20, 30, 40];
        let at =
            |loss: Vec<f64>, tol| with_losses(steps.clone(), loss, false).steps_to_converge(tol);
        // Inside the band at step 10, out at 20 (a catapult spike), inside from 30 on.
        assert_eq!(
            at(vec![5.0, 1.0 + 5e-7, 9.0, 1.0 - 9e-7, 1.0], 1e-6),
            Some(30)
        );
        // The band edge is inclusive (powers of two keep the arithmetic exact).
        let tol = 2f64.powi(-20);
        assert_eq!(at(vec![5.0, 4.0, 3.0, 0.5 + tol, 0.5], tol), Some(30));
        assert_eq!(at(vec![5.0, 4.0, 3.0, 0.5 + 2.0 * tol, 0.5], tol), Some(40));
        // Below a loss of 1 the band is absolute, above it relative: 1e-6·1000 = 1e-3.
        assert_eq!(at(vec![5.0, 1e-3, 2e-6, 5e-7, 1e-9], 1e-6), Some(30));
        assert_eq!(
            at(vec![9e3, 2e3, 1000.0009, 1000.0002, 1000.0], 1e-6),
            Some(20)
        );
        // Constant from the start.
        assert_eq!(at(vec![0.7; 5], 1e-6), Some(0));
        // Diverged, or nothing observed.
        let diverged = with_losses(steps.clone(), vec![5.0, 4.0, 3.0, 2.0, 2.0], true);
        assert_eq!(diverged.steps_to_converge(1e-6), None);
        assert_eq!(
            with_losses(vec![], vec![], false).steps_to_converge(1e-6),
            None
        );
    }

    #[test]
    fn rows_carry_the_record_and_sort_by_loss_width_factor_seed() {
        let mut rows: Vec<TableRow> = [
            (Loss::Squared, 16, 0.5, 1),
            (Loss::Logistic, 32, 0.5, 0),
            (Loss::Squared, 16, 0.5, 0),
            (Loss::Squared, 8, 3.0, 0),
            (Loss::Squared, 16, 0.25, 7),
            (Loss::Exponential, 64, 1.0, 0),
        ]
        .into_iter()
        .map(|(loss, w, f, s)| TableRow::from_record(&record(loss, w, f, s)))
        .collect();
        sort_rows(&mut rows);
        let keys: Vec<_> = rows
            .iter()
            .map(|r| (r.loss.name(), r.width, r.lr_factor, r.seed))
            .collect();
        assert_eq!(
            keys,
            [
                ("exponential", 64, 1.0, 0),
                ("logistic", 32, 0.5, 0),
                ("squared", 8, 3.0, 0),
                ("squared", 16, 0.25, 7),
                ("squared", 16, 0.5, 0),
                ("squared", 16, 0.5, 1),
            ]
        );
        let row = &rows[0];
        assert_eq!((row.eta, row.lambda0, row.sharpness0), (0.5, 2.0, 3.0));
        assert_eq!(
            (row.final_loss, row.final_ntk_top, row.final_sharpness),
            (1.0, 0.25, 0.125)
        );
        assert_eq!(row.steps_to_converge, Some(10));
    }

    #[test]
    fn absolute_rates_get_the_factor_eta_times_lambda0() {
        let mut r = record(Loss::Squared, 4, 1.0, 0);
        r.config.lr = LearningRate::Value(0.75);
        r.eta = 0.75;
        assert_eq!(TableRow::from_record(&r).lr_factor, 1.5);
    }

    #[test]
    fn csv_has_the_documented_columns_and_empty_cells_for_diverged_runs() {
        let mut diverged = record(Loss::Logistic, 8, 40.0, 2);
        diverged.final_state.diverged = true;
        diverged.phase = Phase::Divergent;
        let rows = [
            TableRow::from_record(&record(Loss::Squared, 16, 0.5, 1)),
            TableRow::from_record(&diverged),
        ];
        let mut out = Vec::new();
        write_csv(&rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "squared,0.5,16,1,0.25,2.0,3.0,1.0,0.125,0.25,false,lazy,,10"
        );
        assert_eq!(
            lines[2],
            "logistic,40.0,8,2,20.0,2.0,3.0,1.0,0.125,0.25,true,divergent,,"
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn merge_reads_records_skips_temp_files_and_names_bad_files() {
        let dir = std::env::temp_dir().join(format!("catapult-table-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        assert!(matches!(merge_dir(&dir), Err(TableError::NoRecords { .. })));
        for (i, width) in [32, 8].into_iter().enumerate() {
            let json = serde_json::to_string(&record(Loss::Squared, width, 1.0, 0)).unwrap();
            write(&format!("r{i}.json"), &json);
        }
        write(".r2.json.99.tmp", "{\"config\":");
        let rows = merge_dir(&dir).unwrap();
        assert_eq!(rows.iter().map(|r| r.width).collect::<Vec<_>>(), [8, 32]);

        for (name, text, problem) in [
            ("other.json", "{\"a\": 1}", "unknown field `a`"),
            ("half.json", "{\"config\": {", "EOF while parsing"),
            ("notes.txt", "hello", "expected value"),
        ] {
            write(name, text);
            let message = merge_dir(&dir).unwrap_err().to_string();
            assert!(
                message.contains(&*dir.join(name).to_string_lossy())
                    && message.contains("is not a run record")
                    && message.contains(problem),
                "{name}: {message}"
            );
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        std::fs::create_dir(dir.join("sub")).unwrap();
        let message = merge_dir(&dir).unwrap_err().to_string();
        assert!(
            message.contains("sub is not a run record: it is a directory"),
            "{message}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
