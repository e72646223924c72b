//! A progress bar on stderr for long reconciles (only when stderr is a terminal).

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};
use paved::reconcile::{Observer, Progress};

pub struct Bar {
    bar: Mutex<Option<ProgressBar>>,
    tty: bool,
}

impl Bar {
    pub fn new(tty: bool) -> Bar {
        Bar { bar: Mutex::new(None), tty }
    }

    /// Clears the bar before the run's report is printed.
    pub fn finish(&self) {
        if let Some(b) = self.bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
            b.finish_and_clear();
        }
    }
}

impl Observer for Bar {
    fn progress(&self, event: &Progress<'_>) {
        if !self.tty {
            return;
        }
        let mut slot = self.bar.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            Progress::Phase(name) => {
                let b = slot.get_or_insert_with(|| {
                    let b = ProgressBar::new_spinner();
                    b.enable_steady_tick(std::time::Duration::from_millis(120));
                    b
                });
                b.set_message(name.to_string());
            }
            Progress::Commands(n) => {
                let b = slot.get_or_insert_with(|| ProgressBar::new(0));
                b.set_length(*n as u64);
                b.set_position(0);
                if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}") {
                    b.set_style(style.progress_chars("=> "));
                }
            }
            Progress::CommandStarted(line) => {
                if let Some(b) = slot.as_ref() {
                    b.set_message(line.to_string());
                }
            }
            Progress::CommandFinished { .. } => {
                if let Some(b) = slot.as_ref() {
                    b.inc(1);
                }
            }
            Progress::Target { .. } => {}
        }
    }
}
