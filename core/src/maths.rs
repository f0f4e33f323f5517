//! The scalar maths that several parts share, in `f32` through `libm` so
//! that every platform computes the same bits: the logistic function and its
//! log-partition, each in the form that cannot overflow, and a dot product
//! whose fixed summation order the compiler can vectorise.

/// `log(1 + exp(t))` without overflow.
pub fn softplus(t: f32) -> f32 {
    if t > 0.0 { t + libm::log1pf(libm::expf(-t)) } else { libm::log1pf(libm::expf(t)) }
}

/// `1 / (1 + exp(-t))` without overflow.
pub fn sigmoid(t: f32) -> f32 {
    if t >= 0.0 {
        1.0 / (1.0 + libm::expf(-t))
    } else {
        let e = libm::expf(t);
        e / (1.0 + e)
    }
}

/// Partial sums of [`dot`]: one per SIMD lane of a 256-bit register.
const LANES: usize = 8;

/// `Σ a_i b_i` over the common length, summed in `LANES` interleaved
/// partial sums that are added at the end in a fixed order: the same bits on
/// every platform, and a loop the compiler turns into vector instructions
/// (a plain running sum cannot be, since float addition is not
/// associative).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let length = a.len().min(b.len());
    let (a, b) = (a.get(..length).unwrap_or(&[]), b.get(..length).unwrap_or(&[]));
    let mut sums = [0.0f32; LANES];
    let (chunks_a, chunks_b) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (rest_a, rest_b) = (chunks_a.remainder(), chunks_b.remainder());
    for (x, y) in chunks_a.zip(chunks_b) {
        for ((sum, &x), &y) in sums.iter_mut().zip(x).zip(y) {
            *sum += x * y;
        }
    }
    for ((sum, &x), &y) in sums.iter_mut().zip(rest_a).zip(rest_b) {
        *sum += x * y;
    }
    sums.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_is_the_sum_of_products_over_the_common_length() {
        let a: [f32; 19] = core::array::from_fn(|i| i as f32 * 0.5 - 3.0);
        let b: [f32; 21] = core::array::from_fn(|i| 1.0 + (i % 3) as f32);
        let exact: f64 = a.iter().zip(&b).map(|(&x, &y)| f64::from(x) * f64::from(y)).sum();
        approx::assert_abs_diff_eq!(f64::from(dot(&a, &b)), exact, epsilon = 1e-4);
        assert_eq!(dot(&a[..3], &b), -3.0 * 1.0 + -2.5 * 2.0 + -2.0 * 3.0);
        assert_eq!(dot(&[], &b), 0.0);
    }

    #[test]
    fn softplus_and_sigmoid_do_not_overflow() {
        assert_eq!(softplus(1000.0), 1000.0);
        assert_eq!(softplus(-1000.0), 0.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
    }
}
