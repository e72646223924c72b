use super::*;

fn rendered_ok(purpose: &str, body: &str, limit: usize) -> Vec<String> {
    let parts = split_parts(purpose, body, limit);
    let joined: String = parts.iter().map(|p| p.content.as_str()).collect();
    assert_eq!(joined, body, "parts must concatenate to the body");
    let out: Vec<String> = parts.iter().map(|p| p.render(purpose, parts.len())).collect();
    for (i, c) in out.iter().enumerate() {
        assert!(c.chars().count() <= limit, "part {} is {} chars", i + 1, c.chars().count());
        assert!(is_balanced(c), "part {} unbalanced:\n{c}", i + 1);
        assert_eq!(part_of(c, purpose), Some(i + 1));
    }
    out
}

#[test]
fn markers_round_trip() {
    assert_eq!(marker("plan", 1), "<!-- paved:plan -->");
    assert_eq!(marker("plan", 3), "<!-- paved:plan:part-3 -->");
    assert_eq!(part_of("<!-- paved:plan -->\nbody", "plan"), Some(1));
    assert_eq!(part_of("<!-- paved:plan:part-12 -->\n", "plan"), Some(12));
    assert_eq!(part_of("<!-- paved:plan:part-1 -->\n", "plan"), None);
    assert_eq!(part_of("<!-- paved:planner -->\n", "plan"), None);
    assert_eq!(part_of("> <!-- paved:plan -->\n", "plan"), None, "a quote of the comment is not the comment");
    assert_eq!(part_of("", "plan"), None);
}

#[test]
fn short_body_is_one_part() {
    let out = rendered_ok("plan", "hello\n", GITHUB_LIMIT);
    assert_eq!(out, vec!["<!-- paved:plan -->\nhello\n".to_string()]);
    let out = rendered_ok("plan", "", 200);
    assert_eq!(out, vec!["<!-- paved:plan -->\n".to_string()]);
}

#[test]
fn splits_between_blocks_not_inside_them() {
    let block = "<details><summary>s</summary>\n\n```\nline\nline\n```\n</details>\n";
    let body = block.repeat(20);
    let out = rendered_ok("plan", &body, 400);
    assert!(out.len() > 1);
    for part in &out[..out.len() - 1] {
        assert!(part.ends_with(CONTINUED_IN));
        // Cut between whole blocks: nothing had to be reopened.
        assert!(!part.contains("(continued)</summary>"), "{part}");
    }
    assert!(out[1].contains(CONTINUED_FROM));
}

#[test]
fn a_block_longer_than_a_comment_is_closed_and_reopened() {
    let body = format!("intro\n```hcl\n{}```\nafter\n", "resource \"x\" \"y\" {}\n".repeat(100));
    let out = rendered_ok("plan", &body, 500);
    assert!(out.len() > 3);
    assert!(out[1].contains("```hcl\n"), "the fence is reopened with its info string:\n{}", out[1]);
    let body = format!("<details>\n<summary>plan</summary>\n\n{}\n</details>\n", "text line\n".repeat(200));
    let out = rendered_ok("plan", &body, 400);
    assert!(out[1].contains("<summary>(continued)</summary>"));
}

#[test]
fn a_line_longer_than_a_comment_is_cut_inside() {
    let body = format!("```\n{}\n```\n", "x".repeat(2000));
    let out = rendered_ok("plan", &body, 300);
    assert!(out.len() >= 7);
    let body = "é".repeat(1000);
    rendered_ok("plan", &body, 250);
}

#[test]
fn bodies_over_the_part_cap_are_cut_with_a_note() {
    let body = "line\n".repeat(10_000);
    let parts = split_parts("plan", &body, 500);
    assert_eq!(parts.len(), MAX_PARTS);
    let last = parts.last().unwrap();
    assert!(last.truncated > 0);
    let text = last.render("plan", parts.len());
    assert!(text.contains("more characters did not fit"), "{text}");
    assert!(text.chars().count() <= 500);
}

#[test]
fn tilde_fences_and_longer_closers() {
    let mut s = Vec::new();
    step(&mut s, "~~~~ yaml");
    assert_eq!(s, vec![Block::Fence { fence: "~~~~".into(), info: "yaml".into() }]);
    step(&mut s, "~~~");
    assert_eq!(s.len(), 1, "a shorter closer does not close");
    step(&mut s, "<details>");
    assert_eq!(s.len(), 1, "tags inside code are text");
    step(&mut s, "  ~~~~~  ");
    assert!(s.is_empty());
    step(&mut s, "    ```");
    assert!(s.is_empty(), "four spaces make an indented code line, not a fence");
    step(&mut s, "``` a`b");
    assert!(s.is_empty(), "backtick fences cannot have backticks in the info string");
    step(&mut s, "<DETAILS open><details>x</details>");
    assert_eq!(s, vec![Block::Details]);
    assert!(!is_balanced("<details>\n"));
    assert!(is_balanced("</details>\n"));
}
