//! Paris local time, dates as French readers write them, French public holidays and
//! working hours. Every crate reasons about time in Europe/Paris through this module.
//!
//! Working hours (HO/JO) are Monday to Friday, 09:00–17:59 in Europe/Paris, on a day that
//! is not one of the 11 public holidays of the Code du travail (art. L3133-1): 1 January,
//! Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July, 15 August, 1 November,
//! 11 November and 25 December. Everything else is HNO/JNO.

use std::sync::LazyLock;

use crate::DepositSlot;
use jiff::{
    Timestamp,
    civil::{Date, DateTime, Weekday},
    tz::TimeZone,
};

static PARIS: LazyLock<TimeZone> = LazyLock::new(|| {
    // The time zone database is bundled into the binary (jiff's `tzdb-bundle-always`).
    TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC)
});

/// The Europe/Paris time zone, with its daylight saving time changes.
pub fn paris() -> &'static TimeZone {
    &PARIS
}

/// The civil date and time in Paris at an instant.
pub fn paris_time(at: Timestamp) -> DateTime {
    paris().to_datetime(at)
}

/// French month names, January first.
pub const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A date as French readers write it, like `1er mars 2024` or `19 juillet 2024`.
pub fn french_date(date: Date) -> String {
    let month = usize::try_from(date.month() - 1)
        .ok()
        .and_then(|idx| MONTHS_FR.get(idx))
        .copied()
        .unwrap_or_default();
    match date.day() {
        1 => format!("1er {month} {}", date.year()),
        day => format!("{day} {month} {}", date.year()),
    }
}

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

/// Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day 1..=31 by construction of the algorithm.
    Date::new(year, month as i8, day as i8).unwrap_or(Date::constant(2000, 4, 23))
}

/// A French public holiday of metropolitan France (Code du travail, art. L3133-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holiday {
    /// Jour de l'an, 1 January.
    NewYear,
    /// Lundi de Pâques.
    EasterMonday,
    /// Fête du travail, 1 May.
    LabourDay,
    /// Victoire 1945, 8 May.
    VictoryInEurope,
    /// Ascension, Easter + 39 days.
    Ascension,
    /// Lundi de Pentecôte, Easter + 50 days.
    WhitMonday,
    /// Fête nationale, 14 July.
    BastilleDay,
    /// Assomption, 15 August.
    Assumption,
    /// Toussaint, 1 November.
    AllSaints,
    /// Armistice 1918, 11 November.
    Armistice,
    /// Noël, 25 December.
    Christmas,
}

impl Holiday {
    /// The French name.
    pub fn label(self) -> &'static str {
        match self {
            Holiday::NewYear => "1er janvier",
            Holiday::EasterMonday => "Lundi de Pâques",
            Holiday::LabourDay => "1er mai",
            Holiday::VictoryInEurope => "8 mai",
            Holiday::Ascension => "Ascension",
            Holiday::WhitMonday => "Lundi de Pentecôte",
            Holiday::BastilleDay => "14 juillet",
            Holiday::Assumption => "Assomption",
            Holiday::AllSaints => "Toussaint",
            Holiday::Armistice => "11 novembre",
            Holiday::Christmas => "Jour de Noël",
        }
    }
}

/// The public holiday falling on `date`, if any.
pub fn holiday(date: Date) -> Option<Holiday> {
    let fixed = match (date.month(), date.day()) {
        (1, 1) => Some(Holiday::NewYear),
        (5, 1) => Some(Holiday::LabourDay),
        (5, 8) => Some(Holiday::VictoryInEurope),
        (7, 14) => Some(Holiday::BastilleDay),
        (8, 15) => Some(Holiday::Assumption),
        (11, 1) => Some(Holiday::AllSaints),
        (11, 11) => Some(Holiday::Armistice),
        (12, 25) => Some(Holiday::Christmas),
        _ => None,
    };
    if fixed.is_some() || !(3..=6).contains(&date.month()) {
        return fixed;
    }
    let easter = easter_sunday(date.year());
    let days = easter
        .until(date)
        .map(|span| span.get_days())
        .unwrap_or(i32::MIN);
    match days {
        1 => Some(Holiday::EasterMonday),
        39 => Some(Holiday::Ascension),
        50 => Some(Holiday::WhitMonday),
        _ => None,
    }
}

/// Whether `date` is a working day: Monday to Friday and not a public holiday.
pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && holiday(date).is_none()
}

/// The slot of figure 4 in which a declaration deposited at `at` falls.
pub fn deposit_slot(at: Timestamp) -> DepositSlot {
    let local = paris_time(at);
    if !is_working_day(local.date()) {
        return DepositSlot::Jno;
    }
    let minutes = i32::from(local.hour()) * 60 + i32::from(local.minute());
    match minutes {
        540..1080 => DepositSlot::HoJo,
        1080..1110 => DepositSlot::Jo1800To1829,
        1110..1200 => DepositSlot::Jo1830To1959,
        _ => DepositSlot::Jo2000To0859,
    }
}

/// Whether `at` falls in working hours (HO/JO).
pub fn is_working_hours(at: Timestamp) -> bool {
    deposit_slot(at) == DepositSlot::HoJo
}

#[cfg(test)]
mod tests;
