//! The portal tested over HTTP.
