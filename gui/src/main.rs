//! `xil-gui`: opens the app on generated colors data. With
//! `XIL_GUI_FRAME_LOG=FILE` it writes one line per frame to FILE (see
//! `XilApp::log_frames`).

fn main() -> eframe::Result {
    let path = xil_gui::sessions::storage::default_dir().join("session.json");
    let frame_log = std::env::var_os("XIL_GUI_FRAME_LOG").map(std::path::PathBuf::from);
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default().with_inner_size([980.0, 720.0]).with_title("xil"),
        ..Default::default()
    };
    eframe::run_native(
        "xil",
        options,
        Box::new(move |cc| {
            let mut app = xil_gui::app::XilApp::new(&cc.egui_ctx, path);
            if let Some(log) = frame_log
                && let Err(e) = app.log_frames(&log)
            {
                eprintln!("xil-gui: {e}");
            }
            Ok(Box::new(app))
        }),
    )
}
