//! MNIST / Fashion-MNIST IDX files as a binary task of two classes.
//!
//! An IDX file is a big-endian header followed by unsigned bytes: the magic number
//! `0x00000801` (unsigned bytes, 1 dimension) and the item count `n` for a labels file, or the
//! magic number `0x00000803` (unsigned bytes, 3 dimensions) and `n`, `rows`, `cols` for an
//! images file, whose pixels follow image by image, row by row. Files may be raw or gzipped
//! (detected by the gzip magic bytes; see [`LoadError`]).
//!
//! [`load_idx_pair`] keeps the items whose label is `class_a` (target `+1`) or `class_b`
//! (target `−1`), in file order, with pixel `(r, c)` of an image as feature `r·cols + c`,
//! scaled from `0..=255` to `[0, 1]` by dividing by 255.
//!
//! Every size is checked against the header before anything of that size is allocated: a raw
//! file's length is compared with the header's promise first, and a gzipped file is read in
//! pieces that grow only with the data actually present, so a header claiming `10^12` items
//! costs nothing but an error. Errors: wrong magic number, images and labels counts that
//! differ, a file shorter (truncated) or longer than its header says, a zero-pixel image side,
//! a label byte above 9, a class not in `0..=9`, `class_a == class_b`, a pair that selects no
//! samples.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use catapult_data::load_idx_pair;
//! let dir = std::env::temp_dir().join(format!("catapult-idx-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! // Three 1×2 images labelled 3, 5, 7.
//! let mut images = vec![0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2];
//! images.extend([0, 255, 51, 102, 255, 255]);
//! let labels = vec![0, 0, 8, 1, 0, 0, 0, 3, 3, 5, 7];
//! std::fs::write(dir.join("images.idx"), images)?;
//! std::fs::write(dir.join("labels.idx"), labels)?;
//! let data = load_idx_pair(dir.join("images.idx"), dir.join("labels.idx"), 5, 3)?;
//! assert_eq!((data.len(), data.dim()), (2, 2)); // the 7 is dropped
//! assert_eq!((data.y()[0], data.y()[1]), (-1.0, 1.0));
//! assert_eq!((data.x()[(0, 1)], data.x()[(1, 0)]), (1.0, 0.2));
//! std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

use crate::load::{Source, io_error, open, read_limited, read_up_to};
use crate::{Classes, Dataset, LoadError};
use faer::{Col, Mat};
use std::io;
use std::path::Path;

const LABELS_MAGIC: u32 = 0x0000_0801;
const IMAGES_MAGIC: u32 = 0x0000_0803;

/// Loads the items of an IDX images/labels pair whose label is `class_a` (`+1`) or `class_b`
/// (`−1`), pixels scaled to `[0, 1]` (see the module docs for the format and the errors).
pub fn load_idx_pair(
    images_path: impl AsRef<Path>,
    labels_path: impl AsRef<Path>,
    class_a: u8,
    class_b: u8,
) -> Result<Dataset, LoadError> {
    let (images_path, labels_path) = (images_path.as_ref(), labels_path.as_ref());
    for class in [class_a, class_b] {
        if class > 9 {
            return Err(LoadError::ClassOutOfRange {
                class,
                images_path: images_path.to_path_buf(),
                labels_path: labels_path.to_path_buf(),
            });
        }
    }
    if class_a == class_b {
        return Err(LoadError::SameClass {
            class: class_a,
            images_path: images_path.to_path_buf(),
            labels_path: labels_path.to_path_buf(),
        });
    }
    let labels = read_labels(labels_path)?;
    let selected: Vec<(usize, f64)> = labels
        .iter()
        .enumerate()
        .filter_map(|(i, &l)| {
            (l == class_a)
                .then_some((i, 1.0))
                .or((l == class_b).then_some((i, -1.0)))
        })
        .collect();

    let indices: Vec<usize> = selected.iter().map(|(i, _)| *i).collect();
    let x = read_images(images_path, labels_path, labels.len(), &indices, || {
        LoadError::NoSamples {
            labels_path: labels_path.to_path_buf(),
            class_a,
            class_b,
        }
    })?;
    let y = Col::from_fn(selected.len(), |r| selected[r].1);
    Dataset::new(x, y).map_err(|source| LoadError::Data {
        path: images_path.to_path_buf(),
        source,
    })
}

/// Loads the items of an IDX images/labels pair whose label is one of `digits`, as a
/// multi-class task: class `c` is `digits[c]`, items in file order, at most `per_class` of
/// each digit (the first ones in the file) when given, pixels scaled to `[0, 1]` as in
/// [`load_idx_pair`]. Besides the file errors of [`load_idx_pair`]: no digits, a digit above
/// 9, a repeated digit, or a digit without items.
pub fn load_idx_classes(
    images_path: impl AsRef<Path>,
    labels_path: impl AsRef<Path>,
    digits: &[u8],
    per_class: Option<usize>,
) -> Result<Classes, LoadError> {
    let (images_path, labels_path) = (images_path.as_ref(), labels_path.as_ref());
    if digits.is_empty() {
        return Err(LoadError::NoDigits {
            labels_path: labels_path.to_path_buf(),
        });
    }
    for (k, &digit) in digits.iter().enumerate() {
        if digit > 9 {
            return Err(LoadError::ClassOutOfRange {
                class: digit,
                images_path: images_path.to_path_buf(),
                labels_path: labels_path.to_path_buf(),
            });
        }
        if digits[..k].contains(&digit) {
            return Err(LoadError::SameClass {
                class: digit,
                images_path: images_path.to_path_buf(),
                labels_path: labels_path.to_path_buf(),
            });
        }
    }
    let labels = read_labels(labels_path)?;
    let mut taken = vec![0usize; digits.len()];
    let mut selected: Vec<(usize, usize)> = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        if let Some(class) = digits.iter().position(|d| d == label)
            && per_class.is_none_or(|limit| taken[class] < limit)
        {
            taken[class] += 1;
            selected.push((i, class));
        }
    }
    if let Some(class) = taken.iter().position(|&t| t == 0) {
        return Err(LoadError::DigitWithoutSamples {
            labels_path: labels_path.to_path_buf(),
            digit: digits[class],
        });
    }
    let indices: Vec<usize> = selected.iter().map(|(i, _)| *i).collect();
    let x = read_images(images_path, labels_path, labels.len(), &indices, || {
        LoadError::DigitWithoutSamples {
            labels_path: labels_path.to_path_buf(),
            digit: digits[0],
        }
    })?;
    let classes = selected.iter().map(|(_, c)| *c).collect();
    Classes::new(x, classes, digits.len()).map_err(|source| LoadError::Data {
        path: images_path.to_path_buf(),
        source,
    })
}

/// The images at `indices` (increasing) of an IDX images file whose labels file has
/// `label_count` items, one row each, pixels scaled to `[0, 1]`; `no_samples` is the error for
/// an empty selection, checked after the header and the counts.
fn read_images(
    images_path: &Path,
    labels_path: &Path,
    label_count: usize,
    indices: &[usize],
    no_samples: impl FnOnce() -> LoadError,
) -> Result<Mat<f64>, LoadError> {
    let mut source = open(images_path)?;
    let header = read_header(&mut source, images_path, IMAGES_MAGIC, "images")?;
    let (n, rows, cols) = (header[0], header[1], header[2]);
    if rows == 0 || cols == 0 {
        return Err(LoadError::IdxEmptyImage {
            path: images_path.to_path_buf(),
            rows,
            cols,
        });
    }
    let pixels = u64::from(rows) * u64::from(cols);
    let header_len = 16u128;
    let data_len = u128::from(n) * u128::from(pixels);
    check_raw_len(
        &source,
        images_path,
        "the images file",
        header_len,
        data_len,
    )?;
    if n as usize != label_count {
        return Err(LoadError::IdxCountMismatch {
            images_path: images_path.to_path_buf(),
            images: n,
            labels_path: labels_path.to_path_buf(),
            labels: label_count as u32,
        });
    }
    if indices.is_empty() {
        return Err(no_samples());
    }

    // Read image by image; keep the selected ones (as bytes until the end).
    let mut kept: Vec<u8> = Vec::new();
    let mut image: Vec<u8> = Vec::new();
    let mut next = indices.iter().peekable();
    for i in 0..n as usize {
        image.clear();
        let got =
            read_limited(&mut source.reader, pixels, &mut image).map_err(io_error(images_path))?;
        if (got as u64) < pixels {
            return Err(LoadError::IdxTruncated {
                path: images_path.to_path_buf(),
                what: "the images file",
                expected: header_len + data_len,
                found: header_len + i as u128 * u128::from(pixels) + got as u128,
            });
        }
        if next.peek().is_some_and(|&&j| j == i) {
            next.next();
            kept.extend_from_slice(&image);
        }
    }
    check_no_trailing(&mut source, images_path, header_len + data_len)?;

    let width = pixels as usize;
    Ok(Mat::from_fn(indices.len(), width, |r, j| {
        f64::from(kept[r * width + j]) / 255.0
    }))
}

/// The digit labels of an IDX labels file, each checked to be in `0..=9`.
fn read_labels(path: &Path) -> Result<Vec<u8>, LoadError> {
    let mut source = open(path)?;
    let n = read_header(&mut source, path, LABELS_MAGIC, "labels")?[0];
    let header_len = 8u128;
    check_raw_len(&source, path, "the labels file", header_len, u128::from(n))?;
    let mut labels = Vec::new();
    let got =
        read_limited(&mut source.reader, u64::from(n), &mut labels).map_err(io_error(path))?;
    if got < n as usize {
        return Err(LoadError::IdxTruncated {
            path: path.to_path_buf(),
            what: "the labels file",
            expected: header_len + u128::from(n),
            found: header_len + got as u128,
        });
    }
    check_no_trailing(&mut source, path, header_len + u128::from(n))?;
    if let Some((index, &value)) = labels.iter().enumerate().find(|(_, l)| **l > 9) {
        return Err(LoadError::IdxLabel {
            path: path.to_path_buf(),
            index,
            value,
        });
    }
    Ok(labels)
}

/// Reads the magic number and the dimensions; the magic number must be `magic`.
fn read_header(
    source: &mut Source,
    path: &Path,
    magic: u32,
    what: &'static str,
) -> Result<Vec<u32>, LoadError> {
    let ndims = (magic & 0xff) as usize;
    let header_len = 4 + 4 * ndims;
    let mut header = vec![0u8; header_len];
    let got = read_up_to(&mut source.reader, &mut header[..4]).map_err(io_error(path))?;
    let truncated = |found: usize| LoadError::IdxTruncated {
        path: path.to_path_buf(),
        what: "the header",
        expected: header_len as u128,
        found: found as u128,
    };
    if got < 4 {
        return Err(truncated(got));
    }
    let found = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
    if found != magic {
        return Err(LoadError::IdxMagic {
            path: path.to_path_buf(),
            found,
            expected: magic,
            what: match what {
                "labels" => "labels: unsigned bytes, 1 dimension",
                _ => "images: unsigned bytes, 3 dimensions",
            },
        });
    }
    let got = read_up_to(&mut source.reader, &mut header[4..]).map_err(io_error(path))?;
    if got < 4 * ndims {
        return Err(truncated(4 + got));
    }
    Ok(header[4..]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// For a raw file, compares its length with what the header promises before reading on.
fn check_raw_len(
    source: &Source,
    path: &Path,
    what: &'static str,
    header_len: u128,
    data_len: u128,
) -> Result<(), LoadError> {
    let Some(len) = source.raw_len else {
        return Ok(());
    };
    let (len, expected) = (u128::from(len), header_len + data_len);
    if len < expected {
        return Err(LoadError::IdxTruncated {
            path: path.to_path_buf(),
            what,
            expected,
            found: len,
        });
    }
    if len > expected {
        return Err(LoadError::IdxTrailing {
            path: path.to_path_buf(),
            expected,
            extra: (len - expected) as u64,
        });
    }
    Ok(())
}

/// Errors if anything follows the data the header describes.
fn check_no_trailing(source: &mut Source, path: &Path, expected: u128) -> Result<(), LoadError> {
    let extra = io::copy(&mut source.reader, &mut io::sink()).map_err(io_error(path))?;
    if extra > 0 {
        return Err(LoadError::IdxTrailing {
            path: path.to_path_buf(),
            expected,
            extra,
        });
    }
    Ok(())
}
