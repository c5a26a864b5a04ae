//! File errors of the loaders and the shared way of opening a file, raw or gzipped.
//!
//! A file is read through gzip when it starts with the gzip magic bytes `1f 8b` (whatever its
//! name); a file named `*.gz` that does not start with them is an error. Every [`LoadError`]
//! message starts with the path of the file it is about and says what is wrong with it.

use crate::{DataError, LabelColumn};
use flate2::bufread::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// What went wrong while loading a file; the message names the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be opened or read (missing, unreadable, corrupt gzip stream…).
    #[error("{}: cannot read the file: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    /// A `*.gz` name on a file that is not gzip.
    #[error("{}: named .gz but does not start with the gzip magic bytes 1f 8b", .path.display())]
    NotGzip { path: PathBuf },
    /// An IDX file whose magic number is not the one of the expected kind of file.
    #[error(
        "{}: wrong magic number 0x{found:08x}: expected 0x{expected:08x} (IDX {what})",
        .path.display()
    )]
    IdxMagic {
        path: PathBuf,
        found: u32,
        expected: u32,
        what: &'static str,
    },
    /// An IDX file shorter than its header says.
    #[error(
        "{}: truncated: {what} needs {expected} bytes but the file holds only {found}",
        .path.display()
    )]
    IdxTruncated {
        path: PathBuf,
        what: &'static str,
        expected: u128,
        found: u128,
    },
    /// An IDX file longer than its header says.
    #[error(
        "{}: {extra} bytes after the {expected} bytes that the header describes",
        .path.display()
    )]
    IdxTrailing {
        path: PathBuf,
        expected: u128,
        extra: u64,
    },
    /// Images and labels files of different lengths.
    #[error(
        "{}: {images} images but {}: {labels} labels: the two files must describe the same \
         number of items",
        .images_path.display(), .labels_path.display()
    )]
    IdxCountMismatch {
        images_path: PathBuf,
        images: u32,
        labels_path: PathBuf,
        labels: u32,
    },
    /// An image side of zero pixels.
    #[error(
        "{}: images of {rows}×{cols} pixels: both sides must be at least 1",
        .path.display()
    )]
    IdxEmptyImage { path: PathBuf, rows: u32, cols: u32 },
    /// A label byte that is not a digit.
    #[error("{}: item {index} has label {value}: digit labels are 0..=9", .path.display())]
    IdxLabel {
        path: PathBuf,
        index: usize,
        value: u8,
    },
    /// A requested class that is not a digit.
    #[error(
        "class {class} is not a digit 0..=9 (asked of {} and {})",
        .images_path.display(), .labels_path.display()
    )]
    ClassOutOfRange {
        class: u8,
        images_path: PathBuf,
        labels_path: PathBuf,
    },
    /// The same class asked for both sides of the pair.
    #[error(
        "class_a and class_b are both {class}: the pair needs two different digits (asked of {} \
         and {})",
        .images_path.display(), .labels_path.display()
    )]
    SameClass {
        class: u8,
        images_path: PathBuf,
        labels_path: PathBuf,
    },
    /// No item carries either label of the pair.
    #[error(
        "{}: no item has label {class_a} or {class_b}: the pair selects no samples",
        .labels_path.display()
    )]
    NoSamples {
        labels_path: PathBuf,
        class_a: u8,
        class_b: u8,
    },
    /// A multi-class IDX load asked for no digits.
    #[error("{}: no digits asked for: list at least one", .labels_path.display())]
    NoDigits { labels_path: PathBuf },
    /// A digit asked for that no item carries.
    #[error("{}: no item has label {digit}", .labels_path.display())]
    DigitWithoutSamples { labels_path: PathBuf, digit: u8 },
    /// A CSV file with nothing in it (not even a header row).
    #[error("{}: the file is empty: a header row and data rows are needed", .path.display())]
    CsvEmpty { path: PathBuf },
    /// A CSV file with a header row and nothing else.
    #[error("{}: a header row but no data rows", .path.display())]
    CsvNoRows { path: PathBuf },
    /// A CSV file whose only column is the label.
    #[error(
        "{}: the label column is the only column: there are no features",
        .path.display()
    )]
    CsvNoFeatures { path: PathBuf },
    /// A row with another number of fields than the header.
    #[error(
        "{}: line {line} has {found} fields but the header has {expected}",
        .path.display()
    )]
    CsvRagged {
        path: PathBuf,
        line: u64,
        found: usize,
        expected: usize,
    },
    /// A feature that does not parse as a finite `f64`.
    #[error(
        "{}: line {line}, column `{name}` (index {column}): `{value}` is not a finite number",
        .path.display()
    )]
    CsvNotNumeric {
        path: PathBuf,
        line: u64,
        column: usize,
        name: String,
        value: String,
    },
    /// The label column is not in the header.
    #[error("{}: no label column {label}: the header is `{header}`", .path.display())]
    CsvMissingLabel {
        path: PathBuf,
        label: LabelColumn,
        header: String,
    },
    /// The label column name appears more than once in the header.
    #[error(
        "{}: the label column `{name}` appears more than once in the header (indices {first} \
         and {second})",
        .path.display()
    )]
    CsvAmbiguousLabel {
        path: PathBuf,
        name: String,
        first: usize,
        second: usize,
    },
    /// A third distinct label value.
    #[error(
        "{}: line {line} has label `{value}` but the labels before it are `{first}` and \
         `{second}`: exactly two distinct label values are allowed",
        .path.display()
    )]
    CsvThirdLabel {
        path: PathBuf,
        line: u64,
        value: String,
        first: String,
        second: String,
    },
    /// A single label value in the whole file.
    #[error(
        "{}: every label is `{value}`: exactly two distinct label values are needed",
        .path.display()
    )]
    CsvOneLabel { path: PathBuf, value: String },
    /// Two label values, neither of them the positive one.
    #[error(
        "{}: the labels are `{first}` and `{second}`, and neither is the positive label \
         `{positive}`",
        .path.display()
    )]
    CsvNoPositive {
        path: PathBuf,
        first: String,
        second: String,
        positive: String,
    },
    /// A CSV syntax or encoding error reported by the parser.
    #[error("{}: {location}malformed CSV: {message}", .path.display())]
    Csv {
        path: PathBuf,
        location: String,
        message: String,
    },
    /// The loaded values do not form a valid dataset.
    #[error("{}: {source}", .path.display())]
    Data { path: PathBuf, source: DataError },
}

/// An opened file: a buffered reader of its (decompressed) bytes, and the file's length on
/// disk when it is not compressed (so that sizes can be checked before reading).
pub(crate) struct Source {
    pub(crate) reader: Box<dyn BufRead>,
    pub(crate) raw_len: Option<u64>,
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Opens `path`, through a gzip decoder when it starts with `1f 8b`.
pub(crate) fn open(path: &Path) -> Result<Source, LoadError> {
    let file = File::open(path).map_err(io_error(path))?;
    let len = file.metadata().map_err(io_error(path))?.len();
    let mut reader = BufReader::new(file);
    let mut head = [0u8; 2];
    let head_len = {
        let buffered = reader.fill_buf().map_err(io_error(path))?;
        let k = buffered.len().min(2);
        head[..k].copy_from_slice(&buffered[..k]);
        k
    };
    let gzipped = head_len == 2 && head == [0x1f, 0x8b];
    let named_gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    if named_gz && !gzipped {
        return Err(LoadError::NotGzip {
            path: path.to_path_buf(),
        });
    }
    Ok(if gzipped {
        Source {
            reader: Box::new(BufReader::new(MultiGzDecoder::new(reader))),
            raw_len: None,
        }
    } else {
        Source {
            reader: Box::new(reader),
            raw_len: Some(len),
        }
    })
}

/// Reads into `buf` until it is full or the input ends; returns how many bytes were read.
pub(crate) fn read_up_to(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Appends at most `limit` bytes of `reader` to `buf`, in chunks of at most 64 KiB, so that
/// `buf` grows only with the bytes actually present (a header's claim is never allocated up
/// front); returns how many bytes were appended.
pub(crate) fn read_limited(
    reader: &mut dyn Read,
    limit: u64,
    buf: &mut Vec<u8>,
) -> io::Result<usize> {
    const CHUNK: u64 = 1 << 16;
    let mut total = 0u64;
    while total < limit {
        let start = buf.len();
        let want = (limit - total).min(CHUNK) as usize;
        buf.resize(start + want, 0);
        let got = read_up_to(reader, &mut buf[start..])?;
        buf.truncate(start + got);
        total += got as u64;
        if got < want {
            break;
        }
    }
    Ok(total as usize)
}
