//! Asking for missing template parameters on a terminal.

use std::io::{BufRead, Write};

use paved::golden::Parameters;
use serde_json::{Map as JsonMap, Value as Json};

/// Asks for every required parameter without a value: its title, description, choices and
/// default from the schema. Reads from `input`, writes questions to `out`.
pub fn ask_missing(
    params: &Parameters,
    values: &mut JsonMap<String, Json>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let missing: Vec<_> = params.missing(values).into_iter().cloned().collect();
    for p in missing {
        writeln!(out, "{}", p.title.as_deref().unwrap_or(&p.name))?;
        if let Some(d) = &p.description {
            writeln!(out, "  {d}")?;
        }
        if let Some(choices) = &p.choices {
            for (i, c) in choices.iter().enumerate() {
                writeln!(out, "  {}) {}", i + 1, paved::golden::expr::to_text(c))?;
            }
        }
        loop {
            let default = p.default.as_ref().map(paved::golden::expr::to_text);
            match &default {
                Some(d) => write!(out, "{} [{d}]: ", p.name)?,
                None => write!(out, "{}: ", p.name)?,
            }
            out.flush()?;
            let mut line = String::new();
            if input.read_line(&mut line)? == 0 {
                return Ok(()); // end of input: validation reports what is still missing
            }
            let answer = line.trim();
            let value = match (answer, &p.default, &p.choices) {
                ("", Some(d), _) => d.clone(),
                ("", None, _) => continue,
                (a, _, Some(choices)) if a.parse::<usize>().is_ok_and(|i| i >= 1 && i <= choices.len()) => {
                    choices[a.parse::<usize>().unwrap_or(1) - 1].clone()
                }
                (a, _, _) => params.coerce(&p.name, a),
            };
            values.insert(p.name.clone(), value);
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use paved::yaml::{ParseOptions, parse_one};
    use serde_json::json;

    #[test]
    fn asks_with_titles_choices_and_defaults() {
        let schema = "required: [name, tier, port]\nproperties:\n  name: {type: string, title: Service name, description: lower case}\n  tier: {type: string, enum: [gold, silver]}\n  port: {type: integer, default: 8080}\n  other: {type: string}\n";
        let n = parse_one(schema, &ParseOptions::default()).unwrap();
        let params = Parameters::from_node(Some(&n), "t").unwrap();
        let mut values = JsonMap::new();
        let mut input: &[u8] = b"\npay\n2\n\n";
        let mut out = Vec::new();
        ask_missing(&params, &mut values, &mut input, &mut out).unwrap();
        assert_eq!(json!(values), json!({"name": "pay", "tier": "silver", "port": 8080}));
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("Service name\n  lower case\nname: name: tier\n  1) gold\n  2) silver\ntier: "),
            "{text}"
        );
    }
}
