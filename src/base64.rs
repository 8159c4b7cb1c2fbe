//! Standard base64 ([RFC 4648 §4](https://www.rfc-editor.org/rfc/rfc4648#section-4), alphabet
//! `A-Z a-z 0-9 + /`, `=` padding), the encoding of a POST policy and of checksums.
//!
//! Small on purpose: the core takes no dependency for it. The decoder is strict: it rejects
//! characters outside the alphabet, whitespace, missing or misplaced padding and non-zero
//! trailing bits, so every accepted input has exactly one encoding. Crate-internal; the
//! tests below pin it to RFC 4648's vectors.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Why a base64 text was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum DecodeError {
    /// The length is not a multiple of 4.
    InvalidLength,
    /// A byte outside the alphabet (at this offset).
    InvalidByte(usize),
    /// `=` somewhere other than the last one or two positions.
    InvalidPadding,
    /// The bits after the last full byte are not zero (a non-canonical encoding).
    TrailingBits,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidLength => f.write_str("base64 length is not a multiple of 4"),
            Self::InvalidByte(i) => write!(f, "invalid base64 character at offset {i}"),
            Self::InvalidPadding => f.write_str("misplaced base64 padding"),
            Self::TrailingBits => f.write_str("non-canonical base64 (trailing bits set)"),
        }
    }
}

impl core::error::Error for DecodeError {}

/// Length of the encoding of `n` bytes.
pub(crate) const fn encoded_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

/// Encodes `input` with padding.
pub(crate) fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(encoded_len(input.len()));
    encode_into(&mut out, input);
    out
}

/// Appends the encoding of `input` to `out`.
pub(crate) fn encode_into(out: &mut String, input: &[u8]) {
    out.reserve(encoded_len(input.len()));
    let sym = |v: u32| char::from(ALPHABET[(v & 63) as usize]);
    let mut chunks = input.chunks_exact(3);
    for c in &mut chunks {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(sym(n >> 6));
        out.push(sym(n));
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.push(sym(n >> 18));
            out.push(sym(n >> 12));
            out.push_str("==");
        }
        [a, b] => {
            let n = (u32::from(a) << 16) | (u32::from(b) << 8);
            out.push(sym(n >> 18));
            out.push(sym(n >> 12));
            out.push(sym(n >> 6));
            out.push('=');
        }
        _ => {}
    }
}

fn value(c: u8) -> Option<u32> {
    Some(u32::from(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// Decodes padded standard base64.
///
/// # Errors
/// [`DecodeError`] for a length that is not a multiple of 4, a byte outside the alphabet,
/// misplaced padding or non-zero trailing bits.
pub(crate) fn decode(input: &str) -> Result<Vec<u8>, DecodeError> {
    let b = input.as_bytes();
    if !b.len().is_multiple_of(4) {
        return Err(DecodeError::InvalidLength);
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    let quads = b.len() / 4;
    for q in 0..quads {
        let chunk = &b[q * 4..q * 4 + 4];
        let last = q + 1 == quads;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return Err(DecodeError::InvalidPadding);
        }
        let mut n = 0u32;
        for (i, &c) in chunk[..4 - pad].iter().enumerate() {
            let v = match value(c) {
                Some(v) => v,
                None if c == b'=' => return Err(DecodeError::InvalidPadding),
                None => return Err(DecodeError::InvalidByte(q * 4 + i)),
            };
            n |= v << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        match pad {
            0 => out.extend_from_slice(&bytes),
            1 => {
                if bytes[2] != 0 {
                    return Err(DecodeError::TrailingBits);
                }
                out.extend_from_slice(&bytes[..2]);
            }
            _ => {
                if bytes[1] != 0 {
                    return Err(DecodeError::TrailingBits);
                }
                out.push(bytes[0]);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4648_vectors() {
        let v = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, enc) in v {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(decode("Zm9"), Err(DecodeError::InvalidLength));
        assert_eq!(decode("Zm9v YmFy"), Err(DecodeError::InvalidLength));
        assert_eq!(decode("Zm 9"), Err(DecodeError::InvalidByte(2)));
        assert_eq!(decode("Zg==Zg=="), Err(DecodeError::InvalidPadding));
        assert_eq!(decode("Z==="), Err(DecodeError::InvalidPadding));
        assert_eq!(decode("Z=g="), Err(DecodeError::InvalidPadding));
        assert_eq!(decode("Zh=="), Err(DecodeError::TrailingBits));
        assert_eq!(decode("Zm9="), Err(DecodeError::TrailingBits));
        assert_eq!(decode("Zm9v-_=="), Err(DecodeError::InvalidByte(4)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let e = encode(&data);
            prop_assert_eq!(e.len(), encoded_len(data.len()));
            prop_assert_eq!(decode(&e).unwrap(), data);
        }

        /// Whatever the decoder accepts re-encodes to the same text (one encoding per value).
        #[test]
        fn decode_is_canonical(s in "[A-Za-z0-9+/=]{0,16}") {
            if let Ok(d) = decode(&s) {
                prop_assert_eq!(encode(&d), s);
            }
        }

        /// Bit-level agreement with an independent, naive bit-string implementation.
        #[test]
        fn matches_bitstring_model(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut bits = alloc::vec::Vec::new();
            for b in &data {
                for i in (0..8).rev() { bits.push((b >> i) & 1); }
            }
            while !bits.len().is_multiple_of(6) { bits.push(0); }
            let mut model = String::new();
            for six in bits.chunks(6) {
                let v = six.iter().fold(0usize, |a, &b| a * 2 + b as usize);
                model.push(ALPHABET[v] as char);
            }
            while !model.len().is_multiple_of(4) { model.push('='); }
            prop_assert_eq!(encode(&data), model);
        }
    }
}
