//! `--format json`: the report as one pretty-printed JSON document
//! (`docs/scan-output.md`). Pure.

use super::FormatError;
use crate::scan::finding::ScanReport;

/// The document, followed by a newline.
pub fn render(report: &ScanReport) -> Result<String, FormatError> {
    let mut json = serde_json::to_string_pretty(report)?;
    json.push('\n');
    Ok(json)
}
