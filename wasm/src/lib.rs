//! A tiny WebAssembly module around `s3presign`'s core (no_std + alloc, no wasm-bindgen).
//!
//! Exports (all plain C ABI, lengths in bytes, strings UTF-8):
//! - `s3p_alloc(len) -> ptr` / `s3p_free(ptr, len)`: memory for the caller's inputs;
//! - `presign_get(access_key, secret, session_token, endpoint, region, bucket, key,
//!   expires_in, unix_time) -> status`, each string passed as `(ptr, len)`; an empty
//!   session token means none, an empty endpoint means AWS. Returns 0 and stores the URL,
//!   or 1 and stores the error message;
//! - `s3p_result_ptr() -> ptr` / `s3p_result_len() -> len`: the stored text, valid until
//!   the next call.
//!
//! The clock is an input (`unix_time`, seconds): `wasm32-unknown-unknown` has none.
//!
//! Size: `#![no_std]` with a bump allocator over `memory.grow` keeps the module small (the
//! budget is 40 KB; std's dlmalloc and panic formatting alone cost ~15 KB). Memory handed
//! out is reclaimed all at once by `s3p_reset()`, which the host calls once it has read the
//! result (see `run.mjs`).
//!
//! `unsafe` is confined to turning the caller's pointers into slices, the allocator and the
//! single-threaded result cell; each use says why it is sound.
#![no_std]

extern crate alloc;

use alloc::alloc::{Layout, alloc, dealloc};
use alloc::string::{String, ToString};
use core::cell::RefCell;

use s3presign::s3::{Bucket, Endpoint};
use s3presign::{AmzDate, Credentials, Signer};
use s3presign_bump::Bump;

/// The bump allocator (shared with the npm package): `s3p_reset` frees everything at once.
#[global_allocator]
static ALLOCATOR: Bump = Bump::new();

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // The library does not panic on any input; this only keeps the linker satisfied.
    core::arch::wasm32::unreachable()
}

/// The last URL or error message.
struct ResultCell(RefCell<String>);

// SAFETY: wasm32-unknown-unknown without the atomics feature is single-threaded.
unsafe impl Sync for ResultCell {}

static RESULT: ResultCell = ResultCell(RefCell::new(String::new()));

/// Frees everything allocated so far (inputs and the last result) in one step. Call it
/// after reading each result; pointers obtained before are invalid afterwards.
#[unsafe(no_mangle)]
pub extern "C" fn s3p_reset() {
    // Forget the old result without running its destructor on soon-reused memory.
    core::mem::forget(RESULT.0.replace(String::new()));
    ALLOCATOR.reset();
}

/// Allocates `len` bytes (at least 1) for the caller to write an input into. Returns null
/// if the allocation fails.
#[unsafe(no_mangle)]
pub extern "C" fn s3p_alloc(len: usize) -> *mut u8 {
    match Layout::from_size_align(len.max(1), 1) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { alloc(layout) },
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees memory returned by [`s3p_alloc`] with the same `len`.
///
/// # Safety
/// `ptr` must come from `s3p_alloc(len)` and not have been freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn s3p_free(ptr: *mut u8, len: usize) {
    if let (false, Ok(layout)) = (ptr.is_null(), Layout::from_size_align(len.max(1), 1)) {
        // SAFETY: the caller guarantees `ptr` was allocated with this layout.
        unsafe { dealloc(ptr, layout) }
    }
}

/// Pointer to the text stored by the last call.
#[unsafe(no_mangle)]
pub extern "C" fn s3p_result_ptr() -> *const u8 {
    RESULT.0.borrow().as_ptr()
}

/// Length in bytes of the text stored by the last call.
#[unsafe(no_mangle)]
pub extern "C" fn s3p_result_len() -> usize {
    RESULT.0.borrow().len()
}

/// Borrows a caller-provided string.
///
/// # Safety
/// `ptr..ptr+len` must be readable (or `len` 0) for the duration of the call.
unsafe fn arg<'a>(ptr: *const u8, len: usize) -> Result<&'a str, &'static str> {
    if len == 0 {
        return Ok("");
    }
    if ptr.is_null() {
        return Err("null pointer with a non-zero length");
    }
    // SAFETY: guaranteed by the caller (see above).
    let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
    core::str::from_utf8(bytes).map_err(|_| "an argument is not valid UTF-8")
}

/// Presigns a GET; see the module docs. Returns 0 on success, 1 on error.
///
/// # Safety
/// Every `(ptr, len)` pair must describe readable memory (or have `len` 0).
#[unsafe(no_mangle)]
#[allow(
    clippy::too_many_arguments,
    reason = "a C ABI takes each string as pointer and length"
)]
pub unsafe extern "C" fn presign_get(
    access_key_ptr: *const u8,
    access_key_len: usize,
    secret_ptr: *const u8,
    secret_len: usize,
    token_ptr: *const u8,
    token_len: usize,
    endpoint_ptr: *const u8,
    endpoint_len: usize,
    region_ptr: *const u8,
    region_len: usize,
    bucket_ptr: *const u8,
    bucket_len: usize,
    key_ptr: *const u8,
    key_len: usize,
    expires_in: u32,
    unix_time: i64,
) -> u32 {
    // SAFETY: each pair is guaranteed readable by the caller.
    let strings = unsafe {
        [
            arg(access_key_ptr, access_key_len),
            arg(secret_ptr, secret_len),
            arg(token_ptr, token_len),
            arg(endpoint_ptr, endpoint_len),
            arg(region_ptr, region_len),
            arg(bucket_ptr, bucket_len),
            arg(key_ptr, key_len),
        ]
    };
    let outcome = match strings {
        [
            Ok(id),
            Ok(secret),
            Ok(token),
            Ok(endpoint),
            Ok(region),
            Ok(bucket),
            Ok(key),
        ] => presign(
            id, secret, token, endpoint, region, bucket, key, expires_in, unix_time,
        )
        .map_err(|e| e.to_string()),
        _ => Err(String::from(
            "an argument is not valid UTF-8 or is a null pointer",
        )),
    };
    let (status, text) = match outcome {
        Ok(url) => (0, url),
        Err(msg) => (1, msg),
    };
    *RESULT.0.borrow_mut() = text;
    status
}

#[allow(
    clippy::too_many_arguments,
    reason = "the exported function's strings, passed on as they are"
)]
fn presign(
    id: &str,
    secret: &str,
    token: &str,
    endpoint: &str,
    region: &str,
    bucket: &str,
    key: &str,
    expires_in: u32,
    unix_time: i64,
) -> Result<String, s3presign::Error> {
    let mut creds = Credentials::new(id, secret);
    if !token.is_empty() {
        creds = creds.with_session_token(token);
    }
    let endpoint = if endpoint.is_empty() {
        Endpoint::aws(region)?
    } else {
        Endpoint::custom(endpoint, region)?
    };
    let bucket = Bucket::new(&endpoint, bucket)?;
    bucket
        .get_object(key)
        .expires_in(u64::from(expires_in))
        .sign_url(
            &Signer::new(creds)?,
            AmzDate::from_unix_timestamp(unix_time)?,
        )
}
