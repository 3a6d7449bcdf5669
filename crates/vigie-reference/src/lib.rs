//! vigie-reference
