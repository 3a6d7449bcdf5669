//! Dates as French readers expect them, in Paris time.

use jiff::Timestamp;
use vigie_workflow::calendar::{MONTHS_FR as MONTHS, paris_time};

/// An instant in Europe/Paris local time, like `5 mars 2024 à 14 h 30` or `1er août 2024 à 9 h 05`.
pub fn french_date_time(at: Timestamp) -> String {
    let local = paris_time(at);
    let month = usize::try_from(local.month() - 1)
        .ok()
        .and_then(|idx| MONTHS.get(idx))
        .copied()
        .unwrap_or_default();
    let day = match local.day() {
        1 => "1er".to_owned(),
        day => day.to_string(),
    };
    format!(
        "{day} {month} {} à {} h {:02}",
        local.year(),
        local.hour(),
        local.minute()
    )
}
