//! The real app, driven headlessly by `egui_kittest`: clicks on the pixel grid,
//! buttons and keys change the session the way a user expects.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use xil_gui::app::XilApp;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xil-gui-app-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Steps frames until the worker has answered (at most a minute).
fn settle(harness: &mut Harness<'_, XilApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        harness.step();
        if !harness.state().busy() && harness.state().view().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "the session worker did not answer");
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
}

fn app(path: PathBuf) -> Harness<'static, XilApp> {
    let mut harness =
        Harness::builder().with_size(egui::vec2(1000.0, 720.0)).build_eframe(move |cc| XilApp::new(&cc.egui_ctx, path));
    settle(&mut harness);
    harness
}

#[test]
fn clicking_pixels_marks_them_and_submitting_adds_counterexamples_and_a_point_and_undo_restores() {
    let dir = scratch("loop");
    let mut harness = app(dir.join("session.json"));
    let first = harness.state().view().cloned().unwrap();
    // Pixel 6 is row 1, column 1 of the 5x5 grid.
    let grid = harness.get_by_label("Pixel grid").rect();
    let cell = grid.width() / 5.0;
    let pixel = grid.min + egui::vec2(1.5 * cell, 1.5 * cell);
    harness.drag_at(pixel);
    harness.drop_at(pixel);
    harness.step();
    assert_eq!(harness.state().marked(), &[6]);
    harness.key_press(egui::Key::Num1);
    harness.step();
    harness.get_by_label("Submit").click();
    settle(&mut harness);
    let view = harness.state().view().cloned().unwrap();
    assert_eq!(view.decisions.len(), 1);
    assert_eq!(view.decisions[0].irrelevant, vec![6]);
    assert_eq!(view.points.len(), 2, "the plot gained a point");
    assert!(view.added > 0, "the correction added counterexamples");
    let saved = std::fs::read_to_string(dir.join("session.json")).unwrap();
    assert!(saved.contains("\"irrelevant\""), "the decision was saved at once");
    harness.get_by_label("Export").click();
    harness.step();
    let csv = std::fs::read_to_string(dir.join("export/progress.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and two points: {csv}");
    assert!(dir.join("export/progress.png").exists() && dir.join("export/progress.svg").exists());
    harness.get_by_label("Undo").click();
    settle(&mut harness);
    assert_eq!(harness.state().view(), Some(&first), "undo restores the previous state exactly");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_corrupt_session_file_shows_a_message_is_kept_and_the_app_works() {
    let dir = scratch("corrupt");
    std::fs::write(dir.join("session.json"), "this is not a session").unwrap();
    let mut harness = app(dir.join("session.json"));
    let message = harness.state().message().unwrap_or_default().to_string();
    assert!(message.contains("could not be opened"), "{message}");
    assert_eq!(std::fs::read_to_string(dir.join("session.corrupt")).unwrap(), "this is not a session");
    harness.get_by_label("Accept").click();
    settle(&mut harness);
    assert_eq!(harness.state().view().unwrap().decisions.len(), 1, "the session goes on");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_saved_session_is_resumed() {
    let dir = scratch("resume");
    let path = dir.join("session.json");
    let mut harness = app(path.clone());
    harness.key_press(egui::Key::A);
    settle(&mut harness);
    let before = harness.state().view().cloned().unwrap();
    drop(harness);
    let resumed = app(path);
    assert_eq!(resumed.state().view(), Some(&before));
    std::fs::remove_dir_all(&dir).unwrap();
}
