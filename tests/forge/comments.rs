//! Properties of the sticky comment splitter over generated Markdown.

use paved::forge::comment::{MAX_PARTS, is_balanced, part_of, split_parts};
use proptest::prelude::*;

/// Lines of text, with the odd very long one and some non-ASCII.
fn text_line() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-zA-Z0-9 |:*_#-]{0,60}",
        2 => "[a-zé漢🙂 ]{0,30}",
        1 => "[a-z]{1,3}".prop_map(|s| s.repeat(800)),
        1 => Just(String::new()),
    ]
}

/// Markdown blocks: paragraphs, fenced code (sometimes holding tag-like text or a shorter
/// fence), `<details>` with nested blocks, and now and then an unclosed block.
fn block() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => prop::collection::vec(text_line(), 1..5).prop_map(|l| l.join("\n") + "\n"),
        3 => (prop_oneof![Just("```"), Just("````"), Just("~~~")], "[a-z]{0,6}", prop::collection::vec(prop_oneof![
                6 => text_line(), 1 => Just("<details>".to_string()), 1 => Just("```".to_string())
            ], 0..12), any::<bool>())
            .prop_map(|(fence, info, lines, closed)| {
                let inner = if fence == "```" { lines.into_iter().filter(|l| !l.starts_with("```")).collect() } else { lines };
                let mut s = format!("{fence}{info}\n{}", inner.iter().map(|l| format!("{l}\n")).collect::<String>());
                if closed || fence != "~~~" {
                    s.push_str(fence);
                    s.push('\n');
                }
                s
            }),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        (text_line(), prop::collection::vec(inner, 0..4)).prop_map(|(summary, body)| {
            format!("<details><summary>{summary}</summary>\n\n{}\n</details>\n", body.concat())
        })
    })
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(block(), 0..12).prop_map(|b| b.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn parts_fit_concatenate_and_stay_balanced(body in body(), limit in 300usize..4000) {
        let parts = split_parts("plan", &body, limit);
        prop_assert!(!parts.is_empty() && parts.len() <= MAX_PARTS);
        let joined: String = parts.iter().map(|p| p.content.as_str()).collect();
        if parts.last().unwrap().truncated == 0 {
            prop_assert_eq!(&joined, &body);
        } else {
            prop_assert!(body.starts_with(&joined));
            prop_assert_eq!(joined.chars().count() + parts.last().unwrap().truncated, body.chars().count());
        }
        for p in &parts {
            let text = p.render("plan", parts.len());
            prop_assert!(text.chars().count() <= limit, "part {} has {} chars > {}", p.index, text.chars().count(), limit);
            prop_assert!(is_balanced(&text), "part {} is unbalanced:\n{}", p.index, text);
            prop_assert_eq!(part_of(&text, "plan"), Some(p.index));
        }
    }

    #[test]
    fn balanced_input_is_only_cut_between_blocks_when_blocks_fit(blocks in prop::collection::vec(block(), 1..10)) {
        // With a limit bigger than any single block, no block needs to be cut.
        let body: String = blocks.concat();
        let biggest = blocks.iter().map(|b| b.chars().count()).max().unwrap_or(0);
        prop_assume!(blocks.iter().all(|b| is_balanced(b)));
        let limit = biggest + 400;
        let parts = split_parts("plan", &body, limit);
        for p in &parts {
            prop_assert!(is_balanced(&p.content), "content of part {} was cut inside a block", p.index);
        }
    }
}
