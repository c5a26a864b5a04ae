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
    Io {
        /// The file that could not be opened or read.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// A `*.gz` name on a file that is not gzip.
    #[error("{}: named .gz but does not start with the gzip magic bytes 1f 8b", .path.display())]
    NotGzip {
        /// The `*.gz` file without the gzip magic bytes.
        path: PathBuf,
    },
    /// An IDX file whose magic number is not the one of the expected kind of file.
    #[error(
        "{}: wrong magic number 0x{found:08x}: expected 0x{expected:08x} (IDX {what})",
        .path.display()
    )]
    IdxMagic {
        /// The IDX file.
        path: PathBuf,
        /// The magic number read (first 4 bytes, big-endian).
        found: u32,
        /// The magic number of the expected kind of file.
        expected: u32,
        /// The expected kind of file, in words (element type and number of dimensions).
        what: &'static str,
    },
    /// An IDX file shorter than its header says.
    #[error(
        "{}: truncated: {what} needs {expected} bytes but the file holds only {found}",
        .path.display()
    )]
    IdxTruncated {
        /// The IDX file.
        path: PathBuf,
        /// The part that is cut short ("the header", "the images file", "the labels file").
        what: &'static str,
        /// Bytes needed, header included.
        expected: u128,
        /// Bytes the file holds (or that could be read), header included.
        found: u128,
    },
    /// An IDX file longer than its header says.
    #[error(
        "{}: {extra} bytes after the {expected} bytes that the header describes",
        .path.display()
    )]
    IdxTrailing {
        /// The IDX file.
        path: PathBuf,
        /// Bytes the header describes, header included.
        expected: u128,
        /// Bytes found beyond them.
        extra: u64,
    },
    /// Images and labels files of different lengths.
    #[error(
        "{}: {images} images but {}: {labels} labels: the two files must describe the same \
         number of items",
        .images_path.display(), .labels_path.display()
    )]
    IdxCountMismatch {
        /// The IDX images file.
        images_path: PathBuf,
        /// Number of images its header declares.
        images: u32,
        /// The IDX labels file.
        labels_path: PathBuf,
        /// Number of labels its header declares.
        labels: u32,
    },
    /// An image side of zero pixels.
    #[error(
        "{}: images of {rows}×{cols} pixels: both sides must be at least 1",
        .path.display()
    )]
    IdxEmptyImage {
        /// The IDX images file.
        path: PathBuf,
        /// Image height declared by the header, in pixels.
        rows: u32,
        /// Image width declared by the header, in pixels.
        cols: u32,
    },
    /// A label byte that is not a digit.
    #[error("{}: item {index} has label {value}: digit labels are 0..=9", .path.display())]
    IdxLabel {
        /// The IDX labels file.
        path: PathBuf,
        /// Index (0-based) of the item with the bad label.
        index: usize,
        /// The label byte found (above 9).
        value: u8,
    },
    /// A requested class that is not a digit.
    #[error(
        "class {class} is not a digit 0..=9 (asked of {} and {})",
        .images_path.display(), .labels_path.display()
    )]
    ClassOutOfRange {
        /// The class asked for (above 9).
        class: u8,
        /// The IDX images file of the request.
        images_path: PathBuf,
        /// The IDX labels file of the request.
        labels_path: PathBuf,
    },
    /// The same class asked for both sides of the pair.
    #[error(
        "class_a and class_b are both {class}: the pair needs two different digits (asked of {} \
         and {})",
        .images_path.display(), .labels_path.display()
    )]
    SameClass {
        /// The digit asked for twice.
        class: u8,
        /// The IDX images file of the request.
        images_path: PathBuf,
        /// The IDX labels file of the request.
        labels_path: PathBuf,
    },
    /// No item carries either label of the pair.
    #[error(
        "{}: no item has label {class_a} or {class_b}: the pair selects no samples",
        .labels_path.display()
    )]
    NoSamples {
        /// The IDX labels file.
        labels_path: PathBuf,
        /// The first digit of the pair.
        class_a: u8,
        /// The second digit of the pair.
        class_b: u8,
    },
    /// A multi-class IDX load asked for no digits.
    #[error("{}: no digits asked for: list at least one", .labels_path.display())]
    NoDigits {
        /// The IDX labels file of the request.
        labels_path: PathBuf,
    },
    /// A digit asked for that no item carries.
    #[error("{}: no item has label {digit}", .labels_path.display())]
    DigitWithoutSamples {
        /// The IDX labels file.
        labels_path: PathBuf,
        /// The digit asked for that no item carries.
        digit: u8,
    },
    /// A CSV file with nothing in it (not even a header row).
    #[error("{}: the file is empty: a header row and data rows are needed", .path.display())]
    CsvEmpty {
        /// The empty CSV file.
        path: PathBuf,
    },
    /// A CSV file with a header row and nothing else.
    #[error("{}: a header row but no data rows", .path.display())]
    CsvNoRows {
        /// The CSV file with only a header row.
        path: PathBuf,
    },
    /// A CSV file whose only column is the label.
    #[error(
        "{}: the label column is the only column: there are no features",
        .path.display()
    )]
    CsvNoFeatures {
        /// The CSV file with only the label column.
        path: PathBuf,
    },
    /// A row with another number of fields than the header.
    #[error(
        "{}: line {line} has {found} fields but the header has {expected}",
        .path.display()
    )]
    CsvRagged {
        /// The CSV file.
        path: PathBuf,
        /// Line number (1-based) of the row, as reported by the CSV parser.
        line: u64,
        /// Number of fields in that row.
        found: usize,
        /// Number of fields in the header.
        expected: usize,
    },
    /// A feature that does not parse as a finite `f64`.
    #[error(
        "{}: line {line}, column `{name}` (index {column}): `{value}` is not a finite number",
        .path.display()
    )]
    CsvNotNumeric {
        /// The CSV file.
        path: PathBuf,
        /// Line number (1-based) of the row, as reported by the CSV parser.
        line: u64,
        /// Index (0-based) of the column in the header.
        column: usize,
        /// Header name of the column.
        name: String,
        /// The field as written in the file.
        value: String,
    },
    /// The label column is not in the header.
    #[error("{}: no label column {label}: the header is `{header}`", .path.display())]
    CsvMissingLabel {
        /// The CSV file.
        path: PathBuf,
        /// The label column asked for (by name or index).
        label: LabelColumn,
        /// The header row's fields, joined with commas.
        header: String,
    },
    /// The label column name appears more than once in the header.
    #[error(
        "{}: the label column `{name}` appears more than once in the header (indices {first} \
         and {second})",
        .path.display()
    )]
    CsvAmbiguousLabel {
        /// The CSV file.
        path: PathBuf,
        /// The label column name.
        name: String,
        /// Index (0-based) of its first occurrence in the header.
        first: usize,
        /// Index (0-based) of its second occurrence in the header.
        second: usize,
    },
    /// A third distinct label value.
    #[error(
        "{}: line {line} has label `{value}` but the labels before it are `{first}` and \
         `{second}`: exactly two distinct label values are allowed",
        .path.display()
    )]
    CsvThirdLabel {
        /// The CSV file.
        path: PathBuf,
        /// Line number (1-based) of the row, as reported by the CSV parser.
        line: u64,
        /// The third label value, found on that line.
        value: String,
        /// The first label value seen in the file.
        first: String,
        /// The second label value seen in the file.
        second: String,
    },
    /// A single label value in the whole file.
    #[error(
        "{}: every label is `{value}`: exactly two distinct label values are needed",
        .path.display()
    )]
    CsvOneLabel {
        /// The CSV file.
        path: PathBuf,
        /// The one label value every row carries.
        value: String,
    },
    /// Two label values, neither of them the positive one.
    #[error(
        "{}: the labels are `{first}` and `{second}`, and neither is the positive label \
         `{positive}`",
        .path.display()
    )]
    CsvNoPositive {
        /// The CSV file.
        path: PathBuf,
        /// The first label value seen in the file.
        first: String,
        /// The second label value seen in the file.
        second: String,
        /// The positive label asked for (trimmed).
        positive: String,
    },
    /// A CSV syntax or encoding error reported by the parser.
    #[error("{}: {location}malformed CSV: {message}", .path.display())]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// `"line N: "` when the parser knows where, else empty.
        location: String,
        /// The parser's message.
        message: String,
    },
    /// The loaded values do not form a valid dataset.
    #[error("{}: {source}", .path.display())]
    Data {
        /// The file the values were loaded from.
        path: PathBuf,
        /// Why they are not a valid dataset.
        source: DataError,
    },
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
