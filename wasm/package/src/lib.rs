//! The WebAssembly half of the `s3presign` npm package (no wasm-bindgen, no `core::fmt`).
//!
//! The JavaScript glue (`../glue.js`) talks to it through four exports:
//! - `a(len) -> ptr`: starts a call. Frees everything the previous call allocated (one bump
//!   arena, reset here), then returns `len` zeroed bytes for the options (null if `len` is
//!   over [`MAX_INPUT`]).
//! - `s(op, len, expires_in, time, min, max) -> status`: signs. `op` is 0 GET, 1 PUT, 2 POST,
//!   3 header signing; the options are `len` bytes of length-prefixed strings (see
//!   [`input`]); numbers travel as `f64` (NaN: absent). Returns 0 and stores the result
//!   (fields joined by NUL: method, URL, expiry in Unix seconds, then name/value pairs) or 1
//!   and stores a one-line error message.
//! - `p() -> ptr`, `l() -> len`: the stored text, valid until the next `a`.
//!
//! Memory is invisible to JavaScript: nothing needs freeing, the next call reclaims it.
#![no_std]

extern crate alloc;

mod arena;
mod input;
mod message;
mod ops;

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

/// The largest options record accepted, in bytes (keys are at most 1 KiB, tokens a few).
pub const MAX_INPUT: usize = 1 << 20;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // The library does not panic on any input; this only keeps the linker satisfied.
    core::arch::wasm32::unreachable()
}

/// A value used from the single WebAssembly thread only.
struct Local<T>(RefCell<T>);

// SAFETY: wasm32-unknown-unknown without the atomics feature is single-threaded.
unsafe impl<T> Sync for Local<T> {}

/// The options of the current call.
static INPUT: Local<Vec<u8>> = Local(RefCell::new(Vec::new()));
/// The result (or error message) of the last call.
static OUTPUT: Local<String> = Local(RefCell::new(String::new()));

/// Starts a call: reclaims the previous call's memory, returns room for `len` bytes.
#[unsafe(no_mangle)]
pub extern "C" fn a(len: usize) -> *mut u8 {
    // The arena is about to be reused: drop nothing that lives in it.
    core::mem::forget(INPUT.0.take());
    core::mem::forget(OUTPUT.0.take());
    arena::reset();
    if len > MAX_INPUT {
        return core::ptr::null_mut();
    }
    let mut buf = INPUT.0.borrow_mut();
    buf.resize(len, 0);
    buf.as_mut_ptr()
}

/// Signs the options written after [`a`]; see the crate docs.
#[unsafe(no_mangle)]
pub extern "C" fn s(op: u32, len: usize, expires_in: f64, time: f64, min: f64, max: f64) -> u32 {
    let input = INPUT.0.borrow();
    let numbers = input::Numbers {
        expires_in,
        time,
        min,
        max,
    };
    let result = input
        .get(..len)
        .ok_or_else(|| message::glue("the options record is longer than the room asked for"))
        .and_then(input::Options::parse)
        .and_then(|options| ops::run(op, &options, &numbers));
    match result {
        Ok(text) => {
            store(text);
            0
        }
        // The message is stored already.
        Err(message::Stop) => 1,
    }
}

/// Stores the call's result (or error message) for [`p`] and [`l`].
fn store(text: String) {
    *OUTPUT.0.borrow_mut() = text;
}

/// Where the stored text starts.
#[unsafe(no_mangle)]
pub extern "C" fn p() -> *const u8 {
    OUTPUT.0.borrow().as_ptr()
}

/// The stored text's length in bytes.
#[unsafe(no_mangle)]
pub extern "C" fn l() -> usize {
    OUTPUT.0.borrow().len()
}
