//! JSON for policies: the writer of strings (as Python's `json.dumps` writes them) and a
//! minimal reader (RFC 8259) with bounded nesting and strict syntax.

use alloc::string::String;
use alloc::vec::Vec;

/// Appends `s` as a JSON string the way Python's `json.dumps` (`ensure_ascii=True`) does:
/// `"` and `\` escaped, `\n \r \t \b \f` by name, other control characters and everything
/// outside ASCII as `\uXXXX` (lowercase hex, UTF-16 surrogate pairs above U+FFFF).
pub(super) fn json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        // The escapes by name as one backslash and a letter (less code than a string each).
        let named = match c {
            '"' => '"',
            '\\' => '\\',
            '\n' => 'n',
            '\r' => 'r',
            '\t' => 't',
            '\u{8}' => 'b',
            '\u{c}' => 'f',
            ' '..='~' => {
                out.push(c);
                continue;
            }
            _ => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str("\\u");
                    for shift in [12, 8, 4, 0] {
                        out.push(char::from(HEX[usize::from((*unit >> shift) & 0xf)]));
                    }
                }
                continue;
            }
        };
        out.push('\\');
        out.push(named);
    }
    out.push('"');
}

const MAX_DEPTH: usize = 16;

pub(super) enum Value {
    Null,
    Bool,
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// A non-negative integer, or a string of decimal digits (some SDKs quote the bounds).
    pub(super) fn as_u64(&self) -> Option<u64> {
        let s = match self {
            Value::Number(s) | Value::String(s) => s,
            _ => return None,
        };
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    }
}

type R<T> = core::result::Result<T, &'static str>;

pub(super) struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    pub(super) fn new(b: &'a [u8]) -> Self {
        Self { b, i: 0 }
    }

    pub(super) fn parse_document(&mut self) -> R<Value> {
        let v = self.value(0)?;
        self.ws();
        if self.i != self.b.len() {
            return Err("trailing characters after the JSON document");
        }
        Ok(v)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if self.b.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err("invalid JSON literal")
        }
    }

    fn value(&mut self, depth: usize) -> R<Value> {
        if depth > MAX_DEPTH {
            return Err("JSON nested too deeply");
        }
        self.ws();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.literal(b"true").map(|()| Value::Bool),
            Some(b'f') => self.literal(b"false").map(|()| Value::Bool),
            Some(b'n') => self.literal(b"null").map(|()| Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err("expected a JSON value"),
        }
    }

    /// An object; the opening brace is next.
    fn object(&mut self, depth: usize) -> R<Value> {
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.eat(b'}') {
            return Ok(Value::Object(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err("expected a string member name");
            }
            let k = self.string()?;
            self.ws();
            if !self.eat(b':') {
                return Err("expected ':'");
            }
            let v = self.value(depth + 1)?;
            members.push((k, v));
            self.ws();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b'}') {
                return Ok(Value::Object(members));
            }
            return Err("expected ',' or '}'");
        }
    }

    /// An array; the opening bracket is next.
    fn array(&mut self, depth: usize) -> R<Value> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            return Err("expected ',' or ']'");
        }
    }

    fn number(&mut self) -> R<Value> {
        let start = self.i;
        self.eat(b'-');
        let int_start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let int = &self.b[int_start..self.i];
        if int.is_empty() || (int.len() > 1 && int[0] == b'0') {
            return Err("invalid JSON number");
        }
        if self.eat(b'.') {
            let s = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            if s == self.i {
                return Err("invalid JSON number");
            }
        }
        if self.peek().is_some_and(|c| c == b'e' || c == b'E') {
            self.i += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            let s = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            if s == self.i {
                return Err("invalid JSON number");
            }
        }
        let text =
            core::str::from_utf8(&self.b[start..self.i]).map_err(|_| "invalid JSON number")?;
        Ok(Value::Number(String::from(text)))
    }

    fn hex4(&mut self) -> R<u32> {
        let h = self
            .b
            .get(self.i..self.i + 4)
            .ok_or("truncated \\u escape")?;
        let mut v = 0u32;
        for &c in h {
            let d = (c as char).to_digit(16).ok_or("invalid \\u escape")?;
            v = v * 16 + d;
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> R<String> {
        // Caller checked the opening quote.
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            let chunk = core::str::from_utf8(&self.b[start..self.i])
                .map_err(|_| "invalid UTF-8 in a JSON string")?;
            out.push_str(chunk);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let e = self.peek().ok_or("truncated escape")?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xd800..0xdc00).contains(&hi) {
                                if !(self.eat(b'\\') && self.eat(b'u')) {
                                    return Err("unpaired surrogate in a JSON string");
                                }
                                let lo = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&lo) {
                                    return Err("unpaired surrogate in a JSON string");
                                }
                                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                            } else {
                                hi
                            };
                            out.push(
                                char::from_u32(cp).ok_or("unpaired surrogate in a JSON string")?,
                            );
                        }
                        _ => return Err("invalid escape in a JSON string"),
                    }
                }
                Some(_) => return Err("control character in a JSON string"),
                None => return Err("unterminated JSON string"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_string_escapes_like_python() {
        let mut s = String::new();
        json_string(&mut s, "a\"b\\c\n\t\u{1}\u{7f}é😀/");
        // Python: json.dumps('a"b\\c\n\t\x01\x7f\u00e9\U0001f600/')
        assert_eq!(s, r#""a\"b\\c\n\t\u0001\u007f\u00e9\ud83d\ude00/""#);
    }
}
