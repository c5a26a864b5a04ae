//! Records on disk: one JSON file per run, written atomically, read back to skip finished
//! runs.

use crate::RunRecord;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Whether `name` is a temporary file of [`write_record`] (`.NAME.PID.tmp`): such files are
/// never finished records, and `catapult merge` skips them.
///
/// ```
/// use catapult_lab::sweep::is_temp_file_name;
/// assert!(is_temp_file_name(".w64-f5e-1-s0.json.4242.tmp"));
/// assert!(!is_temp_file_name("w64-f5e-1-s0.json"));
/// ```
pub fn is_temp_file_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes `record` as pretty JSON to `path` so that `path` either does not exist or holds
/// the whole record: the JSON goes to a temporary file beside it (see
/// [`is_temp_file_name`]), is flushed to disk, then renamed over `path`.
pub fn write_record(path: &Path, record: &RunRecord) -> io::Result<()> {
    let mut json = serde_json::to_string_pretty(record).map_err(io::Error::other)?;
    json.push('\n');
    let temp = temp_path(path);
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(json.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// The finished record at `path`: `None` if there is no file or it does not parse as a
/// record (e.g. half-written by a tool other than [`write_record`]); an error only if the
/// file exists but cannot be read.
pub fn read_finished(path: &Path) -> io::Result<Option<RunRecord>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
