//! A counting global allocator for the whole test binary: the bytes allocated right now by
//! the threads that set [`TRACKED`], and their peak. Tests that measure memory run one at a
//! time (hold [`SERIAL`]) on threads of their own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicIsize, Ordering};

/// Counts the bytes allocated right now and the most since the last [`Peak::start`].
struct Counting;

// Signed: a tracked thread may free what it allocated before it was tracked.
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    // Const-initialized and without a destructor: safe to read inside the allocator.
    pub(crate) static TRACKED: Cell<bool> = const { Cell::new(false) };
}

fn tracked() -> bool {
    TRACKED.try_with(Cell::get).unwrap_or(false)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && tracked() {
            let size = layout.size() as isize;
            let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        if tracked() {
            LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Tests that measure memory must not overlap (the counter is per process).
pub(crate) static SERIAL: Mutex<()> = Mutex::new(());

/// Peak memory above what was allocated at [`Peak::start`].
pub(crate) struct Peak(isize);

impl Peak {
    pub(crate) fn start() -> Self {
        let live = LIVE.load(Ordering::Relaxed);
        PEAK.store(live, Ordering::Relaxed);
        Self(live)
    }

    pub(crate) fn above_start(&self) -> usize {
        usize::try_from(PEAK.load(Ordering::Relaxed) - self.0).unwrap_or(0)
    }
}
