//! The states of a case as the CERT handles it.

use vigie_model::vocabulary;

vocabulary! {
    /// Where a case stands in the CERT's handling.
    pub enum CaseState ("case state") {
        /// Received and acknowledged, not yet looked at.
        Received = ("received", "Reçu"),
        /// Being qualified by an analyst.
        Qualifying = ("qualifying", "En cours de qualification"),
        /// Waiting for complements from the structure.
        WaitingComplements = ("waiting_complements", "En attente de compléments"),
        /// The CERT is supporting the structure.
        Supporting = ("supporting", "Accompagnement en cours"),
        /// Closed.
        Closed = ("closed", "Clos"),
    }
}
