//! Views of the dashboards drawn at random from the whole filter space: a year, then no
//! filter, one dimension or several, each with or without a period of months.

use serde_json::{Value, json};
use vigie_model::{Code, LegalStatus, Origin, Region, StructureType};
use vigie_observatory::{Filter, Period};

/// One dashboard view: a year and a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// The year shown (the year before beside it).
    pub year: i16,
    /// The filter.
    pub filter: Filter,
}

/// A value of a vocabulary, or none, with probability `p` of a value.
fn maybe<T: Code>(rng: &mut fastrand::Rng, p: f64) -> Option<T> {
    (rng.f64() < p).then(|| T::ALL[rng.usize(..T::ALL.len())])
}

impl View {
    /// A view drawn from the whole space: the measured year three times in four (else one
    /// of the four before); region, structure type, legal status and origin each filtered
    /// one time in three; a period of months one time in two. About one view in ten has
    /// no filter at all, and one in three a single one.
    pub fn random(rng: &mut fastrand::Rng, measured: i16) -> View {
        let year = if rng.u8(..4) < 3 {
            measured
        } else {
            measured - rng.i16(1..=4)
        };
        let period = if rng.bool() {
            Period::YEAR
        } else {
            let (a, b) = (rng.u8(1..=12), rng.u8(1..=12));
            Period::new(a.min(b), a.max(b)).unwrap_or(Period::YEAR)
        };
        View {
            year,
            filter: Filter {
                region: maybe::<Region>(rng, 1.0 / 3.0),
                kind: maybe::<StructureType>(rng, 1.0 / 3.0),
                legal_status: maybe::<LegalStatus>(rng, 1.0 / 3.0),
                origin: maybe::<Origin>(rng, 1.0 / 3.0),
                period,
            },
        }
    }

    /// `n` views drawn from `seed`.
    pub fn sample(seed: u64, measured: i16, n: usize) -> Vec<View> {
        let mut rng = fastrand::Rng::with_seed(seed);
        (0..n).map(|_| View::random(&mut rng, measured)).collect()
    }

    /// The query string the dashboard's form sends for this view (every field, as a
    /// browser sends them).
    pub fn query(&self) -> String {
        fn code<T: Code>(v: Option<T>) -> &'static str {
            v.map_or("", |v| v.code())
        }
        let f = &self.filter;
        format!(
            "annee={}&du={}&au={}&region={}&structure={}&statut={}&origine={}",
            self.year,
            f.period.from(),
            f.period.to(),
            code(f.region),
            code(f.kind),
            code(f.legal_status),
            code(f.origin)
        )
    }

    /// The view as `duckdb_figures.py --views` reads it.
    pub fn to_json(self) -> Value {
        let f = self.filter;
        json!({
            "year": self.year,
            "region": f.region.map(|v| v.code()),
            "kind": f.kind.map(|v| v.code()),
            "legal_status": f.legal_status.map(|v| v.code()),
            "origin": f.origin.map(|v| v.code()),
            "from": f.period.from(),
            "to": f.period.to(),
        })
    }

    /// A short description, for messages.
    pub fn describe(&self) -> String {
        self.query()
            .split('&')
            .filter(|p| !p.ends_with('='))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_cover_no_filter_single_and_combined_filters_and_periods() {
        let views = View::sample(7, 2024, 2_000);
        let dimensions = |v: &View| {
            let f = v.filter;
            [
                f.region.is_some(),
                f.kind.is_some(),
                f.legal_status.is_some(),
                f.origin.is_some(),
                !f.period.is_whole_year(),
            ]
            .iter()
            .filter(|&&d| d)
            .count()
        };
        let share = |n: usize| views.iter().filter(|v| dimensions(v) == n).count();
        assert!(share(0) > 100, "no filter: {}", share(0));
        assert!(share(1) > 300, "one filter: {}", share(1));
        assert!(share(3) > 100, "three filters: {}", share(3));
        assert!(views.iter().any(|v| v.year != 2024));
        assert_eq!(views, View::sample(7, 2024, 2_000), "deterministic");
        let v = View {
            year: 2024,
            filter: Filter {
                region: Some(Region::Occitanie),
                period: Period::new(3, 5).unwrap(),
                ..Filter::default()
            },
        };
        assert_eq!(
            v.query(),
            "annee=2024&du=3&au=5&region=76&structure=&statut=&origine="
        );
        assert_eq!(v.to_json()["region"], "76");
        assert_eq!(v.to_json()["kind"], Value::Null);
    }
}
