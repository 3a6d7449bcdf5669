//! vigie-observatory
