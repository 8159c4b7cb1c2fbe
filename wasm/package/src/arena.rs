//! The module's memory: one bump arena (`s3presign-bump`, shared with the C-ABI demo in
//! `wasm/src`). Each call from JavaScript starts with a [`reset`], so memory is bounded by
//! the largest single call.

use s3presign_bump::Bump;

#[global_allocator]
static ALLOCATOR: Bump = Bump::new();

/// Frees everything allocated so far. Nothing allocated before may be used afterwards.
pub fn reset() {
    ALLOCATOR.reset();
}
