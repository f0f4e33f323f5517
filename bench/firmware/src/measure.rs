//! Regions measured by the host: marker functions the QEMU plugin watches,
//! and a painted stack whose high-water mark is read after each region.

use cortex_m_semihosting::hprintln;

/// Called at the start of a measured region; the plugin starts counting here.
#[inline(never)]
#[unsafe(no_mangle)]
pub extern "C" fn xil_region_start() {
    cortex_m::asm::nop();
}

/// Called at the end of a measured region; the plugin stops counting here.
/// Its body differs from the start marker's so that LTO cannot merge them.
#[inline(never)]
#[unsafe(no_mangle)]
pub extern "C" fn xil_region_end() {
    cortex_m::asm::nop();
    cortex_m::asm::nop();
}

const PATTERN: u32 = 0xDEAD_BEEF;
/// Room left unpainted below the current stack pointer for the painter itself.
const MARGIN: usize = 64;

unsafe extern "C" {
    /// Start of the free RAM below the stack (cortex-m-rt).
    static __sheap: u32;
    /// Top of the stack (cortex-m-rt).
    static _stack_start: u32;
}

fn stack_bottom() -> usize {
    core::ptr::addr_of!(__sheap) as usize
}

fn stack_top() -> usize {
    core::ptr::addr_of!(_stack_start) as usize
}

/// Paints the unused stack with a pattern.
pub fn paint_stack() {
    let sp = cortex_m::register::msp::read() as usize;
    let mut address = stack_bottom();
    while address + MARGIN < sp {
        // SAFETY: the words between the end of static RAM and the current
        // stack pointer (less a margin) are unused stack.
        unsafe { core::ptr::write_volatile(address as *mut u32, PATTERN) };
        address += 4;
    }
}

/// Bytes of stack used since the last paint (from the top of RAM).
pub fn stack_high_water() -> usize {
    let mut address = stack_bottom();
    // SAFETY: reads of RAM between the end of statics and the top of RAM.
    while address < stack_top() && unsafe { core::ptr::read_volatile(address as *const u32) } == PATTERN {
        address += 4;
    }
    stack_top() - address
}

/// Runs `work` between the markers and reports its stack high-water mark.
pub fn region<T>(name: &str, work: impl FnOnce() -> T) -> T {
    paint_stack();
    xil_region_start();
    let result = core::hint::black_box(work());
    xil_region_end();
    let stack = stack_high_water();
    hprintln!("region {} stack {}", name, stack);
    result
}
