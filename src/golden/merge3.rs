//! Line-based three-way merge, as `git merge-file` does it: changes from both sides apply when
//! they touch different lines; where they overlap and differ, conflict markers hold both.

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// The merged text and how many conflicts it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    pub conflicts: usize,
}

/// A change of one side: base lines `start..end` become `lines`.
#[derive(Debug, Clone)]
struct Hunk<'a> {
    start: usize,
    end: usize,
    lines: Vec<&'a str>,
    theirs: bool,
}

fn hunks<'a>(base: &[&'a str], side: &[&'a str], theirs: bool) -> Vec<Hunk<'a>> {
    let mut out: Vec<Hunk<'a>> = Vec::new();
    // Positions come from running cursors: the indexes `similar` reports on inserts and
    // deletes are not always where the change sits in the other sequence.
    let (mut oi, mut ni) = (0usize, 0usize);
    for op in capture_diff_slices(Algorithm::Myers, base, side) {
        let (old_len, new_len, equal) = match op {
            DiffOp::Equal { len, .. } => (len, len, true),
            DiffOp::Delete { old_len, .. } => (old_len, 0, false),
            DiffOp::Insert { new_len, .. } => (0, new_len, false),
            DiffOp::Replace { old_len, new_len, .. } => (old_len, new_len, false),
        };
        let (start, end, new) = (oi, oi + old_len, ni..ni + new_len);
        oi += old_len;
        ni += new_len;
        if equal {
            continue;
        }
        // Adjacent operations (a delete next to an insert) are one change.
        match out.last_mut() {
            Some(h) if h.end == start => {
                h.end = end;
                h.lines.extend(&side[new]);
            }
            _ => out.push(Hunk { start, end, lines: side[new].to_vec(), theirs }),
        }
    }
    out
}

/// Merges the change from `base` to `theirs` into `ours`. Conflicts are marked with
/// `<<<<<<< {ours_label}`, `=======` and `>>>>>>> {theirs_label}`.
pub fn merge3(base: &str, ours: &str, theirs: &str, ours_label: &str, theirs_label: &str) -> Merged {
    let b: Vec<&str> = base.split_inclusive('\n').collect();
    let o: Vec<&str> = ours.split_inclusive('\n').collect();
    let t: Vec<&str> = theirs.split_inclusive('\n').collect();
    let mut all = hunks(&b, &o, false);
    all.extend(hunks(&b, &t, true));
    all.sort_by_key(|h| (h.start, h.end, h.theirs));

    let mut out = String::with_capacity(ours.len().max(theirs.len()));
    let mut conflicts = 0;
    let mut cursor = 0;
    let mut i = 0;
    while i < all.len() {
        // A group: hunks that overlap or touch.
        let (start, mut end) = (all[i].start, all[i].end);
        let mut j = i + 1;
        while j < all.len() && all[j].start <= end {
            end = end.max(all[j].end);
            j += 1;
        }
        let group = &all[i..j];
        out.extend(b[cursor..start].iter().copied());
        let side = |theirs: bool| -> Option<String> {
            let mine: Vec<&Hunk> = group.iter().filter(|h| h.theirs == theirs).collect();
            if mine.is_empty() {
                return None;
            }
            let mut s = String::new();
            let mut at = start;
            for h in mine {
                s.extend(b[at..h.start].iter().copied());
                s.extend(h.lines.iter().copied());
                at = h.end;
            }
            s.extend(b[at..end].iter().copied());
            Some(s)
        };
        match (side(false), side(true)) {
            (Some(x), None) | (None, Some(x)) => out.push_str(&x),
            (Some(x), Some(y)) if x == y => out.push_str(&x),
            (Some(x), Some(y)) => {
                conflicts += 1;
                out.push_str(&format!("<<<<<<< {ours_label}\n"));
                push_line_block(&mut out, &x);
                out.push_str("=======\n");
                push_line_block(&mut out, &y);
                out.push_str(&format!(">>>>>>> {theirs_label}\n"));
            }
            (None, None) => {}
        }
        cursor = end;
        i = j;
    }
    out.extend(b[cursor..].iter().copied());
    Merged { text: out, conflicts }
}

/// Appends a block, making sure it ends with a newline so the next marker starts a line.
fn push_line_block(out: &mut String, block: &str) {
    out.push_str(block);
    if !block.is_empty() && !block.ends_with('\n') {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(base: &str, ours: &str, theirs: &str) -> Merged {
        merge3(base, ours, theirs, "yours", "template v2")
    }

    #[test]
    fn clean_merges_and_conflicts() {
        let base = "a\nb\nc\nd\ne\n";
        assert_eq!(m(base, "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n").text, "A\nb\nc\nd\nE\n");
        assert_eq!(m(base, "a\nb\nc\nd\ne\nf\n", "z\na\nb\nc\nd\ne\n").text, "z\na\nb\nc\nd\ne\nf\n");
        assert_eq!(m(base, "a\nc\nd\ne\n", "a\nb\nc\nd\n").text, "a\nc\nd\n");
        // The same change on both sides applies once.
        assert_eq!(
            m(base, "a\nB\nc\nd\ne\n", "a\nB\nc\nd\ne\n"),
            Merged { text: "a\nB\nc\nd\ne\n".into(), conflicts: 0 }
        );
        let c = m(base, "a\nmine\nc\nd\ne\n", "a\ntheirs\nc\nd\ne\n");
        assert_eq!(c.conflicts, 1);
        assert_eq!(c.text, "a\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> template v2\nc\nd\ne\n");
        // No newline at the end of a side still gives well-formed markers.
        let c = m("x", "y", "z");
        assert_eq!(c.text, "<<<<<<< yours\ny\n=======\nz\n>>>>>>> template v2\n");
    }

    proptest! {
        #[test]
        fn one_sided_changes_win(base in proptest::collection::vec("[a-c]{0,2}\n", 0..12),
                                 side in proptest::collection::vec("[a-d]{0,2}\n", 0..12)) {
            let base = base.concat();
            let side = side.concat();
            prop_assert_eq!(m(&base, &base, &side), Merged { text: side.clone(), conflicts: 0 });
            prop_assert_eq!(m(&base, &side, &base), Merged { text: side.clone(), conflicts: 0 });
            prop_assert_eq!(m(&base, &side, &side), Merged { text: side, conflicts: 0 });
        }
    }
}
