//! CSV files with a header row and a two-valued label column.
//!
//! [`load_csv`] reads a comma-separated file (raw or gzipped, see [`LoadError`]) whose first
//! row is a header. The label column is chosen by its header name or its 0-based index; every
//! other column is a feature, in file order, and must parse as a finite `f64` (fields are
//! trimmed of surrounding whitespace first; quoting follows RFC 4180). The label column must
//! hold **exactly two distinct values** (compared as trimmed strings), one of which is
//! `positive` (also trimmed): rows with `positive` get target `+1`, rows with the other value
//! `−1`. Blank lines are skipped.
//!
//! Errors name the file and, where there is one, the line (1-based, the header is line 1)
//! and the column: a row with another number of fields than the header, a feature that is not
//! a finite number, a missing (or, by name, ambiguous) label column, an empty file or a file
//! without data rows, a third label value, a single label value, or two values neither of
//! which is `positive`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use catapult_data::{load_csv, LabelColumn};
//! let path = std::env::temp_dir().join(format!("catapult-csv-doc-{}.csv", std::process::id()));
//! std::fs::write(&path, "height,kind,weight\n1.5,cat,4\n2.5, dog ,30\n")?;
//! let data = load_csv(&path, LabelColumn::Name("kind".into()), "dog")?;
//! assert_eq!((data.len(), data.dim()), (2, 2));
//! assert_eq!((data.y()[0], data.y()[1]), (-1.0, 1.0));
//! assert_eq!(data.x()[(1, 1)], 30.0);
//! std::fs::remove_file(&path)?;
//! # Ok(())
//! # }
//! ```

use crate::load::{io_error, open};
use crate::{Dataset, LoadError};
use faer::{Col, Mat};
use std::fmt;
use std::path::Path;

/// Which column of a CSV file holds the labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelColumn {
    /// The column with this header name (it must appear once).
    Name(String),
    /// The column at this 0-based index.
    Index(usize),
}

impl fmt::Display for LabelColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelColumn::Name(name) => write!(f, "named `{name}`"),
            LabelColumn::Index(index) => write!(f, "at index {index}"),
        }
    }
}

/// Loads a CSV file with a header row; the label column's value `positive` is `+1`, its one
/// other value `−1` (see the module docs).
pub fn load_csv(
    path: impl AsRef<Path>,
    label: LabelColumn,
    positive: &str,
) -> Result<Dataset, LoadError> {
    let path = path.as_ref();
    let positive = positive.trim();
    let owned = || path.to_path_buf();
    let csv_error = |e: csv::Error| {
        let location = e
            .position()
            .map(|p| format!("line {}: ", p.line()))
            .unwrap_or_default();
        let message = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(source) => io_error(path)(source),
            _ => LoadError::Csv {
                path: owned(),
                location,
                message,
            },
        }
    };
    let source = open(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(source.reader);
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(str::to_owned)
        .collect();
    if header.is_empty() {
        return Err(LoadError::CsvEmpty { path: owned() });
    }
    let label_index = match &label {
        LabelColumn::Index(i) if *i < header.len() => *i,
        LabelColumn::Name(name) => {
            let mut hits = header.iter().enumerate().filter(|(_, h)| *h == name);
            match (hits.next(), hits.next()) {
                (Some((first, _)), None) => first,
                (Some((first, _)), Some((second, _))) => {
                    return Err(LoadError::CsvAmbiguousLabel {
                        path: owned(),
                        name: name.clone(),
                        first,
                        second,
                    });
                }
                (None, _) => return Err(missing(path, &label, &header)),
            }
        }
        LabelColumn::Index(_) => return Err(missing(path, &label, &header)),
    };
    let dim = header.len() - 1;
    if dim == 0 {
        return Err(LoadError::CsvNoFeatures { path: owned() });
    }

    let mut values: Vec<f64> = Vec::new();
    // Index into `seen` (0 or 1) of each row's label.
    let mut which: Vec<usize> = Vec::new();
    let mut seen: Vec<String> = Vec::with_capacity(2);
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            return Err(LoadError::CsvRagged {
                path: owned(),
                line,
                found: record.len(),
                expected: header.len(),
            });
        }
        for (column, field) in record.iter().enumerate() {
            if column == label_index {
                continue;
            }
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() => values.push(v),
                _ => {
                    return Err(LoadError::CsvNotNumeric {
                        path: owned(),
                        line,
                        column,
                        name: header[column].clone(),
                        value: field.to_owned(),
                    });
                }
            }
        }
        let value = &record[label_index];
        let index = match seen.iter().position(|s| s == value) {
            Some(k) => k,
            None if seen.len() < 2 => {
                seen.push(value.to_owned());
                seen.len() - 1
            }
            None => {
                return Err(LoadError::CsvThirdLabel {
                    path: owned(),
                    line,
                    value: value.to_owned(),
                    first: seen[0].clone(),
                    second: seen[1].clone(),
                });
            }
        };
        which.push(index);
    }
    let positive_index = match seen.as_slice() {
        [] => return Err(LoadError::CsvNoRows { path: owned() }),
        [only] => {
            return Err(LoadError::CsvOneLabel {
                path: owned(),
                value: only.clone(),
            });
        }
        [first, second] => {
            seen.iter()
                .position(|s| s == positive)
                .ok_or_else(|| LoadError::CsvNoPositive {
                    path: owned(),
                    first: first.clone(),
                    second: second.clone(),
                    positive: positive.to_owned(),
                })?
        }
        _ => unreachable!("at most two label values are kept"),
    };
    let n = which.len();
    let x = Mat::from_fn(n, dim, |i, j| values[i * dim + j]);
    let y = Col::from_fn(n, |i| {
        if which[i] == positive_index {
            1.0
        } else {
            -1.0
        }
    });
    Dataset::new(x, y).map_err(|source| LoadError::Data {
        path: owned(),
        source,
    })
}

fn missing(path: &Path, label: &LabelColumn, header: &[String]) -> LoadError {
    LoadError::CsvMissingLabel {
        path: path.to_path_buf(),
        label: label.clone(),
        header: header.join(","),
    }
}
