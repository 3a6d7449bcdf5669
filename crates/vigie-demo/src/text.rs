//! French titles and descriptions, as a declarant and an analyst would write them.

use fastrand::Rng;
use vigie_model::{
    CareImpact, Category, Code, InfraSide, OutOfScopeReason, Qualification, RansomwareReach,
    Structure,
};

use crate::structures::pick;

/// A title and a description for an incident of this qualification.
pub(crate) fn texts(
    rng: &mut Rng,
    q: &Qualification,
    primary: Option<Category>,
    care: CareImpact,
    structure: &Structure,
) -> (String, String) {
    use Category as K;
    let title: String = if q.event().is_some() {
        "Postes et serveurs Windows bloqués après une mise à jour CrowdStrike Falcon".into()
    } else if let Some(reason) = q.out_of_scope_reason() {
        match reason {
            OutOfScopeReason::Exercise => "Exercice de crise cyber : déclaration simulée".into(),
            OutOfScopeReason::NotHealthIs => (*pick(
                rng,
                &[
                    "Panne du site Internet institutionnel",
                    "Incident sur le système de gestion du restaurant du personnel",
                    "Dysfonctionnement de la vidéoprotection du parking",
                ],
            ))
            .into(),
        }
    } else {
        match primary {
            Some(K::Ransomware) => match q.ransomware_reach() {
                Some(RansomwareReach::MultiServer) => {
                    "Rançongiciel : chiffrement de plusieurs serveurs".into()
                }
                Some(RansomwareReach::SingleServer) => "Rançongiciel : un serveur chiffré".into(),
                Some(RansomwareReach::Provider) => {
                    "Rançongiciel chez un prestataire de solution métier".into()
                }
                _ => "Rançongiciel détecté sur un poste de travail".into(),
            },
            Some(K::SiCompromise) => "Compromission du système d'information".into(),
            Some(K::AccountCompromise) => (*pick(
                rng,
                &[
                    "Compromission d'une boîte de messagerie",
                    "Compromission d'un compte VPN",
                    "Compromission d'un compte Active Directory",
                ],
            ))
            .into(),
            Some(K::CredentialTheft) => (*pick(
                rng,
                &[
                    "Identifiants volés par un infostealer",
                    "Identifiants de comptes en vente sur Internet",
                ],
            ))
            .into(),
            Some(K::Phishing) => (*pick(
                rng,
                &[
                    "Campagne d'hameçonnage ciblant le personnel",
                    "Courriel de harponnage usurpant la direction",
                ],
            ))
            .into(),
            Some(K::VulnExploitation) => (*pick(
                rng,
                &[
                    "Exploitation d'une vulnérabilité du pare-feu",
                    "Exploitation d'une vulnérabilité de la passerelle VPN",
                ],
            ))
            .into(),
            Some(K::BruteForce) => "Attaque par force brute sur un service exposé".into(),
            Some(K::DataLeak) => "Fuite de données patients".into(),
            Some(K::Malware) => "Logiciel malveillant détecté par l'antivirus".into(),
            Some(K::Ddos) => "Déni de service sur le site Internet".into(),
            Some(K::Defacement) => "Défiguration du site Internet".into(),
            Some(K::OtherMalicious) => (*pick(
                rng,
                &[
                    "Escroquerie au faux fournisseur",
                    "Tentative d'escroquerie téléphonique au faux support",
                ],
            ))
            .into(),
            Some(K::InfraFailure) => match q.infra_side() {
                Some(InfraSide::Provider) => {
                    "Indisponibilité d'une solution hébergée chez le prestataire".into()
                }
                _ => "Panne de l'infrastructure locale (stockage, virtualisation)".into(),
            },
            Some(K::TelecomLoss) => (*pick(
                rng,
                &[
                    "Perte du lien télécom",
                    "Coupure de la téléphonie et d'Internet",
                ],
            ))
            .into(),
            Some(K::AppBug) => (*pick(
                rng,
                &[
                    "Bug du dossier patient informatisé",
                    "Dysfonctionnement du logiciel de prescription",
                ],
            ))
            .into(),
            Some(K::PowerOutage) => "Coupure électrique affectant la salle serveurs".into(),
            Some(K::EquipmentFailure) => "Panne d'équipement réseau".into(),
            Some(K::FaultyUpdate) => "Mise à jour problématique d'un logiciel métier".into(),
            Some(K::OtherNonMalicious) | None => "Alerte de sécurité à qualifier".into(),
        }
    };
    let mut description = format!(
        "Signalement fictif du jeu de démonstration, déclaré par {} ({}). ",
        structure.name,
        structure.kind.label()
    );
    let categories: Vec<&str> = q.categories().iter().map(|c| c.label()).collect();
    if !categories.is_empty() {
        description.push_str(&format!("Qualification : {}. ", categories.join(", ")));
    }
    description.push_str(match care {
        CareImpact::None => "Aucun impact sur la prise en charge des patients.",
        CareImpact::Degraded => {
            "La structure a basculé en mode dégradé le temps de la remédiation."
        }
        CareImpact::Interrupted => "La prise en charge des patients a été interrompue.",
    });
    (title, description)
}
