//! Regions of France by INSEE code, overseas included.

use crate::vocabulary;

vocabulary! {
    /// A region (INSEE code), in the order of the interchange schema and of figure 6.
    pub enum Region ("region") {
        /// Île-de-France.
        IleDeFrance = ("11", "Île-de-France"),
        /// Centre-Val de Loire.
        CentreValDeLoire = ("24", "Centre-Val de Loire"),
        /// Bourgogne-Franche-Comté.
        BourgogneFrancheComte = ("27", "Bourgogne-Franche-Comté"),
        /// Normandie.
        Normandie = ("28", "Normandie"),
        /// Hauts-de-France.
        HautsDeFrance = ("32", "Hauts-de-France"),
        /// Grand Est.
        GrandEst = ("44", "Grand Est"),
        /// Pays de la Loire.
        PaysDeLaLoire = ("52", "Pays de la Loire"),
        /// Bretagne.
        Bretagne = ("53", "Bretagne"),
        /// Nouvelle-Aquitaine.
        NouvelleAquitaine = ("75", "Nouvelle-Aquitaine"),
        /// Occitanie.
        Occitanie = ("76", "Occitanie"),
        /// Auvergne-Rhône-Alpes.
        AuvergneRhoneAlpes = ("84", "Auvergne-Rhône-Alpes"),
        /// Provence-Alpes-Côte d'Azur.
        ProvenceAlpesCoteDAzur = ("93", "Provence-Alpes-Côte d'Azur"),
        /// Corse.
        Corse = ("94", "Corse"),
        /// Guadeloupe.
        Guadeloupe = ("01", "Guadeloupe"),
        /// Martinique.
        Martinique = ("02", "Martinique"),
        /// Guyane.
        Guyane = ("03", "Guyane"),
        /// La Réunion.
        LaReunion = ("04", "La Réunion"),
        /// Mayotte.
        Mayotte = ("06", "Mayotte"),
        /// Saint-Pierre-et-Miquelon.
        SaintPierreEtMiquelon = ("975", "Saint-Pierre-et-Miquelon"),
        /// Saint-Barthélemy.
        SaintBarthelemy = ("977", "Saint-Barthélemy"),
        /// Saint-Martin.
        SaintMartin = ("978", "Saint-Martin"),
        /// Terres australes et antarctiques françaises.
        Taaf = ("984", "Terres australes et antarctiques françaises"),
        /// Wallis-et-Futuna.
        WallisEtFutuna = ("986", "Wallis-et-Futuna"),
        /// Polynésie française.
        PolynesieFrancaise = ("987", "Polynésie française"),
        /// Nouvelle-Calédonie.
        NouvelleCaledonie = ("988", "Nouvelle-Calédonie"),
    }
}

impl Region {
    /// The 13 regions of metropolitan France, in figure 7's order.
    pub const METROPOLITAN: &'static [Region] = &[
        Region::IleDeFrance,
        Region::CentreValDeLoire,
        Region::BourgogneFrancheComte,
        Region::Normandie,
        Region::HautsDeFrance,
        Region::GrandEst,
        Region::PaysDeLaLoire,
        Region::Bretagne,
        Region::NouvelleAquitaine,
        Region::Occitanie,
        Region::AuvergneRhoneAlpes,
        Region::ProvenceAlpesCoteDAzur,
        Region::Corse,
    ];

    /// Whether the region is in metropolitan France (Corsica included).
    pub fn is_metropolitan(self) -> bool {
        (self as u8) <= (Region::Corse as u8)
    }

    /// The region of a department (INSEE `01`…`95`, `2A`, `2B`, `971`…`976`, or the
    /// FINESS codes `9A`…`9F` for overseas departments).
    pub fn of_department(dep: &str) -> Option<Region> {
        use Region::*;
        let r =
            match dep {
                "971" | "9A" => Guadeloupe,
                "972" | "9B" => Martinique,
                "973" | "9C" => Guyane,
                "974" | "9D" => LaReunion,
                "976" | "9F" => Mayotte,
                "975" | "9E" => SaintPierreEtMiquelon,
                "977" => SaintBarthelemy,
                "978" => SaintMartin,
                "984" => Taaf,
                "986" => WallisEtFutuna,
                "987" => PolynesieFrancaise,
                "988" => NouvelleCaledonie,
                "2A" | "2B" | "20" => Corse,
                "75" | "77" | "78" | "91" | "92" | "93" | "94" | "95" => IleDeFrance,
                "18" | "28" | "36" | "37" | "41" | "45" => CentreValDeLoire,
                "21" | "25" | "39" | "58" | "70" | "71" | "89" | "90" => BourgogneFrancheComte,
                "14" | "27" | "50" | "61" | "76" => Normandie,
                "02" | "59" | "60" | "62" | "80" => HautsDeFrance,
                "08" | "10" | "51" | "52" | "54" | "55" | "57" | "67" | "68" | "88" => GrandEst,
                "44" | "49" | "53" | "72" | "85" => PaysDeLaLoire,
                "22" | "29" | "35" | "56" => Bretagne,
                "16" | "17" | "19" | "23" | "24" | "33" | "40" | "47" | "64" | "79" | "86"
                | "87" => NouvelleAquitaine,
                "09" | "11" | "12" | "30" | "31" | "32" | "34" | "46" | "48" | "65" | "66"
                | "81" | "82" => Occitanie,
                "01" | "03" | "07" | "15" | "26" | "38" | "42" | "43" | "63" | "69" | "73"
                | "74" => AuvergneRhoneAlpes,
                "04" | "05" | "06" | "13" | "83" | "84" => ProvenceAlpesCoteDAzur,
                _ => return None,
            };
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    #[test]
    fn metropolitan_regions_are_the_first_thirteen() {
        assert_eq!(Region::METROPOLITAN.len(), 13);
        assert!(Region::METROPOLITAN.iter().all(|r| r.is_metropolitan()));
        assert_eq!(
            Region::ALL.iter().filter(|r| !r.is_metropolitan()).count(),
            12
        );
        assert!(Region::parse("2A").is_err());
        assert_eq!(Region::of_department("2B"), Some(Region::Corse));
        assert_eq!(Region::of_department("9D"), Some(Region::LaReunion));
    }
}
