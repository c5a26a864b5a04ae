//! Any bytes as an IDX images/labels pair (the first byte says where to cut): the loader
//! returns a dataset or an error naming the file, never panics, and never allocates what the
//! header claims before the data is there.
#![no_main]

use catapult_data::load_idx_pair;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("catapult-fuzz-idx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fuzz_target!(|data: &[u8]| {
    let Some((&cut, rest)) = data.split_first() else {
        return;
    };
    let cut = (usize::from(cut) * rest.len() / 255).min(rest.len());
    let (images, labels) = rest.split_at(cut);
    let dir = scratch();
    let (images_path, labels_path) = (dir.join("images"), dir.join("labels"));
    std::fs::write(&images_path, images).expect("write images");
    std::fs::write(&labels_path, labels).expect("write labels");
    if let Err(error) = load_idx_pair(&images_path, &labels_path, 3, 5) {
        assert!(!error.to_string().is_empty());
    }
});
