//! A bump allocator for `wasm32-unknown-unknown`: `alloc` moves a cursor forward (growing
//! memory by whole 64 KiB pages), `dealloc` does nothing, [`Bump::reset`] moves the cursor
//! back. A module installs it with
//! `#[global_allocator] static ALLOCATOR: Bump = Bump::new();` and resets it between calls,
//! so its memory is bounded by the largest single call. Far smaller than a general
//! allocator (dlmalloc costs several KB of WebAssembly).
//!
//! `unsafe` is confined to the allocator contract and the single-threaded `Sync`; each use
//! says why it is sound.
#![no_std]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

/// The allocator's state: the start of its region, the next free byte, the region's end.
pub struct Bump {
    start: Cell<usize>,
    next: Cell<usize>,
    end: Cell<usize>,
}

// SAFETY: wasm32-unknown-unknown without the atomics feature is single-threaded.
unsafe impl Sync for Bump {}

const PAGE: usize = 65_536;

impl Bump {
    /// An allocator that has not grown memory yet (`const`: for the `static`).
    pub const fn new() -> Self {
        Self {
            start: Cell::new(0),
            next: Cell::new(0),
            end: Cell::new(0),
        }
    }

    /// Frees everything allocated so far. Nothing allocated before may be used afterwards.
    pub fn reset(&self) {
        self.next.set(self.start.get());
    }
}

impl Default for Bump {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every block returned is inside memory owned by this allocator (pages obtained
// from memory.grow), aligned as asked, and never handed out twice before a reset.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let align = layout.align();
        let at = (self.next.get() + align - 1) & !(align - 1);
        let Some(end) = at.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if self.end.get() == 0 || end > self.end.get() {
            let need = layout.size() + align;
            let pages = need.div_ceil(PAGE).max(1);
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return core::ptr::null_mut();
            }
            let base = old * PAGE;
            if self.end.get() != base {
                // Not contiguous with the current region (first call): start afresh there.
                self.start.set(base);
                self.next.set(base);
            }
            self.end.set(base + pages * PAGE);
            // SAFETY: same contract, now with room.
            return unsafe { self.alloc(layout) };
        }
        self.next.set(end);
        at as *mut u8
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}
