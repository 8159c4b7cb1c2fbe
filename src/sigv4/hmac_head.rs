//! HMAC-SHA256 of a string to sign whose first lines are known in advance.
//!
//! The string to sign is `ALGORITHM\nTIME\nSCOPE\nHEX(SHA256(canonical request))`: for a given
//! key and request time only the last 64 bytes change. [`KeyPads`] holds the SHA-256 states
//! after the key's inner and outer pads (RFC 2104), [`HeadState`] the inner state after the
//! first three lines; [`HeadState::finish`] then runs the last inner blocks and the outer
//! block straight through [`sha2::compress256`], with the padding written here.
//!
//! The `hmac` crate computes the same function (the unit tests compare the two); going
//! through the compression function directly skips its buffering and state copies, about
//! 300 instructions per signature.

use sha2::block_api::compress256;

/// The SHA-256 initial hash value (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The SHA-256 of over-long keys: `sha2::Sha256` natively; [`Stream`] on WebAssembly, where
/// it is the smaller code. (Canonical requests go through [`Stream`] on every target: see
/// [`HashSink`](super::text::HashSink).)
#[cfg(not(target_arch = "wasm32"))]
pub(crate) type Sha256 = sha2::Sha256;
#[cfg(target_arch = "wasm32")]
pub(crate) type Sha256 = Stream;

/// SHA-256 of a stream straight over [`compress256`] (FIPS 180-4 padding written here), with
/// the part of `sha2::Sha256`'s API the crate uses (same names, so either can be
/// [`Sha256`]).
#[derive(Clone)]
pub(crate) struct Stream {
    state: [u32; 8],
    /// Bytes not yet compressed (fewer than 64 between calls).
    block: [u8; 64],
    len: usize,
    /// Bytes compressed so far.
    compressed: u64,
}

impl Default for Stream {
    fn default() -> Self {
        Self {
            state: IV,
            block: [0; 64],
            len: 0,
            compressed: 0,
        }
    }
}

impl Stream {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        if self.len > 0
            && let Some(room) = self.block.get_mut(self.len..)
        {
            // Complete the block started before.
            let take = room.len().min(data.len());
            let (now, rest) = data.split_at(take);
            room[..take].copy_from_slice(now);
            self.len += take;
            data = rest;
            if self.len < 64 {
                return;
            }
            compress256(&mut self.state, &[self.block]);
            self.compressed += 64;
            self.len = 0;
        }
        // Whole blocks straight from `data` (a session token is about a thousand bytes).
        let (blocks, rest) = data.as_chunks::<64>();
        if !blocks.is_empty() {
            compress256(&mut self.state, blocks);
            self.compressed += 64 * blocks.len() as u64;
        }
        // `rest` is shorter than a block.
        if let Some(dst) = self.block.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
            self.len = rest.len();
        }
    }

    pub(crate) fn finalize(mut self) -> [u8; 32] {
        let bits = (self.compressed + self.len as u64) * 8;
        // 0x80, then zeros up to 56 bytes into a block, then the bit length (a byte at a
        // time: WebAssembly has no byte swap).
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        let zeros_end = (119 - self.len) % 64 + 1;
        let mut shift = 64;
        for byte in pad.iter_mut().skip(zeros_end).take(8) {
            shift -= 8;
            *byte = (bits >> shift) as u8;
        }
        self.update(pad.get(..zeros_end + 8).unwrap_or(&pad));
        let mut out = [0u8; 32];
        big_endian(self.state, &mut out);
        out
    }
}

/// Writes a SHA-256 state as its 32-byte digest into the start of `out`: natively a word
/// at a time (a byte swap each), on WebAssembly (no byte-swap instruction) a byte at a time
/// in a loop, far smaller code.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
fn big_endian(state: [u32; 8], out: &mut [u8]) {
    #[cfg(not(target_arch = "wasm32"))]
    for (dst, word) in out.chunks_exact_mut(4).zip(state) {
        dst.copy_from_slice(&word.to_be_bytes());
    }
    #[cfg(target_arch = "wasm32")]
    for (i, dst) in out.iter_mut().take(32).enumerate() {
        *dst = (state[i / 4] >> (24 - 8 * (i % 4))) as u8;
    }
}

/// SHA-256 states after absorbing the 64-byte key block XOR ipad and XOR opad.
#[derive(Clone, Copy)]
pub(crate) struct KeyPads {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl KeyPads {
    /// The pads of a 32-byte key (shorter than the block: zero-padded, RFC 2104).
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(key);
        Self::from_block(&block)
    }

    /// The pads of the key made of `parts` one after the other: zero-padded to the block,
    /// or hashed first if longer than the block (RFC 2104).
    pub(crate) fn from_parts(parts: &[&[u8]]) -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        use sha2::Digest;
        let mut block = [0u8; 64];
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len > block.len() {
            let mut h = Sha256::new();
            for p in parts {
                h.update(p);
            }
            block[..32].copy_from_slice(&h.finalize());
        } else {
            let mut at = 0;
            for p in parts {
                block[at..at + p.len()].copy_from_slice(p);
                at += p.len();
            }
        }
        Self::from_block(&block)
    }

    fn from_block(key: &[u8; 64]) -> Self {
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for (i, k) in key.iter().enumerate() {
            ipad[i] ^= k;
            opad[i] ^= k;
        }
        let mut inner = IV;
        compress256(&mut inner, &[ipad]);
        let mut outer = IV;
        compress256(&mut outer, &[opad]);
        Self { inner, outer }
    }
}

/// HMAC-SHA256 of `data` with the key of `pads`.
pub(crate) fn mac(pads: &KeyPads, data: &[u8]) -> [u8; 32] {
    HeadState::new(pads, data).finish_with(tail(&[]))
}

/// The last bytes of an HMAC's message, at most 64, as [`HeadState::finish_with`] takes them.
/// Natively an array: each length gets its own code, with the length a constant. On
/// WebAssembly a slice: one copy of the code for both lengths (a smaller module).
trait Tail {
    fn bytes(&self) -> &[u8];
}

impl<const N: usize> Tail for [u8; N] {
    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        const { assert!(N <= 64) };
        self
    }
}

impl Tail for [u8] {
    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        // Never longer than 64 (see `tail`); cut rather than overrun the buffer if it were.
        self.get(..64).unwrap_or(self)
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
fn tail<const N: usize>(bytes: &[u8; N]) -> &[u8; N] {
    bytes
}

#[cfg(target_arch = "wasm32")]
#[inline(always)]
fn tail<const N: usize>(bytes: &[u8; N]) -> &[u8] {
    bytes
}

/// The inner hash state after the key block and a fixed head of the message.
#[derive(Clone)]
pub(crate) struct HeadState {
    inner: [u32; 8],
    outer: [u32; 8],
    /// Head bytes not yet compressed (fewer than 64).
    pending: [u8; 64],
    pending_len: usize,
    /// Bytes compressed into `inner`, the key block included.
    compressed: u64,
}

impl HeadState {
    /// Absorbs `head` after the key block.
    pub(crate) fn new(pads: &KeyPads, head: &[u8]) -> Self {
        #[cfg(target_arch = "wasm32")]
        return Self::new_streamed(pads, head);
        // Natively a block at a time.
        #[cfg(not(target_arch = "wasm32"))]
        {
            let mut inner = pads.inner;
            let mut blocks = head.chunks_exact(64);
            let mut compressed = 64u64;
            for block in &mut blocks {
                let mut b = [0u8; 64];
                b.copy_from_slice(block);
                compress256(&mut inner, &[b]);
                compressed += 64;
            }
            let rest = blocks.remainder();
            let mut pending = [0u8; 64];
            pending[..rest.len()].copy_from_slice(rest);
            Self {
                inner,
                outer: pads.outer,
                pending,
                pending_len: rest.len(),
                compressed,
            }
        }
    }

    /// [`Self::new`] through [`Stream`]: the WebAssembly build's (least code).
    #[cfg_attr(
        not(any(target_arch = "wasm32", test)),
        expect(dead_code, reason = "the WebAssembly build's; tested natively")
    )]
    fn new_streamed(pads: &KeyPads, head: &[u8]) -> Self {
        let mut inner = Stream {
            state: pads.inner,
            block: [0; 64],
            len: 0,
            compressed: 64,
        };
        inner.update(head);
        Self {
            inner: inner.state,
            outer: pads.outer,
            pending: inner.block,
            pending_len: inner.len,
            compressed: inner.compressed,
        }
    }

    /// HMAC of head + `tail` (64 bytes: the hex canonical-request hash).
    // Two compressions for a string to sign's last line (its head leaves 5 bytes pending),
    // then one for the outer hash: the minimum.
    pub(crate) fn finish(&self, last: &[u8; 64]) -> [u8; 32] {
        self.finish_with(tail(last))
    }

    /// HMAC of head + `tail`, for a tail of at most 64 bytes (its callers pass 0 or 64, as
    /// arrays natively and as slices on WebAssembly: see [`Tail`]).
    fn finish_with<T: Tail + ?Sized>(&self, tail: &T) -> [u8; 32] {
        let tail = tail.bytes();
        #[cfg(target_arch = "wasm32")]
        return self.finish_streamed(tail);
        // Natively the padding written out (fewest instructions).
        #[cfg(not(target_arch = "wasm32"))]
        {
            // Inner: pending + tail + 0x80 + zeros + the bit length, in one to three blocks
            // (up to 127 bytes of message, then at least 9 of padding).
            let mut buf = [[0u8; 64]; 3];
            let p = self.pending_len;
            let used = p + tail.len();
            let blocks = (used + 9).div_ceil(64);
            let total_bits = (self.compressed + used as u64) * 8;
            {
                let flat = buf.as_flattened_mut();
                flat[..p].copy_from_slice(&self.pending[..p]);
                flat[p..used].copy_from_slice(tail);
                flat[used] = 0x80;
                flat[blocks * 64 - 8..blocks * 64].copy_from_slice(&total_bits.to_be_bytes());
            }
            let mut inner = self.inner;
            compress256(&mut inner, &buf[..blocks]);
            // Outer: the 32-byte inner hash after the opad block; 96 bytes = 768 bits in all.
            let mut block = [0u8; 64];
            big_endian(inner, &mut block);
            block[32] = 0x80;
            block[56..].copy_from_slice(&768u64.to_be_bytes());
            let mut outer = self.outer;
            compress256(&mut outer, &[block]);
            let mut mac = [0u8; 32];
            big_endian(outer, &mut mac);
            mac
        }
    }

    /// [`Self::finish_with`] through [`Stream`]: the WebAssembly build's (least code).
    #[cfg_attr(
        not(any(target_arch = "wasm32", test)),
        expect(dead_code, reason = "the WebAssembly build's; tested natively")
    )]
    fn finish_streamed(&self, tail: &[u8]) -> [u8; 32] {
        let mut inner = Stream {
            state: self.inner,
            block: self.pending,
            len: self.pending_len,
            compressed: self.compressed,
        };
        inner.update(tail);
        let mut outer = Stream {
            state: self.outer,
            block: [0; 64],
            len: 0,
            compressed: 64,
        };
        outer.update(&inner.finalize());
        outer.finalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit, Mac};

    #[test]
    fn stream_hashes_as_sha2_in_any_pieces() {
        use sha2::Digest;
        let data: alloc::vec::Vec<u8> = (0..300u32).map(|i| (i * 151 % 251) as u8).collect();
        for len in 0..data.len() {
            let expected: [u8; 32] = sha2::Sha256::digest(&data[..len]).into();
            for piece in [1, 7, 55, 56, 63, 64, 65, 300] {
                let mut s = Stream::new();
                for chunk in data[..len].chunks(piece) {
                    s.update(chunk);
                }
                assert_eq!(s.finalize(), expected, "{len} bytes in pieces of {piece}");
            }
            // Pieces of changing sizes: a block completed, then whole blocks from the input.
            let mut s = Stream::new();
            let mut rest = &data[..len];
            for piece in [5, 129, 64, 1, 190].into_iter().cycle() {
                let (now, later) = rest.split_at(piece.min(rest.len()));
                s.update(now);
                rest = later;
                if rest.is_empty() {
                    break;
                }
            }
            assert_eq!(s.finalize(), expected, "{len} bytes in mixed pieces");
        }
    }

    #[test]
    fn same_as_the_hmac_crate() {
        let mut seed = 0x1234_5678u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as u8
        };
        for head_len in 0..200 {
            let key: [u8; 32] = core::array::from_fn(|_| next());
            let head: alloc::vec::Vec<u8> = (0..head_len).map(|_| next()).collect();
            let tail: [u8; 64] = core::array::from_fn(|_| next());
            let mut reference = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap();
            reference.update(&head);
            reference.update(&tail);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            let state = HeadState::new(&KeyPads::new(&key), &head);
            assert_eq!(state.finish(&tail), expected, "head of {head_len} bytes");
            // The WebAssembly build's way, from either start.
            let streamed = HeadState::new_streamed(&KeyPads::new(&key), &head);
            assert_eq!(
                streamed.finish_streamed(&tail),
                expected,
                "{head_len} bytes"
            );
            assert_eq!(state.finish_streamed(&tail), expected, "{head_len} bytes");
            assert_eq!(streamed.finish_streamed(&[]), state.finish_with(&[]));
        }
    }

    #[test]
    fn mac_of_any_key_and_data_as_the_hmac_crate() {
        let mut seed = 0x2545_f491u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as u8
        };
        for len in (0..200).chain([511, 512, 513, 4096]) {
            let key: alloc::vec::Vec<u8> = (0..len % 131).map(|_| next()).collect();
            let data: alloc::vec::Vec<u8> = (0..len).map(|_| next()).collect();
            let mut reference = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key).unwrap();
            reference.update(&data);
            let expected: [u8; 32] = reference.finalize().into_bytes().into();
            let (a, b) = key.split_at(key.len() / 3);
            assert_eq!(mac(&KeyPads::from_parts(&[a, b]), &data), expected, "{len}");
        }
    }
}
