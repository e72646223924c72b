//! Reading a child's pipes: line by line, masked, into the sink and the outcome.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};

use super::{LogLine, LogSink, MAX_STDOUT, Masker, Stream, TAIL_LINES};

/// Longest piece read at once. A longer line is let go in pieces, never splitting a secret.
const MAX_SEGMENT: u64 = 64 * 1024;

/// What the outcome keeps of the output.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub stdout: String,
    pub stdout_truncated: bool,
    pub tail: VecDeque<String>,
}

impl Collected {
    fn push(&mut self, stream: Stream, text: &str, line_end: bool) {
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(text.to_string());
        if stream == Stream::Stdout {
            if self.stdout.len() + text.len() < MAX_STDOUT {
                self.stdout.push_str(text);
                if line_end {
                    self.stdout.push('\n');
                }
            } else {
                self.stdout_truncated = true;
            }
        }
    }
}

/// Everything a pipe reader needs, shared by the stdout and stderr readers.
#[derive(Clone)]
pub(crate) struct Pump {
    pub masker: Arc<Masker>,
    pub sink: Arc<dyn LogSink>,
    pub collected: Arc<Mutex<Collected>>,
}

impl Pump {
    /// Reads `reader` to its end. Secrets are masked per line, so one split across two reads
    /// (or two writes of the child) is still masked.
    pub async fn run<R: AsyncRead + Unpin>(self, reader: R, stream: Stream) -> std::io::Result<()> {
        let mut reader = BufReader::new(reader);
        let mut pending = Vec::new();
        loop {
            let n = (&mut reader).take(MAX_SEGMENT).read_until(b'\n', &mut pending).await?;
            if n == 0 {
                if !pending.is_empty() {
                    self.emit(stream, &pending, true);
                }
                return Ok(());
            }
            if pending.last() == Some(&b'\n') {
                pending.pop();
                if pending.last() == Some(&b'\r') {
                    pending.pop();
                }
                self.emit(stream, &pending, true);
                pending.clear();
            } else if n as u64 == MAX_SEGMENT {
                let cut = self.masker.safe_prefix(&pending);
                if cut > 0 {
                    self.emit(stream, &pending[..cut], false);
                    pending.drain(..cut);
                }
            }
        }
    }

    fn emit(&self, stream: Stream, bytes: &[u8], line_end: bool) {
        let masked = self.masker.mask_bytes(bytes);
        let text = String::from_utf8_lossy(&masked).into_owned();
        self.collected.lock().unwrap_or_else(|e| e.into_inner()).push(stream, &text, line_end);
        self.sink.line(LogLine { stream, text });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::MemorySink;

    async fn pump(input: &[u8], masker: Masker) -> (Vec<String>, Collected) {
        let sink = Arc::new(MemorySink::default());
        let collected = Arc::new(Mutex::new(Collected::default()));
        let p = Pump { masker: Arc::new(masker), sink: sink.clone(), collected: collected.clone() };
        p.run(input, Stream::Stdout).await.unwrap();
        let c = std::mem::take(&mut *collected.lock().unwrap());
        (sink.lines().into_iter().map(|l| l.text).collect(), c)
    }

    #[tokio::test]
    async fn lines_crlf_and_a_last_line_without_newline() {
        let (lines, c) = pump(b"one\r\ntwo\n\nthree", Masker::default()).await;
        assert_eq!(lines, ["one", "two", "", "three"]);
        assert_eq!(c.stdout, "one\ntwo\n\nthree\n");
        assert_eq!(c.tail.len(), 4);
    }

    #[tokio::test]
    async fn a_secret_in_an_overlong_line_is_masked_across_pieces() {
        let secret = "s3cr3t-value-0123456789";
        // Place the secret across the first piece boundary.
        let mut input = vec![b'a'; MAX_SEGMENT as usize - 10];
        input.extend_from_slice(secret.as_bytes());
        input.extend(vec![b'b'; 100]);
        input.push(b'\n');
        let (lines, c) = pump(&input, Masker::new([secret])).await;
        assert!(lines.len() >= 2, "the line was let go in pieces");
        assert!(!c.stdout.contains(secret) && !lines.concat().contains("s3cr3t"));
        assert_eq!(c.stdout.matches("***").count(), 1);
        assert_eq!(c.stdout.len(), input.len() - secret.len() + 3);
    }

    #[tokio::test]
    async fn the_tail_keeps_the_last_lines() {
        let input: String = (0..TAIL_LINES + 50).map(|i| format!("line {i}\n")).collect();
        let (_, c) = pump(input.as_bytes(), Masker::default()).await;
        assert_eq!(c.tail.len(), TAIL_LINES);
        assert_eq!(c.tail.front().unwrap(), "line 50");
    }
}
