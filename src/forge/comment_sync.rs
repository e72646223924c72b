//! What to do to bring a request's comments in line with a sticky body: which parts to keep,
//! edit or create, and which comments to delete. Pure, shared by both forges.

use super::comment::part_of;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The part is already there as written.
    Keep {
        id: u64,
        url: Option<String>,
    },
    Edit {
        id: u64,
        body: String,
    },
    Create {
        body: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// One step per part, in order.
    pub steps: Vec<Step>,
    /// Parts left over from a longer body, and duplicates (from a race of two runs).
    pub delete: Vec<u64>,
    /// The first part did not exist.
    pub created_first: bool,
}

/// `existing` is the request's comments in creation order: (id, body, url).
pub(crate) fn plan(
    purpose: &str,
    parts: &[String],
    existing: impl IntoIterator<Item = (u64, String, Option<String>)>,
) -> Plan {
    let mut by_part: Vec<Option<(u64, String, Option<String>)>> = Vec::new();
    let mut delete = Vec::new();
    for (id, body, url) in existing {
        let Some(k) = part_of(&body, purpose) else { continue };
        if by_part.len() < k {
            by_part.resize(k, None);
        }
        if by_part[k - 1].is_some() {
            // The oldest stays, so links to it keep working.
            delete.push(id);
        } else {
            by_part[k - 1] = Some((id, body, url));
        }
    }
    let mut steps = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        steps.push(match by_part.get_mut(i).and_then(Option::take) {
            Some((id, body, url)) if body == *part => Step::Keep { id, url },
            Some((id, _, _)) => Step::Edit { id, body: part.clone() },
            None => Step::Create { body: part.clone() },
        });
    }
    delete.extend(by_part.into_iter().flatten().map(|(id, _, _)| id));
    let created_first = matches!(steps.first(), Some(Step::Create { .. }));
    Plan { steps, delete, created_first }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: u64, body: &str) -> (u64, String, Option<String>) {
        (id, body.to_string(), None)
    }

    #[test]
    fn creates_edits_keeps_and_deletes() {
        let parts = vec!["<!-- paved:plan -->\nA".to_string(), "<!-- paved:plan:part-2 -->\nB".to_string()];
        let p = plan("plan", &parts, []);
        assert!(p.created_first);
        assert!(matches!(p.steps[..], [Step::Create { .. }, Step::Create { .. }]));

        let existing = vec![
            c(1, "human comment"),
            c(2, "<!-- paved:plan -->\nA"),
            c(3, "<!-- paved:plan:part-2 -->\nold"),
            c(4, "<!-- paved:plan:part-3 -->\nstale"),
            c(5, "<!-- paved:plan -->\nduplicate"),
            c(6, "<!-- paved:apply -->\nother purpose"),
        ];
        let p = plan("plan", &parts, existing);
        assert_eq!(
            p.steps,
            vec![Step::Keep { id: 2, url: None }, Step::Edit { id: 3, body: "<!-- paved:plan:part-2 -->\nB".into() }]
        );
        assert_eq!(p.delete, vec![5, 4]);
        assert!(!p.created_first);
    }
}
