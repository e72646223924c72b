//! A diagnostic's place in its file, normalised once for every renderer.
//!
//! Diagnostics come from YAML spans: 1-based lines and columns counted in characters, the end
//! exclusive. Block nodes end at column 1 of the line after their last one, and a bogus end
//! (before the start) must not leak into SARIF or annotations, so renderers read positions
//! through [`Region`] rather than from the raw fields.

use super::Diagnostic;

/// Where a diagnostic sits, as renderers need it. Lines are 1-based and never 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub line: u32,
    /// 1-based character column, when known.
    pub column: Option<u32>,
    /// Where the region ends, when known; `None` means a point at (`line`, `column`).
    pub end: Option<End>,
}

/// The end of a [`Region`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct End {
    /// The last line the region covers (inclusive), `>= Region::line`.
    pub line: u32,
    /// The column just after the last character on `line`; `None` means "through the end of
    /// the line".
    pub column: Option<u32>,
}

impl Region {
    /// The region of `d`, or `None` when its line is unknown.
    pub fn of(d: &Diagnostic) -> Option<Region> {
        if d.line == 0 {
            return None;
        }
        let line = d.line;
        let column = (d.column > 0).then_some(d.column);
        let end_column = d.end_column.filter(|c| *c > 0);
        let end = match (d.end_line, end_column) {
            (Some(el), _) if el < line => None,
            // A block node ends where the next line starts: it covers through the previous line.
            (Some(el), Some(1)) if el > line => Some(End { line: el - 1, column: None }),
            (Some(el), ec) if el > line => Some(End { line: el, column: ec }),
            // Same line: an end column only means something after a start column.
            (_, Some(ec)) => match column {
                Some(c) if ec > c => Some(End { line, column: Some(ec) }),
                _ => None,
            },
            (Some(_), None) => Some(End { line, column: None }),
            (None, None) => None,
        };
        Some(Region { line, column, end })
    }

    /// True when the region spans more than one line.
    pub fn is_multiline(&self) -> bool {
        self.end.is_some_and(|e| e.line > self.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(line: u32, column: u32, end: Option<(u32, u32)>) -> Diagnostic {
        let mut d = Diagnostic::error("r", "m").at(line, column);
        if let Some((l, c)) = end {
            d.end_line = Some(l);
            d.end_column = Some(c);
        }
        d
    }

    #[test]
    fn no_line_means_no_region() {
        assert_eq!(Region::of(&d(0, 0, None)), None);
        assert_eq!(Region::of(&d(0, 4, Some((2, 3)))), None);
    }

    #[test]
    fn single_line_span_keeps_exclusive_end() {
        let r = Region::of(&d(3, 5, Some((3, 9)))).unwrap();
        assert_eq!(r.end, Some(End { line: 3, column: Some(9) }));
        assert!(!r.is_multiline());
    }

    #[test]
    fn block_end_at_column_one_covers_through_previous_line() {
        let r = Region::of(&d(3, 3, Some((7, 1)))).unwrap();
        assert_eq!(r.end, Some(End { line: 6, column: None }));
        // A block that ends on the very next line is a one-line region to the end of the line.
        let r = Region::of(&d(3, 3, Some((4, 1)))).unwrap();
        assert_eq!(r.end, Some(End { line: 3, column: None }));
        assert!(!r.is_multiline());
    }

    #[test]
    fn bogus_ends_become_points() {
        assert_eq!(Region::of(&d(5, 5, Some((4, 9)))).unwrap().end, None);
        assert_eq!(Region::of(&d(5, 5, Some((5, 5)))).unwrap().end, None);
        assert_eq!(Region::of(&d(5, 5, Some((5, 2)))).unwrap().end, None);
        assert_eq!(Region::of(&d(5, 0, Some((5, 9)))).unwrap().end, None);
    }

    #[test]
    fn unknown_column_is_none() {
        let r = Region::of(&d(2, 0, None)).unwrap();
        assert_eq!((r.line, r.column, r.end), (2, None, None));
    }
}
