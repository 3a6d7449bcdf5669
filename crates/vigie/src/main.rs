//! The vigie command.
fn main() {}
