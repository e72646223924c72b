//! Code frames: the offending lines with the region marked, rustc-style.
//!
//! A one-line region is underlined with `^`. A region over several lines gets a bar down the
//! left (`/` where it starts at the line's indentation, otherwise a `_` run to its first
//! character) and a `_` run to its last character. Long lines are cut around the mark.

use super::style::{self, Paint};
use super::text::{DisplayLine, SourceText};
use crate::report::Severity;
use crate::report::location::{End, Region};

/// Cells of a source line shown before it is cut around the mark.
const MAX_WIDTH: usize = 120;
/// Lines inside a multi-line region shown before the middle is elided.
const MAX_INNER_LINES: u32 = 4;

/// A rendered frame: its rows and the gutter width the surrounding lines align to.
pub(super) struct Frame {
    pub gutter: usize,
    pub rows: Vec<String>,
}

/// The frame for `region` in `src`, or `None` when the file has no such line (a stale
/// position, or a diagnostic about a different version of the file).
pub(super) fn build(src: &SourceText, region: Region, severity: Severity, paint: Paint) -> Option<Frame> {
    src.line(region.line)?;
    let mut last = region.end.map_or(region.line, |e| e.line.min(src.line_count()));
    let mut end_column = region.end.filter(|e| e.line == last).and_then(|e| e.column);
    // A block node's span runs on over blank lines and comments up to the next token.
    while last > region.line && src.line(last).is_none_or(is_blank_or_comment) {
        last -= 1;
        end_column = None;
    }
    let mut f = Framer { src, paint, mark: style::severity(severity), gutter: digits(last), rows: Vec::new() };
    f.blank();
    if last == region.line {
        let end = match region.end {
            Some(_) if region.is_multiline() => Some(End { line: last, column: None }),
            end => end,
        };
        f.single(Region { end, ..region });
    } else {
        f.multi(region, last, end_column);
    }
    Some(Frame { gutter: f.gutter, rows: f.rows })
}

struct Framer<'a> {
    src: &'a SourceText,
    paint: Paint,
    mark: &'static str,
    gutter: usize,
    rows: Vec<String>,
}

impl Framer<'_> {
    fn single(&mut self, region: Region) {
        let n = region.line;
        let raw = self.src.line(n).unwrap_or_default();
        let line = DisplayLine::new(raw);
        let start = start_index(raw, region.column).min(line.len());
        let end = match region.end {
            Some(End { column: Some(c), .. }) => c as usize - 1,
            // Through the end of the line; with no column at all, the line is the best guess.
            Some(End { column: None, .. }) => last_non_blank(raw).map_or(start + 1, |i| i + 1),
            None if region.column.is_none() => last_non_blank(raw).map_or(start + 1, |i| i + 1),
            None => start + 1,
        };
        let end = end.min(line.len()).max(start + 1);
        let (from, to) = (line.cell(start), line.cell(start) + line.cells_between(start, end));
        self.context(n, from, "");
        let w = line.window(from, MAX_WIDTH);
        let (a, b) = (w.place(from), w.place(to));
        self.source(Some(n), "", &w.text);
        let carets = self.paint.paint(&"^".repeat(b.saturating_sub(a).max(1)), self.mark);
        self.source(None, "", &format!("{}{carets}", " ".repeat(a)));
    }

    fn multi(&mut self, region: Region, last: u32, end_column: Option<u32>) {
        let first = region.line;
        let raw = self.src.line(first).unwrap_or_default();
        let line = DisplayLine::new(raw);
        let start = start_index(raw, region.column).min(line.len());
        let from = line.cell(start);
        self.context(first, from, "  ");
        let w = line.window(from, MAX_WIDTH);
        if start <= first_non_blank(raw).unwrap_or(line.len()) {
            self.source(Some(first), &self.bar("/ "), &w.text);
        } else {
            self.source(Some(first), "  ", &w.text);
            let run = format!(" {}^", "_".repeat(w.place(from) + 1));
            self.source(None, &self.paint.paint(&run, self.mark), "");
        }
        let inner = last - first - 1;
        for n in first + 1..last {
            let skipped = inner > MAX_INNER_LINES && n > first + 2 && n < last - 1;
            if skipped {
                if n == first + 3 {
                    self.rows.push(self.paint.paint("...", style::GUTTER));
                }
                continue;
            }
            let text = self.src.line(n).unwrap_or_default();
            self.source(Some(n), &self.bar("| "), &DisplayLine::new(text).window(0, MAX_WIDTH).text);
        }
        let raw = self.src.line(last).unwrap_or_default();
        let line = DisplayLine::new(raw);
        let last_char = match end_column {
            Some(c) => (c as usize).saturating_sub(2),
            None => last_non_blank(raw).unwrap_or(0),
        };
        let to = line.cell(last_char.min(line.len().saturating_sub(1)));
        let w = line.window(to, MAX_WIDTH);
        self.source(Some(last), &self.bar("| "), &w.text);
        let run = format!("|{}^", "_".repeat(w.place(to) + 1));
        self.source(None, &self.paint.paint(&run, self.mark), "");
    }

    /// The line before `n` when it helps: it exists and is not blank (in YAML it is usually
    /// the parent key).
    fn context(&mut self, n: u32, focus: usize, bar: &str) {
        if let Some(prev) = n.checked_sub(1).and_then(|p| self.src.line(p))
            && !prev.trim().is_empty()
        {
            self.source(Some(n - 1), bar, &DisplayLine::new(prev).window(focus, MAX_WIDTH).text);
        }
    }

    fn bar(&self, s: &str) -> String {
        self.paint.paint(s.trim_end(), self.mark) + &s[s.trim_end().len()..]
    }

    fn blank(&mut self) {
        self.source(None, "", "");
    }

    fn source(&mut self, number: Option<u32>, bar: &str, text: &str) {
        let number = number.map(|n| n.to_string()).unwrap_or_default();
        let gutter = self.paint.paint(&format!("{number:>w$} |", w = self.gutter), style::GUTTER);
        let row = format!("{gutter} {bar}{text}");
        self.rows.push(row.trim_end().to_string());
    }
}

/// 0-based index of the first marked character: the column, or the line's first non-blank
/// character when the column is unknown.
fn start_index(raw: &str, column: Option<u32>) -> usize {
    match column {
        Some(c) => c as usize - 1,
        None => first_non_blank(raw).unwrap_or(0),
    }
}

fn first_non_blank(raw: &str) -> Option<usize> {
    raw.chars().position(|c| c != ' ' && c != '\t')
}

fn last_non_blank(raw: &str) -> Option<usize> {
    let count = raw.chars().count();
    raw.chars().rev().position(|c| c != ' ' && c != '\t').map(|i| count - 1 - i)
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// Decimal digits of `n`, the width of the line-number gutter.
pub(super) fn digits(n: u32) -> usize {
    n.max(1).ilog10() as usize + 1
}
