//! Splits template text into tokens, as Go's `text/template/parse` lexer does: text between
//! actions (with `{{-`/`-}}` trimming applied), and inside actions identifiers, fields,
//! variables, literals, punctuation and spaces. Comments (`{{/* … */}}`) produce no tokens.

use super::ast::Fail;

/// Keywords of the template language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keyword {
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    /// Literal text outside actions, already trimmed.
    Text(String),
    LeftDelim,
    RightDelim,
    /// A run of white space inside an action (it separates arguments).
    Space,
    Ident(String),
    /// `.name` (stored without the dot).
    Field(String),
    /// `$name` or `$` (stored with the dollar).
    Variable(String),
    Dot,
    Nil,
    Bool(bool),
    Keyword(Keyword),
    /// A number as written.
    Number(String),
    /// A character constant as written, quotes included.
    Char(String),
    /// A quoted string as written, quotes included.
    Str(String),
    /// A raw string as written, back quotes included.
    RawStr(String),
    LeftParen,
    RightParen,
    Pipe,
    /// `:=`
    Declare,
    /// `=`
    Assign,
    Comma,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    /// Byte offset in the source.
    pub pos: usize,
}

const SPACE: [char; 4] = [' ', '\t', '\r', '\n'];

fn is_space(c: char) -> bool {
    SPACE.contains(&c)
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

/// Tokenizes `src` with the given delimiters.
pub(super) fn lex(src: &str, left: &str, right: &str) -> Result<Vec<Token>, Fail> {
    let mut lx = Lexer { src, left, right, pos: 0, out: Vec::new(), trim_next_text: false };
    lx.run()?;
    Ok(lx.out)
}

struct Lexer<'s> {
    src: &'s str,
    left: &'s str,
    right: &'s str,
    pos: usize,
    out: Vec<Token>,
    /// The previous action ended with `-}}`: drop leading white space of the next text.
    trim_next_text: bool,
}

impl Lexer<'_> {
    fn emit(&mut self, tok: Tok, pos: usize) {
        self.out.push(Token { tok, pos });
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn run(&mut self) -> Result<(), Fail> {
        loop {
            let start = self.pos;
            let next = self.rest().find(self.left).map(|i| start + i);
            let end = next.unwrap_or(self.src.len());
            let mut text = &self.src[start..end];
            let mut text_pos = start;
            if self.trim_next_text {
                let trimmed = text.trim_start_matches(SPACE);
                text_pos += text.len() - trimmed.len();
                text = trimmed;
                self.trim_next_text = false;
            }
            let Some(delim) = next else {
                if !text.is_empty() {
                    self.emit(Tok::Text(text.to_string()), text_pos);
                }
                self.emit(Tok::Eof, self.src.len());
                return Ok(());
            };
            // A left trim marker is "- " right after the delimiter.
            let after = &self.src[delim + self.left.len()..];
            let trim_left = after.starts_with('-') && after[1..].starts_with(SPACE);
            if trim_left {
                text = text.trim_end_matches(SPACE);
            }
            if !text.is_empty() {
                self.emit(Tok::Text(text.to_string()), text_pos);
            }
            self.pos = delim + self.left.len() + if trim_left { 2 } else { 0 };
            if self.rest().starts_with("/*") {
                self.comment(delim)?;
            } else {
                self.emit(Tok::LeftDelim, delim);
                self.inside_action(delim)?;
            }
        }
    }

    /// A comment action; `self.pos` is at `/*`.
    fn comment(&mut self, delim: usize) -> Result<(), Fail> {
        self.pos += 2;
        let Some(end) = self.rest().find("*/") else {
            return Err(Fail::new(delim, "unclosed comment"));
        };
        self.pos += end + 2;
        if self.at_trim_right() {
            self.pos += 2 + self.right.len();
            self.trim_next_text = true;
        } else if self.rest().starts_with(self.right) {
            self.pos += self.right.len();
        } else {
            return Err(Fail::new(delim, "comment ends before closing delimiter"));
        }
        Ok(())
    }

    /// " -}}": a space, the trim marker and the right delimiter.
    fn at_trim_right(&self) -> bool {
        let r = self.rest();
        let mut chars = r.chars();
        matches!(chars.next(), Some(c) if is_space(c)) && r[1..].starts_with('-') && r[2..].starts_with(self.right)
    }

    fn inside_action(&mut self, delim: usize) -> Result<(), Fail> {
        let mut parens: i32 = 0;
        loop {
            let start = self.pos;
            let at_right = self.rest().starts_with(self.right);
            let trim_right = !at_right && self.at_trim_right();
            if at_right || trim_right {
                if parens > 0 {
                    return Err(Fail::new(start, "unclosed left paren"));
                }
                if trim_right {
                    self.pos += 2;
                    self.trim_next_text = true;
                }
                self.emit(Tok::RightDelim, self.pos);
                self.pos += self.right.len();
                return Ok(());
            }
            let Some(c) = self.peek() else {
                return Err(Fail::new(delim, "unclosed action"));
            };
            match c {
                c if is_space(c) => self.space(),
                '=' => {
                    self.pos += 1;
                    self.emit(Tok::Assign, start);
                }
                ':' => {
                    if !self.rest().starts_with(":=") {
                        return Err(Fail::new(start, "expected :="));
                    }
                    self.pos += 2;
                    self.emit(Tok::Declare, start);
                }
                '|' => {
                    self.pos += 1;
                    self.emit(Tok::Pipe, start);
                }
                ',' => {
                    self.pos += 1;
                    self.emit(Tok::Comma, start);
                }
                '"' => self.quoted('"', start, "unterminated quoted string")?,
                '\'' => self.quoted('\'', start, "unterminated character constant")?,
                '`' => {
                    let Some(end) = self.rest()[1..].find('`') else {
                        return Err(Fail::new(start, "unterminated raw quoted string"));
                    };
                    self.pos += end + 2;
                    self.emit(Tok::RawStr(self.src[start..self.pos].to_string()), start);
                }
                '$' => {
                    self.pos += 1;
                    self.pos += self.alnum_len();
                    self.check_terminator()?;
                    self.emit(Tok::Variable(self.src[start..self.pos].to_string()), start);
                }
                '.' => {
                    // ".5" is a number; otherwise a field or dot.
                    if self.rest()[1..].starts_with(|c: char| c.is_ascii_digit()) {
                        self.number()?;
                    } else {
                        self.pos += 1;
                        let n = self.alnum_len();
                        self.pos += n;
                        self.check_terminator()?;
                        if n == 0 {
                            self.emit(Tok::Dot, start);
                        } else {
                            self.emit(Tok::Field(self.src[start + 1..self.pos].to_string()), start);
                        }
                    }
                }
                '+' | '-' | '0'..='9' => self.number()?,
                '(' => {
                    parens += 1;
                    self.pos += 1;
                    self.emit(Tok::LeftParen, start);
                }
                ')' => {
                    parens -= 1;
                    if parens < 0 {
                        return Err(Fail::new(start, "unexpected right paren"));
                    }
                    self.pos += 1;
                    self.emit(Tok::RightParen, start);
                }
                c if is_alnum(c) => {
                    self.pos += self.alnum_len();
                    self.check_terminator()?;
                    let word = &self.src[start..self.pos];
                    let tok = match word {
                        "true" => Tok::Bool(true),
                        "false" => Tok::Bool(false),
                        "nil" => Tok::Nil,
                        "block" => Tok::Keyword(Keyword::Block),
                        "break" => Tok::Keyword(Keyword::Break),
                        "continue" => Tok::Keyword(Keyword::Continue),
                        "define" => Tok::Keyword(Keyword::Define),
                        "else" => Tok::Keyword(Keyword::Else),
                        "end" => Tok::Keyword(Keyword::End),
                        "if" => Tok::Keyword(Keyword::If),
                        "range" => Tok::Keyword(Keyword::Range),
                        "template" => Tok::Keyword(Keyword::Template),
                        "with" => Tok::Keyword(Keyword::With),
                        _ => Tok::Ident(word.to_string()),
                    };
                    self.emit(tok, start);
                }
                c => {
                    return Err(Fail::new(start, format!("unexpected {:?} in command", c.to_string())));
                }
            }
        }
    }

    /// A run of spaces, leaving the last one in place when it starts a " -}}".
    fn space(&mut self) {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if !is_space(c) || self.at_trim_right() {
                break;
            }
            self.pos += c.len_utf8();
        }
        if self.pos > start {
            self.emit(Tok::Space, start);
        }
    }

    fn alnum_len(&self) -> usize {
        self.rest().find(|c: char| !is_alnum(c)).unwrap_or(self.rest().len())
    }

    /// After a word, Go requires a space, end, `.`, `,`, `|`, `:`, `(`, `)` or the delimiter.
    fn check_terminator(&self) -> Result<(), Fail> {
        match self.peek() {
            None => Ok(()),
            Some(c) if is_space(c) || ".,|:()".contains(c) => Ok(()),
            Some(_) if self.rest().starts_with(self.right) => Ok(()),
            Some(c) => Err(Fail::new(self.pos, format!("bad character {}", go_rune(c)))),
        }
    }

    fn quoted(&mut self, quote: char, start: usize, unterminated: &str) -> Result<(), Fail> {
        let mut chars = self.rest().char_indices().skip(1);
        loop {
            match chars.next() {
                None | Some((_, '\n')) => return Err(Fail::new(start, unterminated)),
                Some((_, '\\')) => {
                    if matches!(chars.next(), None | Some((_, '\n'))) {
                        return Err(Fail::new(start, unterminated));
                    }
                }
                Some((i, c)) if c == quote => {
                    self.pos += i + 1;
                    let text = self.src[start..self.pos].to_string();
                    let tok = if quote == '"' { Tok::Str(text) } else { Tok::Char(text) };
                    self.emit(tok, start);
                    return Ok(());
                }
                Some(_) => {}
            }
        }
    }

    /// Go's scanNumber: sign, base prefix, digits, fraction, exponent, imaginary suffix.
    fn number(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        let accept = |lx: &mut Self, set: &str| -> bool {
            match lx.peek() {
                Some(c) if set.contains(c) => {
                    lx.pos += 1;
                    true
                }
                _ => false,
            }
        };
        let accept_run = |lx: &mut Self, set: &str| while accept(lx, set) {};
        accept(self, "+-");
        let mut digits = "0123456789_";
        if accept(self, "0") {
            if accept(self, "xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if accept(self, "oO") {
                digits = "01234567_";
            } else if accept(self, "bB") {
                digits = "01_";
            }
        }
        accept_run(self, digits);
        if accept(self, ".") {
            accept_run(self, digits);
        }
        if digits.len() == 11 && accept(self, "eE") {
            accept(self, "+-");
            accept_run(self, "0123456789_");
        }
        if digits.len() == 23 && accept(self, "pP") {
            accept(self, "+-");
            accept_run(self, "0123456789_");
        }
        accept(self, "i");
        if let Some(c) = self.peek()
            && is_alnum(c)
        {
            self.pos += c.len_utf8();
            return Err(Fail::new(start, format!("bad number syntax: {:?}", &self.src[start..self.pos])));
        }
        self.emit(Tok::Number(self.src[start..self.pos].to_string()), start);
        Ok(())
    }
}

/// Go's `%#U` rendering of a rune: `U+002D '-'`.
pub(super) fn go_rune(c: char) -> String {
    if c.is_control() { format!("U+{:04X}", c as u32) } else { format!("U+{:04X} '{c}'", c as u32) }
}
