//! Table-driven tests of holidays, Paris time and the deposit slots.

use super::*;
use crate::DepositSlot::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn easter_sundays() {
    for (year, date) in [
        (2008, "2008-03-23"),
        (2019, "2019-04-21"),
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2027, "2027-03-28"),
        (2038, "2038-04-25"),
    ] {
        assert_eq!(easter_sunday(year).to_string(), date, "{year}");
    }
}

/// The official list of metropolitan holidays 2006–2031 (Etalab), as shipped in
/// `data/reference/fr-jours-feries/` with its source and licence.
const OFFICIAL_HOLIDAYS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/reference/fr-jours-feries/jours_feries_metropole.csv"
));

#[test]
fn holidays_match_the_official_list() {
    let mut reader = csv::Reader::from_reader(OFFICIAL_HOLIDAYS.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        &csv::StringRecord::from(vec!["date", "nom_jour_ferie"])
    );
    // Date → names: Ascension fell on 1 May in 2008, one day with two holidays.
    let mut official = std::collections::BTreeMap::<Date, Vec<String>>::new();
    for record in reader.records() {
        let record = record.unwrap();
        let day = record[0].parse::<Date>().unwrap();
        official.entry(day).or_default().push(record[1].to_owned());
    }
    assert_eq!(official.len(), 26 * 11 - 1, "{} days read", official.len());
    assert_eq!(
        official[&Date::constant(2008, 5, 1)],
        ["Ascension", "1er mai"]
    );
    let mut day = Date::constant(2006, 1, 1);
    while day <= Date::constant(2031, 12, 31) {
        match (holiday(day), official.get(&day)) {
            (None, None) => {}
            (Some(h), Some(names)) => assert!(names.iter().any(|n| n == h.label()), "{day}"),
            (got, want) => panic!("{day}: computed {got:?}, official {want:?}"),
        }
        day = day.tomorrow().unwrap();
    }
}

#[test]
fn deposit_slots() {
    let cases = [
        // Working-hours boundaries, winter (UTC+1).
        ("2024-03-05T07:59:59Z", Jo2000To0859),
        ("2024-03-05T08:00:00Z", HoJo),
        ("2024-03-05T16:59:59Z", HoJo),
        ("2024-03-05T17:00:00Z", Jo1800To1829),
        ("2024-03-05T17:29:59Z", Jo1800To1829),
        ("2024-03-05T17:30:00Z", Jo1830To1959),
        ("2024-03-05T18:59:59Z", Jo1830To1959),
        ("2024-03-05T19:00:00Z", Jo2000To0859),
        ("2024-03-05T22:59:59Z", Jo2000To0859),
        // Summer (UTC+2).
        ("2024-07-02T07:00:00Z", HoJo),
        ("2024-07-02T06:59:00Z", Jo2000To0859),
        ("2024-07-02T16:00:00Z", Jo1800To1829),
        // Week-end.
        ("2024-03-09T10:00:00Z", Jno),
        ("2024-03-10T10:00:00Z", Jno),
        // Friday night into Saturday in Paris.
        ("2024-03-08T22:59:00Z", Jo2000To0859),
        ("2024-03-08T23:00:00Z", Jno),
        // Holidays of 2024: Easter Monday, Ascension, Whit Monday, 8 May, 11 November, 25 December.
        ("2024-04-01T10:00:00Z", Jno),
        ("2024-05-09T10:00:00Z", Jno),
        ("2024-05-20T10:00:00Z", Jno),
        ("2024-05-08T10:00:00Z", Jno),
        ("2024-11-11T10:00:00Z", Jno),
        ("2024-12-25T10:00:00Z", Jno),
        // The day after a holiday is a working day again.
        ("2024-05-10T10:00:00Z", HoJo),
        // DST begins 2024-03-31 (Sunday) and ends 2024-10-27 (Sunday): the Mondays after.
        ("2024-04-02T07:00:00Z", HoJo),
        ("2024-04-02T06:59:59Z", Jo2000To0859),
        ("2024-10-28T08:00:00Z", HoJo),
        ("2024-10-28T07:59:59Z", Jo2000To0859),
        // DST days themselves are Sundays.
        ("2024-03-31T01:30:00Z", Jno),
        ("2024-10-27T00:30:00Z", Jno),
        // New Year's Eve: 23:30 UTC on 31 December is already 1 January in Paris.
        ("2024-12-31T22:59:59Z", Jo2000To0859),
        ("2024-12-31T23:00:00Z", Jno),
        // An offset far from Paris.
        ("2024-03-05T12:00:00-05:00", Jo1800To1829),
    ];
    for (at, want) in cases {
        assert_eq!(deposit_slot(ts(at)), want, "{at}");
    }
}

#[test]
fn paris_time_follows_both_dst_changes() {
    // 2024-03-31 02:00 Paris does not exist: 01:00 UTC is 03:00 CEST.
    assert_eq!(
        paris_time(ts("2024-03-31T00:59:59Z")).to_string(),
        "2024-03-31T01:59:59"
    );
    assert_eq!(
        paris_time(ts("2024-03-31T01:00:00Z")).to_string(),
        "2024-03-31T03:00:00"
    );
    // 2024-10-27 02:00–02:59 Paris happens twice.
    assert_eq!(
        paris_time(ts("2024-10-27T00:30:00Z")).to_string(),
        "2024-10-27T02:30:00"
    );
    assert_eq!(
        paris_time(ts("2024-10-27T01:30:00Z")).to_string(),
        "2024-10-27T02:30:00"
    );
    // The year of a declaration is its Paris year.
    assert_eq!(paris_time(ts("2023-12-31T23:30:00Z")).year(), 2024);
}
