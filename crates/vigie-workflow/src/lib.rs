//! vigie-workflow
