//! Integration tests of the exports: VERIS against the real schema, STIX and MISP
//! structure, and one known incident in every format.

mod cases;
mod misp;
mod render;
mod stix;
mod taxonomy;
mod veris;
