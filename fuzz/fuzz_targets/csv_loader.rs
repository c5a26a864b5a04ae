//! Any bytes as a CSV file: the loader returns a dataset or an error naming the file, with
//! the label column given by name and by index, and never panics.
#![no_main]

use catapult_data::{LabelColumn, load_csv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("catapult-fuzz-csv-{}.csv", std::process::id()));
    std::fs::write(&path, data).expect("write csv");
    for label in [LabelColumn::Name("label".to_string()), LabelColumn::Index(0)] {
        if let Err(error) = load_csv(&path, label, "1") {
            assert!(error.to_string().contains("catapult-fuzz-csv"), "{error}");
        }
    }
});
