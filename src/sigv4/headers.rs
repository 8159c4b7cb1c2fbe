//! Headers in a canonical request: name and value rules (RFC 9110 tokens, SigV4 value
//! trimming), and the sorted, grouped header block of a request being canonicalised.

use alloc::string::String;
use alloc::vec::Vec;

use super::canonical::HeaderBlock;
use super::text::{Sink, StackText, put_ascii};
use crate::error::{Error, Result, clip};

/// An RFC 9110 `tchar`: letters, digits and ``!#$%&'*+-.^_`|~``.
// A table lookup instead of searching the 15 symbols for every byte.
#[inline]
fn is_tchar(c: u8) -> bool {
    static TCHAR: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] = b.is_ascii_alphanumeric();
            c += 1;
        }
        let symbols = b"!#$%&'*+-.^_`|~";
        let mut i = 0;
        while i < symbols.len() {
            t[symbols[i] as usize] = true;
            i += 1;
        }
        t
    };
    TCHAR[usize::from(c)]
}

/// Whether any byte of `b` is below `limit` (at most 128) or equals `v1` or `v2`.
// Eight bytes per step with the classic SWAR tests ("has less than", "has zero byte"):
// about one instruction per byte instead of three or four.
pub(crate) fn any_byte_below_or(b: &[u8], limit: u8, v1: u8, v2: u8) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |y: u64| y.wrapping_sub(LO) & !y & HI != 0;
    let mut chunks = b.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // Exact as a yes/no answer for limit <= 128: a borrow only crosses into a higher
        // byte when a lower byte already matched.
        let below = x.wrapping_sub(LO * u64::from(limit)) & !x & HI != 0;
        if below || has_zero(x ^ (LO * u64::from(v1))) || has_zero(x ^ (LO * u64::from(v2))) {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&c| c < limit || c == v1 || c == v2)
}

/// Checks that `name` is an HTTP token (RFC 9110 `tchar`s).
pub(crate) fn validate_header_name(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        "it is empty"
    } else if !name.bytes().all(is_tchar) {
        "a header name may only contain letters, digits and !#$%&'*+-.^_`|~"
    } else {
        return Ok(());
    };
    Err(Error::InvalidHeaderName {
        name: clip(name),
        reason,
    })
}

/// Appends the canonical form of a header value to `out`: leading and trailing spaces
/// removed, runs of spaces collapsed to one. Rejects CR, LF and other control bytes.
pub(crate) fn canonical_header_value<S: Sink>(out: &mut S, name: &str, value: &str) -> Result<()> {
    // On WebAssembly straight to the general case (least code).
    #[cfg(target_arch = "wasm32")]
    return by_words(out, name, value);
    // One pass checks the bytes and whether anything needs trimming or collapsing; most
    // values need neither and are copied whole (saves splitting into words, ~10x faster).
    #[cfg(not(target_arch = "wasm32"))]
    {
        let b = value.as_bytes();
        // Most values have no space, tab or control byte at all: one 8-bytes-at-a-time scan
        // proves it and the value is copied whole (a third of the per-byte folds below).
        if !any_byte_below_or(b, 0x21, 0x7f, 0x7f) {
            out.put(value);
            return Ok(());
        }
        // Branch-free folds: any control byte or tab, any two spaces in a row.
        let control_or_tab = b.iter().fold(false, |f, &c| f | (c < 0x20) | (c == 0x7f));
        let double_space = b
            .iter()
            .zip(b.iter().skip(1))
            .fold(false, |f, (&x, &y)| f | ((x == b' ') & (y == b' ')));
        let edge_space = b.first() == Some(&b' ') || b.last() == Some(&b' ');
        if !control_or_tab && !double_space && !edge_space {
            out.put(value);
            return Ok(());
        }
        by_words(out, name, value)
    }
}

/// The general case of [`canonical_header_value`]: control bytes refused, then the words
/// (runs between spaces and tabs) joined by single spaces.
// Natively the rare path: kept out of the callers' fast path.
#[cfg_attr(not(target_arch = "wasm32"), cold)]
fn by_words<S: Sink>(out: &mut S, name: &str, value: &str) -> Result<()> {
    let b = value.as_bytes();
    if b.iter().any(|&c| (c < 0x20 && c != b'\t') || c == 0x7f) {
        return Err(Error::InvalidHeaderValue {
            name: clip(name),
            reason: "header values may not contain CR, LF or other control characters",
        });
    }
    let mut start = 0;
    let mut first = true;
    for end in 0..=b.len() {
        if b.get(end).is_some_and(|&c| c != b' ' && c != b'\t') {
            continue;
        }
        // Both ends are next to ASCII bytes or at the ends: char boundaries.
        if let Some(word) = value.get(start..end).filter(|w| !w.is_empty()) {
            if !first {
                out.put(" ");
            }
            first = false;
            out.put(word);
        }
        start = end + 1;
    }
    Ok(())
}

/// Headers canonicalised without a heap allocation when there are at most this many.
pub(crate) const STACK_HEADERS: usize = 12;

/// A header being canonicalised: borrowed name and value, position given, and what is
/// already known about it.
#[derive(Clone, Copy)]
pub(crate) struct Entry<'h> {
    name: &'h str,
    value: &'h str,
    order: usize,
    /// The name has no uppercase letter.
    lowercase: bool,
    /// Added by the signer: a valid lowercase name and an already canonical value.
    // Skips validating and canonicalising x-amz-date, x-amz-content-sha256 and the token.
    trusted: bool,
}

impl Entry<'_> {
    pub(crate) const EMPTY: Entry<'static> = Entry {
        name: "",
        value: "",
        order: 0,
        lowercase: true,
        trusted: true,
    };

    /// Orders names as their lowercase forms would, without building them.
    fn cmp_name(&self, other: &Self) -> core::cmp::Ordering {
        if self.lowercase && other.lowercase {
            // Both lowercase already: a plain byte comparison (memcmp).
            return self.name.cmp(other.name);
        }
        let a = self.name.bytes().map(|c| c.to_ascii_lowercase());
        a.cmp(other.name.bytes().map(|c| c.to_ascii_lowercase()))
    }

    fn same_name(&self, other: &Self) -> bool {
        if self.lowercase && other.lowercase {
            self.name == other.name
        } else {
            self.name.eq_ignore_ascii_case(other.name)
        }
    }

    /// Puts the name in lowercase (header names are validated ASCII tokens).
    fn put_name<S: Sink>(&self, out: &mut S) {
        if self.lowercase {
            out.put(self.name);
            return;
        }
        for chunk in self.name.as_bytes().chunks(64) {
            let mut buf = [0u8; 64];
            for (d, c) in buf.iter_mut().zip(chunk) {
                *d = c.to_ascii_lowercase();
            }
            put_ascii(out, &buf[..chunk.len()]);
        }
    }

    fn put_value<S: Sink>(&self, out: &mut S) -> Result<()> {
        if self.trusted {
            out.put(self.value);
            Ok(())
        } else {
            canonical_header_value(out, self.name, self.value)
        }
    }
}

/// The request's headers and the signer's, validated and sorted by lowercase name (then in
/// the order given), in `stack` when they fit.
// Sorting references on the stack instead of lowercased copies saves an allocation per
// header.
pub(crate) fn sorted_entries<'l, 'h>(
    given: &'h [(&'h str, &'h str)],
    added: &'h [(&'h str, &'h str)],
    stack: &'l mut [Entry<'h>; STACK_HEADERS],
    heap: &'l mut Vec<Entry<'h>>,
) -> Result<Entries<'l, 'h>> {
    let total = given.len() + added.len();
    let given = given.iter().map(|&(name, value)| Entry {
        name,
        value,
        order: 0,
        lowercase: !name.bytes().any(|c| c.is_ascii_uppercase()),
        trusted: false,
    });
    let added = added.iter().map(|&(name, value)| Entry {
        name,
        value,
        order: 0,
        lowercase: true,
        trusted: true,
    });
    let all = given
        .chain(added)
        .enumerate()
        .map(|(order, e)| Entry { order, ..e });
    let list: &'l mut [Entry<'h>] = if total <= STACK_HEADERS {
        for (slot, e) in stack.iter_mut().zip(all) {
            *slot = e;
        }
        &mut stack[..total]
    } else {
        heap.extend(all);
        heap
    };
    for e in list.iter().filter(|e| !e.trusted) {
        validate_header_name(e.name)?;
    }
    // Repeated headers keep their order when their values are joined by ','.
    let by_name = |a: &Entry<'_>, b: &Entry<'_>| a.cmp_name(b).then(a.order.cmp(&b.order));
    // Usually sorted already (a host header, then the signer's, given in order): one
    // comparison per pair instead of a sort.
    if !list.windows(2).all(|w| by_name(&w[0], &w[1]).is_lt()) {
        heap_sort_by(list, |a, b| by_name(a, b).is_lt());
    }
    Ok(Entries(list))
}

/// Sorts `v` so that no element is `less` than one before it: a heapsort, O(n log n) at
/// worst and without allocating, in far less code than the standard library's sorts (the
/// crate is also built for WebAssembly, where every kilobyte is downloaded). Not stable:
/// callers give a total order.
pub(crate) fn heap_sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let sift = |v: &mut [T], mut node: usize| {
        loop {
            let mut child = 2 * node + 1;
            if child >= v.len() {
                return;
            }
            if child + 1 < v.len() && less(&v[child], &v[child + 1]) {
                child += 1;
            }
            if !less(&v[node], &v[child]) {
                return;
            }
            v.swap(node, child);
            node = child;
        }
    };
    for node in (0..v.len() / 2).rev() {
        sift(v, node);
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift(&mut v[..end], 0);
    }
}

/// The signed header names of `headers` joined by `;`, in `out`; `None` if they do not fit.
pub(crate) fn signed_header_names<'s, const N: usize>(
    headers: &[(&str, &str)],
    out: &'s mut StackText<N>,
) -> Result<Option<&'s [u8]>> {
    let mut stack = [Entry::EMPTY; STACK_HEADERS];
    let mut heap = Vec::new();
    sorted_entries(headers, &[], &mut stack, &mut heap)?.write_names(out);
    Ok(out.as_bytes())
}

/// As [`signed_header_names`], for names that do not fit on the stack.
pub(crate) fn signed_header_names_string(headers: &[(&str, &str)]) -> Result<String> {
    let mut stack = [Entry::EMPTY; STACK_HEADERS];
    let mut heap = Vec::new();
    let mut out = String::new();
    sorted_entries(headers, &[], &mut stack, &mut heap)?.write_names(&mut out);
    Ok(out)
}

/// Sorted header entries; a repeated name is one header whose values are joined by `,`.
pub(crate) struct Entries<'l, 'h>(&'l [Entry<'h>]);

impl HeaderBlock for Entries<'_, '_> {
    fn write_lines<S: Sink>(&self, out: &mut S) -> Result<()> {
        for group in self.0.chunk_by(|a, b| a.same_name(b)) {
            for (i, e) in group.iter().enumerate() {
                if i == 0 {
                    e.put_name(out);
                    out.put(":");
                } else {
                    out.put(",");
                }
                e.put_value(out)?;
            }
            out.put("\n");
        }
        Ok(())
    }

    fn write_names<S: Sink>(&self, out: &mut S) {
        for (i, group) in self.0.chunk_by(|a, b| a.same_name(b)).enumerate() {
            if i > 0 {
                out.put(";");
            }
            if let Some(e) = group.first() {
                e.put_name(out);
            }
        }
    }
}

pub(crate) fn validate_method(method: &str) -> Result<()> {
    if method.is_empty() {
        return Err(Error::InvalidMethod {
            reason: "it is empty",
        });
    }
    if !method.bytes().all(is_tchar) {
        return Err(Error::InvalidMethod {
            reason: "a method may only contain letters, digits and !#$%&'*+-.^_`|~",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_scan_matches_a_byte_loop() {
        let mut data: Vec<u8> = (0u8..=255).collect();
        data.extend((0u8..=255).rev());
        for start in 0..data.len() {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 40] {
                let b = &data[start..(start + len).min(data.len())];
                for (limit, v1, v2) in [(0x21, 0x7f, 0x7f), (0x20, 0x7f, b'%'), (0, 0x80, 0xff)] {
                    let slow = b.iter().any(|&c| c < limit || c == v1 || c == v2);
                    assert_eq!(any_byte_below_or(b, limit, v1, v2), slow, "{b:?} {limit}");
                }
            }
        }
        // Only visible bytes, in every position of a word.
        let visible: Vec<u8> = (0x21u8..0x7f).chain(0x80..=0xff).collect();
        assert!(!any_byte_below_or(&visible, 0x21, 0x7f, 0x7f));
    }

    #[test]
    fn header_values() {
        let mut s = String::new();
        canonical_header_value(&mut s, "x", "  a   b\tc  ").unwrap();
        assert_eq!(s, "a b c");
        assert!(canonical_header_value(&mut s, "x", "a\r\nb").is_err());
        assert!(canonical_header_value(&mut s, "x", "a\0").is_err());
        assert!(validate_header_name("X-Amz-Meta-Foo").is_ok());
        assert!(validate_header_name("bad name").is_err());
        assert!(validate_header_name("").is_err());
    }

    #[test]
    fn header_values_by_words_as_split_and_join() {
        // Every string of up to 5 characters over spaces, tabs, letters, non-ASCII and
        // control characters: both paths give the words joined by single spaces, or refuse.
        let alphabet = [" ", "\t", "a", "é", "\r", "\u{7f}"];
        let mut values = alloc::vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = values
                .iter()
                .flat_map(|v| alphabet.iter().map(move |c| alloc::format!("{v}{c}")))
                .collect();
            values.extend(longer);
        }
        values.sort();
        values.dedup();
        for v in &values {
            let control = v.bytes().any(|c| (c < 0x20 && c != b'\t') || c == 0x7f);
            let words: Vec<&str> = v.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
            let expected = (!control).then(|| words.join(" "));
            let mut fast = String::new();
            let fast = canonical_header_value(&mut fast, "x", v).map(|()| fast);
            let mut slow = String::new();
            let slow = by_words(&mut slow, "x", v).map(|()| slow);
            assert_eq!(fast.as_ref().ok(), expected.as_ref(), "{v:?}");
            assert_eq!(slow.as_ref().ok(), expected.as_ref(), "{v:?}");
        }
    }

    #[test]
    fn heap_sort_agrees_with_the_standard_sort() {
        // Every length up to 40, with repeats, in a scrambled order (a fixed LCG).
        let mut seed = 7u32;
        for len in 0..40 {
            let mut v: Vec<u32> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (seed >> 16) % 13
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_unstable();
            heap_sort_by(&mut v, |a, b| a < b);
            assert_eq!(v, expected, "length {len}");
        }
    }
}
