//! vigie-demo
