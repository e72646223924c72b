//! Integers and floats under Go's verbs, flags, width and precision.

use super::{Printer, Res};
use crate::gotemplate::strconv::{format_float, is_print, quote_with};
use crate::gotemplate::value::Value;

impl Printer {
    pub(super) fn fmt_integer(&mut self, u: u64, negative: bool, signed: bool, verb: char, a: &Value) -> Res {
        let (base, upper) = match verb {
            'v' if self.f.sharp_v && !signed => {
                self.f.sharp = true;
                (16, false)
            }
            'v' | 'd' => (10, false),
            'b' => (2, false),
            'o' | 'O' => (8, false),
            'x' => (16, false),
            'X' => (16, true),
            'c' => {
                self.pad(&char::from_u32(u32::try_from(u).unwrap_or(0xFFFD)).unwrap_or('\u{FFFD}').to_string());
                return Ok(());
            }
            'q' => {
                let c = char::from_u32(u32::try_from(u).unwrap_or(0xFFFD)).unwrap_or('\u{FFFD}');
                let q = quote_with(&c.to_string(), '\'', self.f.plus);
                self.pad(&q);
                return Ok(());
            }
            'U' => {
                let mut s = format!("U+{u:04X}");
                if self.f.sharp
                    && let Some(c) = char::from_u32(u32::try_from(u).unwrap_or(0xFFFD))
                    && is_print(c)
                {
                    s.push_str(&format!(" '{c}'"));
                }
                let saved = self.f.zero;
                self.f.zero = false;
                self.pad(&s);
                self.f.zero = saved;
                return Ok(());
            }
            _ => return self.bad_verb(a, verb),
        };
        let mut digits = match base {
            2 => format!("{u:b}"),
            8 => format!("{u:o}"),
            16 if upper => format!("{u:X}"),
            16 => format!("{u:x}"),
            _ => u.to_string(),
        };
        let mut prec = 0;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let saved = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid.unwrap_or(0));
                self.f.zero = saved;
                return Ok(());
            }
        } else if self.f.zero && !self.f.minus && self.f.wid.is_some() {
            prec = self.f.wid.unwrap_or(0);
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        if digits.len() < prec {
            digits = "0".repeat(prec - digits.len()) + &digits;
        }
        if self.f.sharp {
            match base {
                2 => digits.insert_str(0, "0b"),
                8 if !digits.starts_with('0') => digits.insert(0, '0'),
                16 => digits.insert_str(0, if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if verb == 'O' {
            digits.insert_str(0, "0o");
        }
        if negative {
            digits.insert(0, '-');
        } else if self.f.plus {
            digits.insert(0, '+');
        } else if self.f.space {
            digits.insert(0, ' ');
        }
        let saved = self.f.zero;
        self.f.zero = false;
        self.pad(&digits);
        self.f.zero = saved;
        Ok(())
    }

    pub(super) fn fmt_float(&mut self, x: f64, verb: char, a: &Value) -> Res {
        let (fverb, default_prec) = match verb {
            'v' => ('g', None),
            'g' | 'G' => (verb, None),
            'f' | 'F' => ('f', Some(6)),
            'e' | 'E' => (verb, Some(6)),
            'b' | 'x' | 'X' => {
                return Err(format!("printf: %{verb} of a float64 is not supported"));
            }
            _ => return self.bad_verb(a, verb),
        };
        if self.f.sharp {
            return Err("printf: the '#' flag with floats is not supported".into());
        }
        let prec = self.f.prec.or(default_prec);
        let num = format_float(x, fverb, prec);
        let (sign, body) = match num.strip_prefix('-') {
            Some(b) => ('-', b.to_string()),
            None => ('+', num.trim_start_matches('+').to_string()),
        };
        let sign = if sign == '+' && self.f.space && !self.f.plus { ' ' } else { sign };
        if body.starts_with('I') || body.starts_with('N') {
            let saved = self.f.zero;
            self.f.zero = false;
            let s = if body.starts_with('N') && sign != ' ' && !self.f.plus { body } else { format!("{sign}{body}") };
            self.pad(&s);
            self.f.zero = saved;
            return Ok(());
        }
        if self.f.plus || sign != '+' {
            let len = body.chars().count() + 1;
            if let Some(wid) = self.f.wid
                && self.f.zero
                && !self.f.minus
                && wid > len
            {
                self.buf.push(sign);
                self.write_padding(wid - len);
                self.buf.push_str(&body);
                return Ok(());
            }
            self.pad(&format!("{sign}{body}"));
        } else {
            self.pad(&body);
        }
        Ok(())
    }
}
