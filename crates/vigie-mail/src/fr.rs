//! Dates as French readers expect them, in Paris time.

use jiff::Timestamp;
use vigie_workflow::calendar::{french_date, paris_time};

/// An instant in Europe/Paris local time, like `5 mars 2024 à 14 h 30` or `1er août 2024 à 9 h 05`.
pub fn french_date_time(at: Timestamp) -> String {
    let local = paris_time(at);
    format!(
        "{} à {} h {:02}",
        french_date(local.date()),
        local.hour(),
        local.minute()
    )
}
