//! The upload progress bar (indicatif, on stderr; hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar in bytes, sized once the upload knows its total.
#[derive(Clone)]
pub struct UploadBar(ProgressBar);

impl UploadBar {
    /// A bar of unknown length until the first update.
    pub fn new() -> Self {
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template(
            "uploading [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self(bar)
    }

    /// `sent` of `total` bytes are out.
    pub fn update(&self, sent: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(sent);
    }

    /// The upload is over: clear the bar.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
