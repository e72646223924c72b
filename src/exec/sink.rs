//! Where command output goes while it runs, line by line, already masked.

use std::sync::Mutex;

use serde::Serialize;
use tokio::sync::mpsc;

/// Which pipe a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of output (without its newline).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub stream: Stream,
    pub text: String,
}

/// Receives output as it is produced. Called from the tasks reading the pipes: it must not
/// block for long (hand lines to a channel and store them elsewhere, as [`ChannelSink`] does).
pub trait LogSink: Send + Sync {
    fn line(&self, line: LogLine);
}

/// Drops everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl LogSink for NullSink {
    fn line(&self, _: LogLine) {}
}

/// Keeps every line in memory: for tests and short commands.
#[derive(Debug, Default)]
pub struct MemorySink(Mutex<Vec<LogLine>>);

impl MemorySink {
    pub fn lines(&self) -> Vec<LogLine> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The lines of one stream joined with newlines.
    pub fn text(&self, stream: Stream) -> String {
        self.lines().into_iter().filter(|l| l.stream == stream).map(|l| l.text + "\n").collect()
    }
}

impl LogSink for MemorySink {
    fn line(&self, line: LogLine) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }
}

/// Sends lines to a channel; the receiver stores them (e.g. appends them to the run's step log
/// in batches). Lines sent after the receiver is gone are dropped.
#[derive(Debug, Clone)]
pub struct ChannelSink(pub mpsc::UnboundedSender<LogLine>);

impl LogSink for ChannelSink {
    fn line(&self, line: LogLine) {
        let _ = self.0.send(line);
    }
}
