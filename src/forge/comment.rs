//! Sticky comments: hidden markers and splitting long bodies on safe boundaries.
//!
//! One comment per request and purpose carries `<!-- paved:<purpose> -->` on its first line;
//! a body longer than the forge allows continues in comments marked
//! `<!-- paved:<purpose>:part-N -->`. Splits fall between lines outside fenced code blocks and
//! `<details>` elements. When one such block is itself longer than a comment, it is cut and
//! closed at the end of the part, then reopened at the start of the next, so every comment
//! still renders as balanced Markdown. Pure functions; the forges do the IO.

/// GitHub's limit on an issue or pull request comment, in characters.
pub const GITHUB_LIMIT: usize = 65_536;
/// GitLab's limit on a note, in characters.
pub const GITLAB_LIMIT: usize = 1_000_000;
/// At most this many comments per purpose; the rest of a longer body is cut with a note.
pub const MAX_PARTS: usize = 30;

const CONTINUED_FROM: &str = "_(continued from the previous comment)_\n\n";
const CONTINUED_IN: &str = "\n\n_(continued in the next comment)_";
const DETAILS_REOPEN: &str = "<details>\n<summary>(continued)</summary>\n\n";
const DETAILS_CLOSE: &str = "\n</details>\n";

/// The marker on the first line of part `part` (1-based) of `purpose`'s comment.
pub fn marker(purpose: &str, part: usize) -> String {
    if part <= 1 { format!("<!-- paved:{purpose} -->") } else { format!("<!-- paved:{purpose}:part-{part} -->") }
}

/// Which part of `purpose`'s comment `body` is, judged by its first line.
pub fn part_of(body: &str, purpose: &str) -> Option<usize> {
    let first = body.lines().next()?.trim();
    if first == marker(purpose, 1) {
        return Some(1);
    }
    let rest = first.strip_prefix("<!-- paved:")?.strip_prefix(purpose)?.strip_prefix(":part-")?;
    let n: usize = rest.strip_suffix(" -->")?.parse().ok()?;
    (n >= 2).then_some(n)
}

/// A Markdown construct that must not be cut.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    /// A fenced code block opened by `fence` (```` ``` ````, `~~~~` ...) with an info string.
    Fence {
        fence: String,
        info: String,
    },
    Details,
}

/// One comment's worth of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// 1-based.
    pub index: usize,
    /// This part's slice of the original body.
    pub content: String,
    /// Blocks open where the part starts (reopened before `content`).
    open: Vec<Block>,
    /// Blocks still open where it ends (closed after `content`).
    close: Vec<Block>,
    /// Characters of the body left out because it needed more than [`MAX_PARTS`] comments.
    pub truncated: usize,
}

impl Part {
    /// The comment text: marker, continuation notes, and the part's content with any cut
    /// block closed and reopened.
    pub fn render(&self, purpose: &str, total: usize) -> String {
        let mut out = marker(purpose, self.index);
        out.push('\n');
        if self.index > 1 {
            out.push_str(CONTINUED_FROM);
        }
        out.push_str(&reopen(&self.open));
        out.push_str(&self.content);
        out.push_str(&close(&self.close, self.content.ends_with('\n') || self.content.is_empty()));
        if self.truncated > 0 {
            out.push_str(&format!(
                "\n\n_(cut: {} more characters did not fit in {MAX_PARTS} comments)_",
                self.truncated
            ));
        } else if self.index < total {
            out.push_str(CONTINUED_IN);
        }
        out
    }
}

/// Splits `body` into comments of at most `limit` characters each (markers included) and
/// renders them.
pub fn split(purpose: &str, body: &str, limit: usize) -> Vec<String> {
    let parts = split_parts(purpose, body, limit);
    let n = parts.len();
    parts.iter().map(|p| p.render(purpose, n)).collect()
}

/// Splits `body` into [`Part`]s whose rendered form fits `limit` characters.
pub fn split_parts(purpose: &str, body: &str, limit: usize) -> Vec<Part> {
    // Room for the widest marker, both continuation notes and the cut note, whichever part
    // this turns out to be.
    let fixed = chars(&marker(purpose, 99)) + 1 + chars(CONTINUED_FROM) + CONTINUED_IN.len().max(80);
    let mut parts = Vec::new();
    let mut pos = 0;
    let mut stack: Vec<Block> = Vec::new();
    loop {
        let mut open = stack.clone();
        if fixed + chars(&reopen(&open)) + chars(&close(&open, false)) + 16 > limit {
            // Absurdly deep nesting: give up on keeping it balanced rather than on progress.
            open.clear();
        }
        let budget = limit.saturating_sub(fixed + chars(&reopen(&open)));
        let (end, after) = next_cut(body, pos, &open, budget);
        let index = parts.len() + 1;
        let truncated = if index == MAX_PARTS && end < body.len() { chars(&body[end..]) } else { 0 };
        parts.push(Part { index, content: body[pos..end].to_string(), open, close: after.clone(), truncated });
        if end >= body.len() || truncated > 0 {
            break;
        }
        pos = end;
        stack = after;
    }
    parts
}

/// The end of the part starting at `pos` and the blocks open there.
fn next_cut(body: &str, pos: usize, open: &[Block], budget: usize) -> (usize, Vec<Block>) {
    let mut used = 0;
    let mut cur = pos;
    let mut stack = open.to_vec();
    let mut safe: Option<(usize, Vec<Block>)> = None;
    let mut any: Option<(usize, Vec<Block>)> = None;
    for line in body[pos..].split_inclusive('\n') {
        let mut next = stack.clone();
        step(&mut next, line.trim_end_matches(['\n', '\r']));
        let len = chars(line);
        let at_end = cur + line.len() == body.len();
        if used + len + chars(&close(&next, line.ends_with('\n'))) > budget {
            break;
        }
        used += len;
        cur += line.len();
        stack = next;
        if at_end {
            return (cur, stack);
        }
        if stack.is_empty() {
            safe = Some((cur, stack.clone()));
        }
        any = Some((cur, stack.clone()));
    }
    if let Some(cut) = safe.or(any) {
        return cut;
    }
    // Not even one line fits: cut inside it.
    let text = &body[pos..];
    let mut room = budget.saturating_sub(chars(&close(open, false))).max(1);
    loop {
        let cut = mid_line_cut(text, room);
        let mut after = open.to_vec();
        step(&mut after, &text[..cut]);
        let over = (chars(&text[..cut]) + chars(&close(&after, false))).saturating_sub(budget);
        if over == 0 || room == 1 {
            return (pos + cut, after);
        }
        room = room.saturating_sub(over).max(1);
    }
}

/// A byte offset into `text` of at most `room` characters (at least one), moved back so it
/// does not split an HTML tag or leave the rest starting with a fence.
fn mid_line_cut(text: &str, room: usize) -> usize {
    let line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut cut = text.char_indices().nth(room).map_or(text.len(), |(i, _)| i).min(line_end);
    if let Some(lt) = text[..cut].rfind('<')
        && !text[lt..cut].contains('>')
        && lt > 0
        && cut - lt < 200
    {
        cut = lt;
    }
    while cut > 1 && matches!(text[cut..].trim_start_matches(' ').chars().next(), Some('`' | '~')) {
        cut = text[..cut].char_indices().next_back().map_or(0, |(i, _)| i);
    }
    if cut == 0 { text.chars().next().map_or(text.len(), char::len_utf8) } else { cut }
}

/// Applies one line (without its newline) to the stack of open blocks.
fn step(stack: &mut Vec<Block>, line: &str) {
    if let Some(Block::Fence { fence, .. }) = stack.last() {
        if closes_fence(line, fence) {
            stack.pop();
        }
        return;
    }
    if let Some((fence, info)) = opens_fence(line) {
        stack.push(Block::Fence { fence, info });
        return;
    }
    let lower = line.to_ascii_lowercase();
    let mut i = 0;
    while i < lower.len() {
        let rest = &lower[i..];
        if rest.starts_with("</details>") {
            if stack.last() == Some(&Block::Details) {
                stack.pop();
            }
            i += "</details>".len();
        } else if rest.starts_with("<details")
            && matches!(rest.as_bytes().get("<details".len()), Some(b'>' | b' ' | b'\t'))
        {
            stack.push(Block::Details);
            i += "<details".len();
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
}

/// CommonMark: up to three spaces, then three or more backticks or tildes.
fn opens_fence(line: &str) -> Option<(String, String)> {
    let t = strip_indent(line)?;
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    if n < 3 {
        return None;
    }
    let info = t[n..].trim();
    if c == '`' && info.contains('`') {
        return None;
    }
    Some((c.to_string().repeat(n), info.to_string()))
}

fn closes_fence(line: &str, fence: &str) -> bool {
    let Some(t) = strip_indent(line) else { return false };
    let c = fence.chars().next().unwrap_or('`');
    let n = t.chars().take_while(|x| *x == c).count();
    n >= fence.len() && t[n..].trim().is_empty()
}

fn strip_indent(line: &str) -> Option<&str> {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    (spaces <= 3).then(|| &line[spaces..])
}

fn reopen(open: &[Block]) -> String {
    open.iter()
        .map(|b| match b {
            Block::Fence { fence, info } => format!("{fence}{info}\n"),
            Block::Details => DETAILS_REOPEN.to_string(),
        })
        .collect()
}

fn close(open: &[Block], at_line_start: bool) -> String {
    let mut out = String::new();
    let mut line_start = at_line_start;
    for b in open.iter().rev() {
        match b {
            Block::Fence { fence, .. } => {
                if !line_start {
                    out.push('\n');
                }
                out.push_str(fence);
                out.push('\n');
            }
            Block::Details => out.push_str(DETAILS_CLOSE),
        }
        line_start = true;
    }
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Whether every fence and `<details>` opened in `text` is closed in it, by the same rules
/// the splitter uses. For tests and for checking rendered comments.
pub fn is_balanced(text: &str) -> bool {
    let mut stack = Vec::new();
    for line in text.split('\n') {
        step(&mut stack, line.trim_end_matches('\r'));
    }
    stack.is_empty()
}

#[cfg(test)]
mod tests;
