//! `xil-gui`: opens the app on generated colors data.

fn main() -> eframe::Result {
    let path = xil_gui::storage::default_dir().join("session.json");
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default().with_inner_size([980.0, 720.0]).with_title("xil"),
        ..Default::default()
    };
    eframe::run_native("xil", options, Box::new(move |cc| Ok(Box::new(xil_gui::app::XilApp::new(&cc.egui_ctx, path)))))
}
