//! Small real datasets shipped inside the `linfa-datasets` crate (compiled into the binary: no
//! download at build or run time), turned into binary tasks with labels ±1.
//!
//! | function | samples | features | `+1` | `−1` | linear separability |
//! | --- | --- | --- | --- | --- | --- |
//! | [`iris_setosa_vs_rest`] | 150 | 4 | 50 setosa | 100 versicolor, virginica | separable |
//! | [`iris_versicolor_vs_virginica`] | 100 | 4 | 50 versicolor | 50 virginica | not separable (a few samples overlap) |
//! | [`winequality_red`] | 1599 | 11 | 855 with quality ≥ 6 | 744 with quality ≤ 5 | not separable |
//!
//! Features are the raw measurements in the file's column order (iris: sepal length, sepal
//! width, petal length, petal width, in cm; wine: fixed acidity, volatile acidity, citric acid,
//! residual sugar, chlorides, free sulfur dioxide, total sulfur dioxide, density, pH,
//! sulphates, alcohol), samples in the file's row order. They are not standardised: use
//! [`Standardizer`](crate::Standardizer) fitted on a training split.
//!
//! ```
//! use catapult_data::iris_setosa_vs_rest;
//! let data = iris_setosa_vs_rest();
//! assert_eq!((data.len(), data.dim()), (150, 4));
//! assert_eq!(data.y().iter().filter(|&&v| v == 1.0).count(), 50);
//! ```

use crate::Dataset;
use faer::{Col, Mat};

// Class codes of linfa-datasets' iris.
const SETOSA: usize = 0;
const VERSICOLOR: usize = 1;
const VIRGINICA: usize = 2;

/// The embedded data is fixed and finite, so building a [`Dataset`] from it cannot fail.
fn build(x: Mat<f64>, y: Col<f64>, name: &str) -> Dataset {
    Dataset::new(x, y)
        .unwrap_or_else(|e| panic!("the embedded {name} data does not form a dataset: {e}"))
}

/// Iris samples whose class `pick` maps to a label (`None` drops the sample).
fn iris(pick: impl Fn(usize) -> Option<f64>) -> Dataset {
    let iris = linfa_datasets::iris();
    let (records, targets) = (&iris.records, &iris.targets);
    let keep: Vec<(usize, f64)> = (0..targets.len())
        .filter_map(|i| pick(targets[i]).map(|label| (i, label)))
        .collect();
    let x = Mat::from_fn(keep.len(), records.ncols(), |r, j| records[[keep[r].0, j]]);
    let y = Col::from_fn(keep.len(), |r| keep[r].1);
    build(x, y, "iris")
}

/// Iris, setosa (`+1`, 50) against versicolor and virginica (`−1`, 100): 150 samples, 4
/// features, linearly separable.
pub fn iris_setosa_vs_rest() -> Dataset {
    iris(|class| Some(if class == SETOSA { 1.0 } else { -1.0 }))
}

/// Iris without setosa: versicolor (`+1`, 50) against virginica (`−1`, 50), 100 samples, 4
/// features; the two classes overlap slightly, so the data is not linearly separable.
pub fn iris_versicolor_vs_virginica() -> Dataset {
    iris(|class| match class {
        VERSICOLOR => Some(1.0),
        VIRGINICA => Some(-1.0),
        _ => None,
    })
}

/// Red wine quality (1599 samples, 11 physico-chemical features) binarised: quality ≥ 6 is
/// `+1` (855 samples), quality ≤ 5 is `−1` (744).
pub fn winequality_red() -> Dataset {
    let wine = linfa_datasets::winequality();
    let (records, targets) = (&wine.records, &wine.targets);
    let x = Mat::from_fn(records.nrows(), records.ncols(), |i, j| records[[i, j]]);
    let y = Col::from_fn(targets.len(), |i| if targets[i] >= 6 { 1.0 } else { -1.0 });
    build(x, y, "winequality-red")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positives(data: &Dataset) -> usize {
        data.y().iter().filter(|&&v| v == 1.0).count()
    }

    #[test]
    fn sizes_and_class_balance() {
        let setosa = iris_setosa_vs_rest();
        assert_eq!(
            (setosa.len(), setosa.dim(), positives(&setosa)),
            (150, 4, 50)
        );
        let pair = iris_versicolor_vs_virginica();
        assert_eq!((pair.len(), pair.dim(), positives(&pair)), (100, 4, 50));
        let wine = winequality_red();
        assert_eq!((wine.len(), wine.dim(), positives(&wine)), (1599, 11, 855));
        for data in [&setosa, &pair, &wine] {
            data.check_binary_labels().unwrap();
        }
    }

    #[test]
    fn first_rows_match_the_files() {
        // iris.csv row 1: 5.1,3.5,1.4,0.2,setosa; winequality-red row 1: 7.4,0.7,...,9.4,5
        let setosa = iris_setosa_vs_rest();
        let row: Vec<f64> = (0..4).map(|j| setosa.x()[(0, j)]).collect();
        assert_eq!(row, [5.1, 3.5, 1.4, 0.2]);
        let wine = winequality_red();
        assert_eq!(
            (wine.x()[(0, 0)], wine.x()[(0, 10)], wine.y()[0]),
            (7.4, 9.4, -1.0)
        );
        // the first versicolor is iris row 51: 7.0,3.2,4.7,1.4
        let pair = iris_versicolor_vs_virginica();
        assert_eq!(
            (pair.x()[(0, 0)], pair.x()[(0, 2)], pair.y()[0]),
            (7.0, 4.7, 1.0)
        );
    }
}
