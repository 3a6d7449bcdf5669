//! vigie-store
