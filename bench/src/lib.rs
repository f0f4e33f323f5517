//! xil-bench, the experiment bench of xil: it runs the papers' protocols on
//! top of xil-core and reports what they measure.
