//! The digit the network firmwares predict and explain: a drawn "7" on the
//! UCI digits' `8 x 8` grid of 0–16 grey levels.

/// The digit's grey levels, row by row.
const SEVEN: [u8; 64] = [
    0, 0, 0, 0, 0, 0, 0, 0, //
    0, 9, 16, 16, 16, 16, 6, 0, //
    0, 0, 0, 0, 3, 16, 4, 0, //
    0, 0, 0, 0, 10, 12, 0, 0, //
    0, 0, 0, 4, 16, 3, 0, 0, //
    0, 0, 0, 12, 10, 0, 0, 0, //
    0, 0, 3, 16, 4, 0, 0, 0, //
    0, 0, 8, 11, 0, 0, 0, 0, //
];

/// The digit scaled to `[0, 1]`, as the networks read it.
pub fn seven() -> [f32; 64] {
    SEVEN.map(|v| f32::from(v) / 16.0)
}
