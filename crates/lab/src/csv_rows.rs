//! Rows of any serialisable type as a CSV table.

use serde::Serialize;

/// Writes `rows` as CSV with a header from the field names; a `None` is an empty field.
pub fn write_csv_rows<T: Serialize>(
    rows: &[T],
    out: impl std::io::Write,
) -> Result<(), csv::Error> {
    let mut writer = csv::Writer::from_writer(out);
    for row in rows {
        writer.serialize(row)?;
    }
    writer.flush()?;
    Ok(())
}
