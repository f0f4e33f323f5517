//! Work on threads whose stacks hold what the networks build by value: a
//! boxed session or ALEX's 11 MB network is assembled on the stack before it
//! moves to the heap. The stacks are reserved, not touched, until used.

use crate::error::{Error, Result};

/// Stack of every worker thread: 256 MiB of address space.
pub const STACK: usize = 256 << 20;

/// Runs `work` on a rayon pool of as many threads as the calling pool has,
/// each with a [`STACK`]-sized stack.
///
/// # Errors
/// [`Error::Threads`] when the pool cannot start; otherwise `work`'s result.
pub fn with_large_stacks<T: Send>(work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .stack_size(STACK)
        .build()
        .map_err(|e| Error::Threads(e.to_string()))?
        .install(work)
}
