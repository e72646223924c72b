//! Durations written as `1h`, `90s`, `1h30m` or `500ms`.

use std::time::Duration;

/// Parses a duration: one or more `<number><unit>` parts, units `ms`, `s`, `m`, `h`, `d`.
/// A bare number is refused, so `timeout: 60` is never silently read as seconds or minutes.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("an empty duration (write e.g. 30s, 10m or 1h)".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("`{text}` is not a duration (write e.g. 30s, 10m or 1h)"));
        }
        let n: u64 = rest[..digits].parse().map_err(|_| format!("`{text}` is too large"))?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = rest[..unit_len].trim();
        rest = &rest[unit_len..];
        let part = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => n.checked_mul(60).map(Duration::from_secs).ok_or_else(|| format!("`{text}` is too large"))?,
            "h" => n.checked_mul(3600).map(Duration::from_secs).ok_or_else(|| format!("`{text}` is too large"))?,
            "d" => n.checked_mul(86_400).map(Duration::from_secs).ok_or_else(|| format!("`{text}` is too large"))?,
            "" => return Err(format!("`{text}` needs a unit (ms, s, m, h or d)")),
            u => return Err(format!("unknown duration unit `{u}` (use ms, s, m, h or d)")),
        };
        total = total.checked_add(part).ok_or_else(|| format!("`{text}` is too large"))?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_compounds() {
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration(" 90s "), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
    }

    #[test]
    fn bare_numbers_and_unknown_units_are_refused() {
        assert!(parse_duration("60").unwrap_err().contains("needs a unit"));
        assert!(parse_duration("5 minutes").unwrap_err().contains("unknown duration unit"));
        assert!(parse_duration("h").unwrap_err().contains("not a duration"));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("99999999999999999999h").unwrap_err().contains("too large"));
    }
}
