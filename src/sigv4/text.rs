//! Text on the signing paths: SigV4's `UriEncode`, lowercase hex and decimal numbers,
//! written into a [`Sink`] (a `String` being built, or a hash being fed).
//!
//! Every encoder here writes only ASCII it produced itself; where that text has to become a
//! `&str`, [`put_ascii`] checks it (a handful of instructions) instead of trusting it.

use alloc::string::String;
use core::cmp::Ordering;

use sha2::{Digest, Sha256};

/// Where text goes: a `String` (what is shown or sent), a SHA-256 state (what is signed),
/// or a stack buffer. Writing through one function to both guarantees that what is shown is
/// what is hashed.
pub(crate) trait Sink {
    fn put(&mut self, s: &str);

    /// Called by the canonical-request writer after each of the first five lines (index
    /// 0..5), at the position of the newline that ends it; sinks that keep text record it.
    #[inline]
    fn line_end(&mut self, _line: usize) {}
}

impl Sink for String {
    #[inline]
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

impl Sink for Sha256 {
    #[inline]
    fn put(&mut self, s: &str) {
        self.update(s.as_bytes());
    }
}

/// A SHA-256 state fed piece by piece: the many short pieces of a canonical request (`\n`,
/// `:`, `host`, ...) are copied once into the hash's block, which is compressed when full
/// (no second buffer in front of it). It can also keep the text it hashes
/// ([`HashSink::recording`]): what it shows is then, by construction, what was hashed.
pub(crate) struct HashSink<'r> {
    hasher: super::hmac_head::Stream,
    record: Option<&'r mut String>,
}

impl<'r> HashSink<'r> {
    pub(crate) fn new() -> Self {
        Self {
            hasher: super::hmac_head::Stream::new(),
            record: None,
        }
    }

    /// A sink that also appends everything it hashes to `text`.
    pub(crate) fn recording(text: &'r mut String) -> Self {
        Self {
            record: Some(text),
            ..Self::new()
        }
    }

    /// The SHA-256 of everything put so far.
    #[inline]
    pub(crate) fn finish(&mut self) -> [u8; 32] {
        core::mem::take(&mut self.hasher).finalize()
    }
}

impl Sink for HashSink<'_> {
    #[inline]
    fn put(&mut self, s: &str) {
        if let Some(text) = self.record.as_deref_mut() {
            text.push_str(s);
        }
        self.hasher.update(s.as_bytes());
    }
}

/// Text assembled on the stack (a string to sign is at most 250 bytes once its region and
/// service are validated), so that it can be fed to a hash in one update.
#[derive(Clone)]
pub(crate) struct StackText<const N: usize = 256> {
    buf: [u8; N],
    len: usize,
    overflow: bool,
}

impl<const N: usize> StackText<N> {
    pub(crate) fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
            overflow: false,
        }
    }

    /// The text, or `None` if it did not fit.
    pub(crate) fn as_bytes(&self) -> Option<&[u8]> {
        (!self.overflow).then(|| &self.buf[..self.len])
    }
}

impl<const N: usize> Sink for StackText<N> {
    #[inline]
    fn put(&mut self, s: &str) {
        match self.buf.get_mut(self.len..self.len + s.len()) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len += s.len();
            }
            None => self.overflow = true,
        }
    }
}

/// Puts ASCII bytes built by this module. The bytes are checked, not trusted: were they not
/// ASCII, a replacement character would be written (as `String::from_utf8_lossy` does),
/// never nothing.
pub(crate) fn put_ascii(out: &mut dyn Sink, bytes: &[u8]) {
    out.put(core::str::from_utf8(bytes).unwrap_or("\u{FFFD}"));
}

// ---------------------------------------------------------------------------------------
// UriEncode

/// `true` for the bytes SigV4 keeps as they are: `A-Z a-z 0-9 - . _ ~`, plus `/` if `slash`.
const fn keep_table(slash: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || c == b'-'
            || c == b'.'
            || c == b'_'
            || c == b'~'
            || (slash && c == b'/');
        b += 1;
    }
    t
}

static KEEP_QUERY: [bool; 256] = keep_table(false);
static KEEP_PATH: [bool; 256] = keep_table(true);
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Which bytes are kept by [`uri_encode_into`]: everything but `A-Z a-z 0-9 - . _ ~` is
/// escaped, and `/` too unless the set is [`Set::Path`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Set {
    /// Query names and values, and every other encoded value.
    Query,
    /// An object key in a URL path: as `Query`, but `/` is kept.
    Path,
}

impl Set {
    #[inline]
    fn table(self) -> &'static [bool; 256] {
        match self {
            Set::Query => &KEEP_QUERY,
            Set::Path => &KEEP_PATH,
        }
    }
}

/// Appends `input` percent-encoded with `set`.
#[inline]
// Not generic over the sink: one copy of the loop in the program (a call through a vtable per
// run costs nothing next to the loop, and the WebAssembly module stays small).
pub(crate) fn uri_encode_into(out: &mut dyn Sink, input: &str, set: Set) {
    encode_runs(out, input.as_bytes(), set, &mut |out, start, end| {
        // Kept runs start and end next to ASCII bytes or at the ends of `input` (every
        // non-ASCII byte is escaped), so they are char boundaries and this never panics.
        out.put(&input[start..end]);
    });
}

/// As [`uri_encode_into`] for bytes that need not be UTF-8 (a percent-decoded query).
#[inline]
pub(crate) fn uri_encode_bytes_into(out: &mut dyn Sink, bytes: &[u8], set: Set) {
    encode_runs(out, bytes, set, &mut |out, start, end| {
        // Kept bytes are ASCII.
        put_ascii(out, &bytes[start..end]);
    });
}

/// The encoding loop: each run of kept bytes goes to `put_kept` (start and end offsets),
/// each run of escaped bytes is written from a stack buffer.
// Copying runs whole is about a third of the instructions of `percent_encoding`'s
// per-chunk iterator.
#[inline]
fn encode_runs(
    out: &mut dyn Sink,
    bytes: &[u8],
    set: Set,
    put_kept: &mut dyn FnMut(&mut dyn Sink, usize, usize),
) {
    let keep = set.table();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        // Eight bytes per step with one branch (branch-free lookups): about half the
        // instructions of the byte loop on keys and tokens that are mostly unreserved.
        while let Some(chunk) = bytes.get(i..i + 8) {
            if !chunk
                .iter()
                .fold(true, |all, &b| all & keep[usize::from(b)])
            {
                break;
            }
            i += 8;
        }
        while i < bytes.len() && keep[usize::from(bytes[i])] {
            i += 1;
        }
        if start < i {
            put_kept(out, start, i);
        }
        if i == bytes.len() {
            break;
        }
        // Each escaped byte written on its own: no buffer to fill.
        while let Some(&b) = bytes.get(i)
            && !keep[usize::from(b)]
        {
            // From a table of text natively (no UTF-8 check per escape); computed on
            // WebAssembly, where the module's size counts more than the table's speed.
            #[cfg(not(target_arch = "wasm32"))]
            out.put(escape(b));
            #[cfg(target_arch = "wasm32")]
            put_ascii(
                out,
                &[
                    b'%',
                    HEX_UPPER[usize::from(b >> 4)],
                    HEX_UPPER[usize::from(b & 15)],
                ],
            );
            i += 1;
        }
    }
}

/// `%XX` of every byte, in byte order: `%00%01…%FF`.
#[cfg(not(target_arch = "wasm32"))]
const ESCAPE_BYTES: [u8; 768] = {
    let mut t = [0u8; 768];
    let mut b = 0;
    while b < 256 {
        t[3 * b] = b'%';
        t[3 * b + 1] = HEX_UPPER[b >> 4];
        t[3 * b + 2] = HEX_UPPER[b & 15];
        b += 1;
    }
    t
};

/// [`ESCAPE_BYTES`] as text, checked once at compile time (so that writing an escape is a
/// slice, with no UTF-8 check per byte).
#[cfg(not(target_arch = "wasm32"))]
static ESCAPES: &str = match core::str::from_utf8(&ESCAPE_BYTES) {
    Ok(text) => text,
    Err(_) => panic!("the escape table is ASCII"),
};

/// `%XX` of `b`.
#[cfg(not(target_arch = "wasm32"))]
#[inline]
fn escape(b: u8) -> &'static str {
    let at = 3 * usize::from(b);
    // Always in bounds and on character boundaries (the table is ASCII, 3 bytes a byte).
    ESCAPES.get(at..at + 3).unwrap_or("\u{FFFD}")
}

/// The length of `input` once encoded with `set`.
#[inline]
pub(crate) fn uri_encoded_len(input: &[u8], set: Set) -> usize {
    let keep = set.table();
    input.len() + 2 * input.iter().filter(|&&b| !keep[usize::from(b)]).count()
}

/// The bytes of `input` once encoded with `set`, one at a time.
struct EncodedBytes<'a> {
    input: &'a [u8],
    keep: &'static [bool; 256],
    /// The hex digits still to yield after a `%`, last first.
    pending: [u8; 2],
    pending_len: usize,
}

impl Iterator for EncodedBytes<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if self.pending_len > 0 {
            self.pending_len -= 1;
            return Some(self.pending[self.pending_len]);
        }
        let (&b, rest) = self.input.split_first()?;
        self.input = rest;
        if self.keep[usize::from(b)] {
            return Some(b);
        }
        self.pending = [
            HEX_UPPER[usize::from(b & 15)],
            HEX_UPPER[usize::from(b >> 4)],
        ];
        self.pending_len = 2;
        Some(b'%')
    }
}

/// Compares `a` and `b` by their encoded forms without building them: canonical query
/// parameters sort by *encoded* name, then encoded value, and escaping can change the order
/// (`~` sorts after `%C3`, the escape of `é`, although the raw bytes sort the other way).
pub(crate) fn cmp_encoded(a: &[u8], b: &[u8], set: Set) -> Ordering {
    let encoded = |input| EncodedBytes {
        input,
        keep: set.table(),
        pending: [0; 2],
        pending_len: 0,
    };
    encoded(a).cmp(encoded(b))
}

// ---------------------------------------------------------------------------------------
// Hex and decimal

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// The two lowercase hex digits of every byte.
#[cfg(not(target_arch = "wasm32"))]
static HEX_PAIRS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = [HEX_LOWER[b >> 4], HEX_LOWER[b & 15]];
        b += 1;
    }
    t
};

/// 32 bytes as 64 lowercase hex digits in `buf` (for hashing: no UTF-8 check).
// One table lookup per byte natively (both digits): about half the instructions of a digit
// loop.
#[inline]
pub(crate) fn hex32_bytes(bytes: &[u8; 32], buf: &mut [u8; 64]) {
    for (pair, &b) in buf.chunks_exact_mut(2).zip(bytes) {
        // Natively from a table; computed on WebAssembly (as `encode_runs`'s escapes).
        #[cfg(not(target_arch = "wasm32"))]
        pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
        #[cfg(target_arch = "wasm32")]
        pair.copy_from_slice(&[
            HEX_LOWER[usize::from(b >> 4)],
            HEX_LOWER[usize::from(b & 15)],
        ]);
    }
}

/// Appends 32 bytes as 64 lowercase hex digits, in one put.
#[inline]
pub(crate) fn push_hex32(out: &mut dyn Sink, bytes: &[u8; 32]) {
    let mut buf = [0u8; 64];
    hex32_bytes(bytes, &mut buf);
    put_ascii(out, &buf);
}

/// Appends the decimal digits of `n` without going through `fmt` (smaller on WASM).
pub(crate) fn push_u64(out: &mut dyn Sink, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        // `n % 10` is below 10.
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    put_ascii(out, &buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec::Vec;

    #[test]
    fn every_byte_between_long_kept_runs() {
        for set in [Set::Query, Set::Path] {
            for b in 0u8..=255 {
                // The chunked loop, the byte loop and the escape loop meet.
                let text = [&[b'k'; 37][..], &[b], &[b'~'; 20]].concat();
                let mut ours = String::new();
                uri_encode_bytes_into(&mut ours, &text, set);
                let kept = set.table()[usize::from(b)];
                let middle = if kept {
                    format!("{}", char::from(b))
                } else {
                    format!("%{b:02X}")
                };
                assert_eq!(
                    ours,
                    format!("{}{middle}{}", "k".repeat(37), "~".repeat(20))
                );
            }
        }
    }

    #[test]
    fn every_byte_kept_or_escaped_as_the_spec_says() {
        let all: Vec<u8> = (0u8..=255).collect();
        for set in [Set::Query, Set::Path] {
            let mut ours = String::from("x");
            uri_encode_bytes_into(&mut ours, &all, set);
            let mut expected = String::from("x");
            for &b in &all {
                if b.is_ascii_alphanumeric()
                    || b"-._~".contains(&b)
                    || (set == Set::Path && b == b'/')
                {
                    expected.push(char::from(b));
                } else {
                    expected.push_str(&format!("%{b:02X}"));
                }
            }
            assert_eq!(ours, expected);
            assert_eq!(uri_encoded_len(&all, set), expected.len() - 1);
            let long = "%é~".repeat(100);
            let mut s = String::new();
            uri_encode_into(&mut s, &long, set);
            assert_eq!(s, "%25%C3%A9~".repeat(100));
        }
    }

    #[test]
    fn encoded_order_differs_from_raw_order() {
        assert!("~".as_bytes() < "é".as_bytes());
        assert_eq!(
            cmp_encoded(b"~", "é".as_bytes(), Set::Query),
            Ordering::Greater
        );
        assert_eq!(cmp_encoded(b"a/", b"a/", Set::Path), Ordering::Equal);
        assert_eq!(cmp_encoded(b"a", b"a ", Set::Query), Ordering::Less);
    }

    #[test]
    fn hash_sink_hashes_and_records_exactly_what_it_is_given() {
        // Pieces shorter and longer than its buffer, in every order.
        let pieces = [
            "GET",
            "\n",
            &"q".repeat(127),
            ":",
            &"long".repeat(100),
            "",
            "x",
        ];
        for rotation in 0..pieces.len() {
            let mut order = pieces.to_vec();
            order.rotate_left(rotation);
            let mut text = String::new();
            let mut sink = HashSink::recording(&mut text);
            for p in &order {
                sink.put(p);
            }
            let hash = sink.finish();
            assert_eq!(text, order.concat());
            assert_eq!(
                hash,
                <[u8; 32]>::from(Sha256::digest(order.concat().as_bytes()))
            );
        }
    }

    #[test]
    fn hex_and_numbers() {
        let bytes: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0xa5);
        let mut s = String::new();
        push_hex32(&mut s, &bytes);
        assert_eq!(s, hex::encode(bytes));
        for n in [0, 7, 10, 99, 3600, 604_800, u64::MAX] {
            let mut s = String::from("=");
            push_u64(&mut s, n);
            assert_eq!(s, format!("={n}"));
        }
    }
}
