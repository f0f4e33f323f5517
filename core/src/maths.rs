//! The scalar maths that several parts share, in `f32` through `libm` so
//! that every platform computes the same bits: the logistic function and its
//! log-partition, each in the form that cannot overflow.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softplus_and_sigmoid_do_not_overflow() {
        assert_eq!(softplus(1000.0), 1000.0);
        assert_eq!(softplus(-1000.0), 0.0);
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
    }
}
