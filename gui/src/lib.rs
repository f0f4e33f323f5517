//! xil-gui, the desktop app of xil (eframe/egui on top of xil-core and
//! xil-bench). The app itself is the subject of its own issue; this crate
//! reserves its place in the workspace.
