//! Progress bars of the long steps, on standard error.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting items (incidents).
pub fn count(len: u64, message: &'static str) -> ProgressBar {
    styled(
        len,
        message,
        "{msg:22} {elapsed_precise} [{bar:30}] {human_pos}/{human_len} ({per_sec}, eta {eta})",
    )
}

/// A bar counting bytes.
pub fn bytes(len: u64, message: &'static str) -> ProgressBar {
    styled(
        len,
        message,
        "{msg:22} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec})",
    )
}

/// A spinner for a step of unknown length.
pub fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed_precise}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

fn styled(len: u64, message: &'static str, template: &str) -> ProgressBar {
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    ProgressBar::new(len)
        .with_style(style)
        .with_message(message)
}
