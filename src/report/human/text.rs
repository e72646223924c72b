//! Source lines as a terminal shows them: lines split the way YAML splits them, characters
//! mapped to display cells, and hostile characters made visible.
//!
//! Diagnostic columns count characters; a terminal counts cells. A tab is drawn as four
//! spaces, East Asian wide characters and most emoji take two cells, combining marks none.
//! Control characters and bidirectional overrides in a file are drawn as visible stand-ins so
//! a descriptor cannot move the cursor, recolour the terminal or reorder what the reader sees.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

/// Display cells a tab takes (rustc draws tabs as four spaces too).
const TAB_WIDTH: usize = 4;

/// A file's text with its line boundaries.
pub(super) struct SourceText {
    text: std::sync::Arc<str>,
    lines: Vec<Range<usize>>,
}

impl SourceText {
    /// Splits `text` on `\n`, `\r\n` and a lone `\r`, as YAML does.
    pub fn new(text: std::sync::Arc<str>) -> SourceText {
        let bytes = text.as_bytes();
        let mut lines = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    lines.push(start..i);
                    start = i + 1;
                }
                b'\r' => {
                    lines.push(start..i);
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        if start < bytes.len() {
            lines.push(start..bytes.len());
        }
        SourceText { text, lines }
    }

    /// Line `n` (1-based) without its terminator or a byte order mark, which YAML does not
    /// count as a column.
    pub fn line(&self, n: u32) -> Option<&str> {
        let range = self.lines.get((n as usize).checked_sub(1)?)?;
        let line = &self.text[range.clone()];
        Some(line.strip_prefix('\u{FEFF}').unwrap_or(line))
    }

    pub fn line_count(&self) -> u32 {
        u32::try_from(self.lines.len()).unwrap_or(u32::MAX)
    }
}

/// A line prepared for the terminal: its printable text and where each character starts.
#[derive(Debug)]
pub(super) struct DisplayLine {
    text: String,
    /// Per character: the first display cell, the cells it takes, and its bytes in `text`.
    chars: Vec<(usize, usize, Range<usize>)>,
    width: usize,
}

impl DisplayLine {
    pub fn new(line: &str) -> DisplayLine {
        let mut text = String::with_capacity(line.len());
        let mut chars = Vec::with_capacity(line.len());
        let mut width = 0;
        for c in line.chars() {
            let start = text.len();
            let cells = match c {
                '\t' => {
                    text.extend(std::iter::repeat_n(' ', TAB_WIDTH));
                    TAB_WIDTH
                }
                c => {
                    let shown = visible(c);
                    text.push(shown);
                    shown.width().unwrap_or(0)
                }
            };
            chars.push((width, cells, start..text.len()));
            width += cells;
        }
        DisplayLine { text, chars, width }
    }

    /// Number of characters (diagnostic columns) on the line.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// The display cell where character `index` (0-based) starts; past the end, the cell just
    /// after the line.
    pub fn cell(&self, index: usize) -> usize {
        self.chars.get(index).map_or(self.width, |c| c.0)
    }

    /// Cells from the start of character `from` to the end of character `to - 1`, at least 1
    /// so that a zero-width or past-the-end target still gets a mark.
    pub fn cells_between(&self, from: usize, to: usize) -> usize {
        self.cell(to).saturating_sub(self.cell(from)).max(1)
    }

    /// The text to print: the whole line, or when it is wider than `max` cells, about `max`
    /// cells around cell `focus` with `...` marking what was cut.
    pub fn window(&self, focus: usize, max: usize) -> Window<'_> {
        if self.width <= max {
            return Window { text: self.text.as_str().into(), lo: 0, hi: self.width, prefix: 0 };
        }
        let lo_target = focus.saturating_sub(max / 3).min(self.width.saturating_sub(max));
        let first = self.chars.iter().position(|c| c.0 >= lo_target).unwrap_or(self.chars.len());
        let lo = self.cell(first);
        let mut hi = lo;
        let mut last = first;
        while last < self.chars.len() && self.chars[last].0 + self.chars[last].1 <= lo + max {
            hi = self.chars[last].0 + self.chars[last].1;
            last += 1;
        }
        let mut text = String::new();
        let prefix = if first > 0 { 3 } else { 0 };
        if first > 0 {
            text.push_str("...");
        }
        let bytes = match (self.chars.get(first), last.checked_sub(1).and_then(|l| self.chars.get(l))) {
            (Some(a), Some(b)) if last > first => a.2.start..b.2.end,
            _ => 0..0,
        };
        text.push_str(&self.text[bytes]);
        if last < self.chars.len() {
            text.push_str("...");
        }
        Window { text: text.into(), lo, hi, prefix }
    }
}

/// The part of a [`DisplayLine`] that is printed.
pub(super) struct Window<'a> {
    pub text: std::borrow::Cow<'a, str>,
    lo: usize,
    hi: usize,
    prefix: usize,
}

impl Window<'_> {
    /// Where full-line cell `x` lands in the printed text, clamped to what is shown.
    pub fn place(&self, x: usize) -> usize {
        self.prefix + x.clamp(self.lo, self.hi.max(self.lo)) - self.lo
    }
}

/// The character to draw for `c`: itself, or a visible stand-in for characters that would
/// act on the terminal or reorder text.
fn visible(c: char) -> char {
    match c {
        // C0 controls become the Unicode "control pictures" (U+2400 block), DEL its own.
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\x7f' => '\u{2421}',
        // C1 controls (CSI among them), bidirectional overrides and isolates (Trojan Source).
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => '\u{FFFD}',
        c => c,
    }
}

/// Text from a diagnostic (message, help), with control characters made visible except line
/// breaks, which separate lines.
pub(super) fn sanitize(text: &str) -> String {
    text.chars().map(|c| if c == '\n' || c == '\t' { c } else { visible(c) }).collect()
}

/// Text that must stay on one line (a file name, a rule id), every control character visible.
pub(super) fn sanitize_line(text: &str) -> String {
    text.chars().map(visible).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn lines_split_like_yaml() {
        let s = SourceText::new(Arc::from("\u{FEFF}a: 1\r\nb: 2\rc: 3\n\nd"));
        assert_eq!(s.line_count(), 5);
        assert_eq!(s.line(1), Some("a: 1"));
        assert_eq!(s.line(2), Some("b: 2"));
        assert_eq!(s.line(3), Some("c: 3"));
        assert_eq!(s.line(4), Some(""));
        assert_eq!(s.line(5), Some("d"));
        assert_eq!(s.line(0), None);
        assert_eq!(s.line(6), None);
    }

    #[test]
    fn tabs_wide_and_zero_width_characters_take_their_cells() {
        let l = DisplayLine::new("\tk: 支払い e\u{301}!");
        assert_eq!(l.cell(0), 0);
        assert_eq!(l.cell(1), 4); // after the tab
        assert_eq!(l.cell(4), 7); // 支
        assert_eq!(l.cells_between(4, 7), 6); // three wide characters
        assert_eq!(l.cell(8), 14); // e
        assert_eq!(l.cells_between(9, 10), 1); // a combining accent alone still gets a mark
        assert_eq!(l.cell(10), 15); // ! follows the accent without a cell of its own
        assert_eq!(l.cell(99), 16);
    }

    #[test]
    fn control_and_bidi_characters_are_drawn_visibly() {
        let l = DisplayLine::new("a\x1b[2Jb\u{202e}c\u{9b}d");
        assert!(!l.text.contains('\x1b'));
        assert!(!l.text.contains('\u{202e}'));
        assert!(!l.text.contains('\u{9b}'));
        assert_eq!(l.text, "a\u{241b}[2Jb\u{FFFD}c\u{FFFD}d");
        assert_eq!(l.len(), 10);
        assert_eq!(sanitize("x\x07y\nz"), "x\u{2407}y\nz");
        assert_eq!(sanitize_line("a\nb"), "a\u{240a}b");
    }

    #[test]
    fn long_lines_are_cut_around_the_focus() {
        let line = format!("{}TARGET{}", "a".repeat(500), "b".repeat(500));
        let l = DisplayLine::new(&line);
        let w = l.window(500, 120);
        assert!(w.text.starts_with("..."));
        assert!(w.text.ends_with("..."));
        let at = w.place(500);
        assert_eq!(&w.text[at..at + 6], "TARGET");
        assert!(w.text.len() <= 126);
        // Short lines are untouched.
        let s = DisplayLine::new("short");
        let w = s.window(2, 120);
        assert_eq!(w.text, "short");
        assert_eq!(w.place(2), 2);
    }
}
