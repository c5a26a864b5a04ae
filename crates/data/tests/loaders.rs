//! Integration tests of the IDX and CSV loaders: small files written into a temporary
//! directory (raw and gzipped), loaded back and checked value by value, and one test per kind
//! of malformed file, asserting that the message names the file and the problem.

use catapult_data::{LabelColumn, LoadError, load_csv, load_idx_classes, load_idx_pair};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A fresh directory `<temp>/catapult-data-<pid>-<name>`, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("catapult-data-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn write_gz(&self, name: &str, bytes: &[u8]) -> PathBuf {
        self.write(name, &gzip(bytes))
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn idx_images(n: u32, rows: u32, cols: u32, pixels: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, 3];
    for v in [n, rows, cols] {
        bytes.extend(v.to_be_bytes());
    }
    bytes.extend(pixels);
    bytes
}

fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, 8, 1];
    bytes.extend((labels.len() as u32).to_be_bytes());
    bytes.extend(labels);
    bytes
}

/// Five 2×3 images, image `i` has pixel `k` equal to `10·i + k` (image 4: 250..=255), with
/// labels 1, 7, 1, 3, 7.
fn sample_images() -> (Vec<u8>, Vec<u8>) {
    let pixels: Vec<u8> = (0..5u8)
        .flat_map(|i| (0..6u8).map(move |k| if i == 4 { 250 + k } else { 10 * i + k }))
        .collect();
    (idx_images(5, 2, 3, &pixels), idx_labels(&[1, 7, 1, 3, 7]))
}

/// Asserts that `err`'s message names `path` and contains every one of `parts`.
fn assert_names(err: &LoadError, path: &Path, parts: &[&str]) {
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "`{message}` does not name {}",
        path.display()
    );
    for part in parts {
        assert!(message.contains(part), "`{message}` does not say `{part}`");
    }
}

#[test]
fn idx_raw_pair_loads_the_two_classes_in_file_order() {
    let dir = TempDir::new("idx-raw");
    let (images, labels) = sample_images();
    let images = dir.write("images-idx3-ubyte", &images);
    let labels = dir.write("labels-idx1-ubyte", &labels);
    let data = load_idx_pair(&images, &labels, 7, 1).unwrap();
    // items 0 (1), 1 (7), 2 (1), 4 (7); item 3 (digit 3) is dropped
    assert_eq!((data.len(), data.dim()), (4, 6));
    let y: Vec<f64> = data.y().iter().copied().collect();
    assert_eq!(y, [-1.0, 1.0, -1.0, 1.0]);
    for (row, item) in [0u8, 1, 2, 4].into_iter().enumerate() {
        for k in 0..6u8 {
            let byte = if item == 4 { 250 + k } else { 10 * item + k };
            assert_eq!(data.x()[(row, k as usize)], f64::from(byte) / 255.0);
        }
    }
    assert_eq!(data.x()[(3, 5)], 1.0);
    assert_eq!(data.x()[(0, 0)], 0.0);
}

#[test]
fn idx_classes_load_every_asked_digit_in_file_order_with_a_per_class_cap() {
    let dir = TempDir::new("idx-multi-class");
    let (images, labels) = sample_images();
    let images = dir.write("images-idx3-ubyte", &images);
    let labels = dir.write("labels-idx1-ubyte", &labels);
    // labels 1, 7, 1, 3, 7; digits [3, 7, 1] are classes 0, 1, 2.
    let all = load_idx_classes(&images, &labels, &[3, 7, 1], None).unwrap();
    assert_eq!(all.labels(), &[2, 1, 2, 0, 1]);
    assert_eq!(all.num_classes(), 3);
    assert_eq!(all.x()[(4, 0)], 250.0 / 255.0);
    let capped = load_idx_classes(&images, &labels, &[7, 1], Some(1)).unwrap();
    assert_eq!(capped.labels(), &[1, 0]);
    assert_eq!(capped.x()[(0, 0)], 0.0);
    assert_eq!(capped.x()[(1, 0)], 10.0 / 255.0);
    let missing = load_idx_classes(&images, &labels, &[1, 4], None).unwrap_err();
    assert_names(&missing, &labels, &["no item has label 4"]);
    assert!(matches!(
        load_idx_classes(&images, &labels, &[1, 1], None),
        Err(LoadError::SameClass { class: 1, .. })
    ));
    assert!(matches!(
        load_idx_classes(&images, &labels, &[], None),
        Err(LoadError::NoDigits { .. })
    ));
}

#[test]
fn idx_gzipped_files_load_the_same_as_raw_ones() {
    let dir = TempDir::new("idx-gz");
    let (images, labels) = sample_images();
    let raw = load_idx_pair(
        dir.write("images.idx", &images),
        dir.write("labels.idx", &labels),
        3,
        7,
    )
    .unwrap();
    let gz = load_idx_pair(
        dir.write_gz("images.idx.gz", &images),
        dir.write_gz("labels.idx.gz", &labels),
        3,
        7,
    )
    .unwrap();
    assert_eq!(raw, gz);
    // Detection is by the magic bytes, not the name; mixing raw and gzip is fine.
    let mixed = load_idx_pair(
        dir.write_gz("images-gz-without-extension", &images),
        dir.join("labels.idx"),
        3,
        7,
    )
    .unwrap();
    assert_eq!(raw, mixed);
    // items 1 (7), 3 (3), 4 (7); class_a = 3 is +1
    let y: Vec<f64> = raw.y().iter().copied().collect();
    assert_eq!(y, [-1.0, 1.0, -1.0]);
}

#[test]
fn idx_wrong_magic_numbers_are_named() {
    let dir = TempDir::new("idx-magic");
    let (images, labels) = sample_images();
    let images = dir.write("images.idx", &images);
    let labels = dir.write("labels.idx", &labels);
    // Images and labels swapped: the labels file is read first.
    let err = load_idx_pair(&labels, &images, 1, 7).unwrap_err();
    assert_names(
        &err,
        &images,
        &["wrong magic number 0x00000803", "expected 0x00000801"],
    );
    let err = load_idx_pair(&labels, &labels, 1, 7).unwrap_err();
    assert_names(
        &err,
        &labels,
        &["wrong magic number 0x00000801", "expected 0x00000803"],
    );
    let text = dir.write("text.idx", b"hello world, not idx");
    let err = load_idx_pair(&images, &text, 1, 7).unwrap_err();
    assert!(matches!(err, LoadError::IdxMagic { .. }));
    assert_names(&err, &text, &["wrong magic number 0x68656c6c"]);
}

#[test]
fn idx_count_mismatch_names_both_files() {
    let dir = TempDir::new("idx-count");
    let (images, _) = sample_images();
    let images = dir.write("images.idx", &images);
    let labels = dir.write("labels.idx", &idx_labels(&[1, 7, 1, 3]));
    let err = load_idx_pair(&images, &labels, 1, 7).unwrap_err();
    assert_names(&err, &images, &["5 images", "4 labels"]);
    assert_names(&err, &labels, &[]);
}

#[test]
fn idx_truncated_files_are_named_raw_and_gzipped() {
    let dir = TempDir::new("idx-truncated");
    let (images, labels) = sample_images();
    let short = &images[..images.len() - 4];
    let labels = dir.write("labels.idx", &labels);
    for path in [
        dir.write("short.idx", short),
        dir.write_gz("short.idx.gz", short),
    ] {
        let err = load_idx_pair(&path, &labels, 1, 7).unwrap_err();
        assert!(matches!(err, LoadError::IdxTruncated { .. }), "{err}");
        assert_names(&err, &path, &["truncated", "needs 46 bytes", "only 42"]);
    }
    // A truncated labels file, and a header cut short.
    let (_, full_labels) = sample_images();
    let path = dir.write("short-labels.idx", &full_labels[..11]);
    let err = load_idx_pair(dir.write("i.idx", &images), &path, 1, 7).unwrap_err();
    assert_names(&err, &path, &["truncated", "needs 13 bytes", "only 11"]);
    let path = dir.write("stub.idx", &[0, 0, 8, 3, 0, 0]);
    let err = load_idx_pair(&path, &labels, 1, 7).unwrap_err();
    assert_names(
        &err,
        &path,
        &["truncated: the header needs 16 bytes", "only 6"],
    );
}

#[test]
fn idx_huge_header_claims_fail_without_allocating() {
    let dir = TempDir::new("idx-huge");
    // 4.3e9 images of 65535×65535 pixels: 1.8e19 bytes promised, 10 held.
    let huge = idx_images(u32::MAX, 65_535, 65_535, &[7; 10]);
    let labels = dir.write("labels.idx", &idx_labels(&[1, 7]));
    let raw = dir.write("huge.idx", &huge);
    let err = load_idx_pair(&raw, &labels, 1, 7).unwrap_err();
    assert_names(&err, &raw, &["truncated", "only 26"]);
    // 4.3e9 labels promised by a tiny gzipped file.
    let huge_labels = [0u8, 0, 8, 1, 255, 255, 255, 255, 1, 7];
    let gz = dir.write_gz("huge-labels.gz", &huge_labels);
    let err = load_idx_pair(&raw, &gz, 1, 7).unwrap_err();
    assert_names(
        &err,
        &gz,
        &["truncated", "needs 4294967303 bytes", "only 10"],
    );
    // One gzipped image promised 65535×65535 pixels, 10 held.
    let one = dir.write("one-label.idx", &idx_labels(&[1]));
    let gz = dir.write_gz("huge-image.gz", &idx_images(1, 65_535, 65_535, &[7; 10]));
    let err = load_idx_pair(&gz, &one, 1, 7).unwrap_err();
    assert_names(
        &err,
        &gz,
        &["truncated", "needs 4294836241 bytes", "only 26"],
    );
}

#[test]
fn idx_trailing_bytes_are_an_error() {
    let dir = TempDir::new("idx-trailing");
    let (mut images, labels) = sample_images();
    images.extend([1, 2, 3]);
    let labels = dir.write("labels.idx", &labels);
    for path in [
        dir.write("long.idx", &images),
        dir.write_gz("long.idx.gz", &images),
    ] {
        let err = load_idx_pair(&path, &labels, 1, 7).unwrap_err();
        assert_names(&err, &path, &["3 bytes after the 46 bytes"]);
    }
}

#[test]
fn idx_bad_labels_classes_and_empty_pairs_are_errors() {
    let dir = TempDir::new("idx-classes");
    let (images, _) = sample_images();
    let images = dir.write("images.idx", &images);
    let labels = dir.write("labels.idx", &idx_labels(&[1, 7, 12, 3, 7]));
    let err = load_idx_pair(&images, &labels, 1, 7).unwrap_err();
    assert_names(&err, &labels, &["item 2 has label 12", "0..=9"]);

    let (_, good) = sample_images();
    let labels = dir.write("good-labels.idx", &good);
    let err = load_idx_pair(&images, &labels, 10, 7).unwrap_err();
    assert!(matches!(err, LoadError::ClassOutOfRange { class: 10, .. }));
    assert_names(&err, &images, &["class 10 is not a digit 0..=9"]);
    assert_names(&err, &labels, &[]);
    let err = load_idx_pair(&images, &labels, 7, 7).unwrap_err();
    assert_names(&err, &images, &["both 7", "two different digits"]);

    let err = load_idx_pair(&images, &labels, 2, 4).unwrap_err();
    assert!(matches!(err, LoadError::NoSamples { .. }));
    assert_names(
        &err,
        &labels,
        &["no item has label 2 or 4", "selects no samples"],
    );
}

#[test]
fn idx_zero_pixel_images_missing_files_and_fake_gzip_are_errors() {
    let dir = TempDir::new("idx-misc");
    let labels = dir.write("labels.idx", &idx_labels(&[1, 7]));
    let flat = dir.write("flat.idx", &idx_images(2, 0, 28, &[]));
    let err = load_idx_pair(&flat, &labels, 1, 7).unwrap_err();
    assert_names(&err, &flat, &["0×28 pixels"]);

    let missing = dir.join("no-such-file.idx");
    let err = load_idx_pair(&missing, &labels, 1, 7).unwrap_err();
    // labels are read first and exist; the images file is missing
    assert!(matches!(err, LoadError::Io { .. }));
    assert_names(&err, &missing, &["cannot read the file"]);

    let fake = dir.write("fake.idx.gz", &idx_labels(&[1, 7]));
    let err = load_idx_pair(&flat, &fake, 1, 7).unwrap_err();
    assert_names(&err, &fake, &["named .gz", "gzip magic bytes 1f 8b"]);

    let mut corrupt = gzip(&idx_labels(&[1, 7, 1, 7, 1, 7]));
    let middle = corrupt.len() / 2;
    corrupt[middle..].iter_mut().for_each(|b| *b ^= 0x5a);
    let corrupt = dir.write("corrupt.gz", &corrupt);
    let err = load_idx_pair(&flat, &corrupt, 1, 7).unwrap_err();
    assert_names(&err, &corrupt, &[]);
}

const IRIS_LIKE: &str = "\
sepal,petal,species,width
5.1,1.4,setosa,0.2
7.0,4.7,versicolor,1.4
4.9, 1.5 ,setosa,0.1

\"6.4\",4.5,versicolor,1.5
";

#[test]
fn csv_loads_by_name_and_by_index_raw_and_gzipped() {
    let dir = TempDir::new("csv-ok");
    let path = dir.write("iris.csv", IRIS_LIKE.as_bytes());
    let by_name = load_csv(&path, LabelColumn::Name("species".into()), "versicolor").unwrap();
    assert_eq!((by_name.len(), by_name.dim()), (4, 3));
    let y: Vec<f64> = by_name.y().iter().copied().collect();
    assert_eq!(y, [-1.0, 1.0, -1.0, 1.0]);
    let rows: Vec<Vec<f64>> = (0..4)
        .map(|i| (0..3).map(|j| by_name.x()[(i, j)]).collect())
        .collect();
    assert_eq!(
        rows,
        [
            [5.1, 1.4, 0.2],
            [7.0, 4.7, 1.4],
            [4.9, 1.5, 0.1],
            [6.4, 4.5, 1.5]
        ]
    );
    let by_index = load_csv(&path, LabelColumn::Index(2), "versicolor").unwrap();
    assert_eq!(by_index, by_name);
    let gz = dir.write_gz("iris.csv.gz", IRIS_LIKE.as_bytes());
    assert_eq!(
        load_csv(&gz, LabelColumn::Name("species".into()), "versicolor").unwrap(),
        by_name
    );
    let flipped = load_csv(&path, LabelColumn::Index(2), "setosa").unwrap();
    assert!((0..4).all(|i| flipped.y()[i] == -by_name.y()[i]));
    // Numeric labels work as strings.
    let numeric = dir.write("numeric.csv", b"a,b,label\n1,2,0\n3,4,1\n5,6,1\n");
    let data = load_csv(&numeric, LabelColumn::Index(2), "1").unwrap();
    assert_eq!(
        data.y().iter().copied().collect::<Vec<_>>(),
        [-1.0, 1.0, 1.0]
    );
}

#[test]
fn csv_ragged_rows_name_the_line() {
    let dir = TempDir::new("csv-ragged");
    let path = dir.write("ragged.csv", b"a,b,label\n1,2,x\n3,y\n4,5,y\n");
    let err = load_csv(&path, LabelColumn::Index(2), "x").unwrap_err();
    assert_names(&err, &path, &["line 3 has 2 fields but the header has 3"]);
}

#[test]
fn csv_non_numeric_and_non_finite_features_name_line_and_column() {
    let dir = TempDir::new("csv-numeric");
    let path = dir.write("bad.csv", b"a,b,label\n1,2,x\n3,abc,y\n");
    let err = load_csv(&path, LabelColumn::Name("label".into()), "x").unwrap_err();
    assert_names(
        &err,
        &path,
        &["line 3, column `b` (index 1): `abc` is not a finite number"],
    );
    let path = dir.write("nan.csv", b"label,a\nx,NaN\ny,1\n");
    let err = load_csv(&path, LabelColumn::Index(0), "x").unwrap_err();
    assert_names(&err, &path, &["line 2, column `a` (index 1): `NaN`"]);
    let path = dir.write("blank.csv", b"a,label\n,x\n1,y\n");
    let err = load_csv(&path, LabelColumn::Index(1), "x").unwrap_err();
    assert_names(&err, &path, &["line 2, column `a` (index 0): ``"]);
}

#[test]
fn csv_missing_and_ambiguous_label_columns() {
    let dir = TempDir::new("csv-label-column");
    let path = dir.write("data.csv", b"a,b,label\n1,2,x\n3,4,y\n");
    let err = load_csv(&path, LabelColumn::Name("class".into()), "x").unwrap_err();
    assert_names(
        &err,
        &path,
        &["no label column named `class`", "the header is `a,b,label`"],
    );
    let err = load_csv(&path, LabelColumn::Index(3), "x").unwrap_err();
    assert_names(&err, &path, &["no label column at index 3"]);
    let twice = dir.write("twice.csv", b"y,a,y\nx,1,x\nz,2,z\n");
    let err = load_csv(&twice, LabelColumn::Name("y".into()), "x").unwrap_err();
    assert_names(
        &err,
        &twice,
        &["`y` appears more than once", "indices 0 and 2"],
    );
    let only = dir.write("only.csv", b"label\nx\ny\n");
    let err = load_csv(&only, LabelColumn::Index(0), "x").unwrap_err();
    assert_names(&err, &only, &["only column", "no features"]);
}

#[test]
fn csv_empty_files_and_header_only_files() {
    let dir = TempDir::new("csv-empty");
    for (name, bytes) in [("empty.csv", &b""[..]), ("newlines.csv", &b"\n\n"[..])] {
        let path = dir.write(name, bytes);
        let err = load_csv(&path, LabelColumn::Index(0), "x").unwrap_err();
        assert_names(&err, &path, &["the file is empty"]);
    }
    let path = dir.write("header.csv", b"a,label\n");
    let err = load_csv(&path, LabelColumn::Index(1), "x").unwrap_err();
    assert_names(&err, &path, &["a header row but no data rows"]);
}

#[test]
fn csv_labels_must_be_exactly_two_values_including_the_positive_one() {
    let dir = TempDir::new("csv-labels");
    let three = dir.write("three.csv", b"a,label\n1,cat\n2,dog\n3,cat\n4,cow\n");
    let err = load_csv(&three, LabelColumn::Index(1), "cat").unwrap_err();
    assert_names(
        &err,
        &three,
        &[
            "line 5 has label `cow`",
            "`cat` and `dog`",
            "exactly two distinct label values",
        ],
    );
    let one = dir.write("one.csv", b"a,label\n1,cat\n2,cat\n");
    let err = load_csv(&one, LabelColumn::Index(1), "cat").unwrap_err();
    assert_names(&err, &one, &["every label is `cat`"]);
    let other = dir.write("other.csv", b"a,label\n1,cat\n2,dog\n");
    let err = load_csv(&other, LabelColumn::Index(1), "cow").unwrap_err();
    assert_names(
        &err,
        &other,
        &[
            "labels are `cat` and `dog`",
            "neither is the positive label `cow`",
        ],
    );
}

#[test]
fn csv_malformed_bytes_and_missing_files_are_named() {
    let dir = TempDir::new("csv-malformed");
    let path = dir.write("latin1.csv", b"a,label\n1,caf\xe9\n2,tea\n");
    let err = load_csv(&path, LabelColumn::Index(1), "tea").unwrap_err();
    assert!(matches!(err, LoadError::Csv { .. }), "{err}");
    assert_names(&err, &path, &["line 2", "malformed CSV", "UTF-8"]);
    let missing = dir.join("missing.csv");
    let err = load_csv(&missing, LabelColumn::Index(1), "x").unwrap_err();
    assert_names(&err, &missing, &["cannot read the file"]);
}
