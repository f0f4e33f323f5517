//! The real app, driven headlessly by `egui_kittest`: clicks on the pixel grid,
//! buttons and keys change the session the way a user expects.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use xil_gui::app::XilApp;
use xil_gui::tabs::Tab;

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
        if !harness.state().colors().session().busy() && harness.state().colors().session().view().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "the session worker did not answer");
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
}

/// Steps frames until the image session has answered (at most five minutes).
fn settle_images(harness: &mut Harness<'_, XilApp>) {
    steps_while(harness, "the image session", |app| {
        app.images().session().busy() || app.images().session().view().is_none()
    });
}

/// Steps frames while `waiting` holds (at most five minutes, then fails
/// naming `what` did not answer), and one more.
fn steps_while(harness: &mut Harness<'_, XilApp>, what: &str, waiting: impl Fn(&XilApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(300);
    harness.step();
    while waiting(harness.state()) {
        harness.step();
        assert!(Instant::now() < deadline, "{what} did not answer");
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.step();
}

/// Steps frames until the export on its thread is written (at most a minute).
fn wait_for_export(harness: &mut Harness<'_, XilApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    harness.step();
    while harness.state().exporting() {
        harness.step();
        assert!(Instant::now() < deadline, "the export was not written");
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
}

fn app(path: PathBuf) -> Harness<'static, XilApp> {
    app_sized(path, egui::vec2(1000.0, 720.0))
}

fn app_sized(path: PathBuf, size: egui::Vec2) -> Harness<'static, XilApp> {
    // The app draws through `XilApp::show`, as eframe's `App::ui` does. Its
    // workers request repaints on a context of their own; the tests step
    // frames themselves, so they do not wait for those requests.
    let app = XilApp::new(&egui::Context::default(), path);
    // Real e-mails hold characters egui's bundled fonts lack (CJK, U+FFFD
    // where a charset could not be decoded): the app draws a box for them, as
    // eframe does by default, instead of kittest's panic.
    let mut harness = Harness::builder()
        .with_size(size)
        .allow_missing_glyphs()
        .build_ui_state(|ui, app: &mut XilApp| app.show(ui), app);
    settle(&mut harness);
    harness
}

#[test]
fn clicking_pixels_marks_them_and_submitting_adds_counterexamples_and_a_point_and_undo_restores() {
    let dir = scratch("loop");
    let mut harness = app(dir.join("session.json"));
    let first = harness.state().colors().session().view().cloned().unwrap();
    // Pixel 6 is row 1, column 1 of the 5x5 grid.
    let grid = harness.get_by_label("Pixel grid").rect();
    let cell = grid.width() / 5.0;
    let pixel = grid.min + egui::vec2(1.5 * cell, 1.5 * cell);
    harness.drag_at(pixel);
    harness.drop_at(pixel);
    harness.step();
    assert_eq!(harness.state().colors().session().marked(), &[6]);
    harness.key_press(egui::Key::Num1);
    harness.step();
    harness.get_by_label("Submit").click();
    settle(&mut harness);
    let view = harness.state().colors().session().view().cloned().unwrap();
    assert_eq!(view.decisions.len(), 1);
    assert_eq!(view.decisions[0].irrelevant, vec![6]);
    assert_eq!(view.points.len(), 2, "the plot gained a point");
    assert!(view.added() > 0, "the correction added counterexamples");
    let saved = std::fs::read_to_string(dir.join("session.json")).unwrap();
    assert!(saved.contains("\"irrelevant\""), "the decision was saved at once");
    harness.get_by_label("Export (e)").click();
    harness.step();
    // The files are written on a thread of their own while frames go on.
    harness.get_by_label("exporting…");
    wait_for_export(&mut harness);
    let csv = std::fs::read_to_string(dir.join("export/progress.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and two points: {csv}");
    assert!(dir.join("export/progress.png").exists() && dir.join("export/progress.svg").exists());
    harness.get_by_label("Undo").click();
    settle(&mut harness);
    assert_eq!(harness.state().colors().session().view(), Some(&first), "undo restores the previous state exactly");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_corrupt_session_file_shows_a_message_is_kept_and_the_app_works() {
    let dir = scratch("corrupt");
    std::fs::write(dir.join("session.json"), "this is not a session").unwrap();
    let mut harness = app(dir.join("session.json"));
    let message = harness.state_mut().message().unwrap_or_default().to_string();
    assert!(message.contains("could not be opened"), "{message}");
    assert_eq!(std::fs::read_to_string(dir.join("session.corrupt")).unwrap(), "this is not a session");
    harness.get_by_label("Accept").click();
    settle(&mut harness);
    assert_eq!(harness.state().colors().session().view().unwrap().decisions.len(), 1, "the session goes on");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_saved_session_is_resumed() {
    let dir = scratch("resume");
    let path = dir.join("session.json");
    let mut harness = app(path.clone());
    harness.key_press(egui::Key::A);
    settle(&mut harness);
    let before = harness.state().colors().session().view().cloned().unwrap();
    drop(harness);
    let resumed = app(path);
    assert_eq!(resumed.state().colors().session().view(), Some(&before));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dragging_across_pixels_marks_each_once_and_the_preview_shows_their_counterexamples() {
    let dir = scratch("drag");
    let mut harness = app(dir.join("session.json"));
    let grid = harness.get_by_label("Pixel grid").rect();
    let cell = grid.width() / 5.0;
    // Along row 2, from column 0 to column 2: pixels 10, 11, 12.
    let at = |column: f32| grid.min + egui::vec2((column + 0.5) * cell, 2.5 * cell);
    harness.drag_at(at(0.0));
    harness.step();
    for step in 1..=8 {
        harness.hover_at(at(step as f32 * 0.25));
        harness.step();
    }
    harness.drop_at(at(2.0));
    harness.step();
    let mut marked = harness.state().colors().session().marked().to_vec();
    marked.sort_unstable();
    assert_eq!(marked, vec![10, 11, 12]);
    let preview = harness.state().colors().preview();
    assert_eq!(preview.len(), 9, "three other colours for each of three pixels");
    let shown = harness.state().colors().session().view().unwrap().shown.clone().unwrap();
    for (i, image) in preview.iter().enumerate() {
        let changed: Vec<usize> = (0..25).filter(|&p| image.cells()[p] != shown.image.cells()[p]).collect();
        assert_eq!(changed, vec![marked[i / 3]], "a counterexample changes exactly its marked pixel");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_decision_in_the_history_can_be_taken_back_and_sessions_open_by_name() {
    let dir = scratch("history");
    let mut harness = app(dir.join("session.json"));
    let first = harness.state().colors().session().view().cloned().unwrap();
    for _ in 0..3 {
        harness.key_press(egui::Key::A);
        settle(&mut harness);
    }
    let third = harness.state().colors().session().view().cloned().unwrap();
    assert_eq!(third.decisions.len(), 3);
    harness.state_mut().colors_mut().session_mut().save_as("three");
    harness.step();
    // Taking back asks first; "Cancel" leaves every decision.
    harness.get_by_label("take back #1").click();
    harness.step();
    harness.step();
    harness.get_by_label_contains("Take back decision #1 and every later one?");
    harness.get_by_label("Cancel").click();
    settle(&mut harness);
    assert_eq!(harness.state().colors().session().view(), Some(&third), "cancelled: nothing taken back");
    harness.get_by_label("take back #1").click();
    harness.step();
    harness.step();
    harness.get_by_label("Yes, take back").click();
    settle(&mut harness);
    assert_eq!(
        harness.state().colors().session().view(),
        Some(&first),
        "taking back #1 takes back everything after it"
    );
    harness.state_mut().colors_mut().session_mut().save_as("../elsewhere");
    assert!(harness.state_mut().message().unwrap().contains("not a session name"));
    assert_eq!(harness.state().colors().session().saved_names(), vec!["three".to_string()]);
    harness.state_mut().colors_mut().session_mut().open_named("three");
    settle(&mut harness);
    assert_eq!(harness.state().colors().session().view(), Some(&third), "the named session is replayed exactly");
    harness.get_by_label_contains("Session: \"three\" (opened)");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn starting_a_new_session_asks_first_and_enter_saves_under_the_name_typed() {
    let dir = scratch("confirm");
    let mut harness = app(dir.join("session.json"));
    harness.get_by_label_contains("Session: new, not saved under a name");
    harness.key_press(egui::Key::A);
    settle(&mut harness);
    let answered = harness.state().colors().session().view().cloned().unwrap();
    assert_eq!(answered.decisions.len(), 1);
    harness.get_by_label("Start new session").click();
    harness.step();
    harness.get_by_label_contains("Start a new session? The one on screen is replaced.");
    harness.get_by_label("Cancel").click();
    settle(&mut harness);
    assert_eq!(harness.state().colors().session().view(), Some(&answered), "cancelled: the session stays");
    // A name typed and confirmed with Enter saves the session under it.
    harness.get_by_label("name").click();
    harness.step();
    harness.get_by_label("name").type_text("mine");
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.step();
    assert_eq!(harness.state().colors().session().saved_names(), vec!["mine".to_string()]);
    harness.get_by_label_contains("Session: \"mine\" (saved as)");
    assert_eq!(harness.state().colors().session().view(), Some(&answered), "Enter in the name field submits nothing");
    harness.get_by_label("Start new session").click();
    harness.step();
    harness.get_by_label("Yes, start").click();
    settle(&mut harness);
    assert!(harness.state().colors().session().view().unwrap().decisions.is_empty(), "a new session");
    harness.get_by_label_contains("Session: new, not saved under a name");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_simulated_run_is_watched_live_paused_and_stopped_while_frames_go_on() {
    use xil_bench::protocols::caipi_colors::{CaipiSettings, Learner};
    use xil_gui::sessions::experiment::Experiment;
    use xil_gui::sessions::runs::Status;
    use xil_gui::tabs::TabId;
    let dir = scratch("watch");
    let mut harness = app(dir.join("session.json"));
    harness.get_by_label("Watch a run").click();
    harness.step();
    assert_eq!(harness.state().tab(), TabId::Watch);
    let settings = CaipiSettings {
        folds: 2,
        iterations: 60,
        lime_samples: 1000,
        lime_repeats: 2,
        images: 2000,
        ..CaipiSettings::paper(xil_core::tasks::colors::Rule::Zero, Learner::L1Svm, true)
    };
    harness.state_mut().watching_mut().set_experiment(Experiment::Caipi(settings));
    harness.get_by_label("Start run").click();
    harness.step();
    assert_eq!(harness.state().watching().runs().len(), 1, "{:?}", harness.state().watching().message());
    let rows = |harness: &Harness<'_, XilApp>| harness.state().watching().runs()[0].measurements().len();
    // Frames are drawn while the run computes: rows arrive between frames.
    let deadline = Instant::now() + Duration::from_secs(120);
    while rows(&harness) < 4 {
        harness.step();
        assert!(Instant::now() < deadline, "no rows arrived");
        std::thread::sleep(Duration::from_millis(5));
    }
    let run = &harness.state().watching().runs()[0];
    assert!(run.active() && run.measurements().len() < 120, "frames were drawn while the run went on");
    assert!(
        run.remaining().is_some() && run.elapsed() > Duration::ZERO,
        "a running run has an estimate of what is left"
    );
    // The runs table, as a hyper-parameter view: a lone run shows all its settings.
    for column in ["worked", "left", "lime_samples", "initial_per_class"] {
        harness.get_by_label(column);
    }
    harness.get_by_label("Pause").click();
    harness.step();
    assert_eq!(harness.state().watching().runs()[0].status(), &Status::Paused);
    harness.get_by_label("Resume").click();
    harness.step();
    assert_eq!(harness.state().watching().runs()[0].status(), &Status::Running);
    // The keys do the same: Space pauses and resumes.
    harness.key_press(egui::Key::Space);
    harness.step();
    assert_eq!(harness.state().watching().runs()[0].status(), &Status::Paused);
    harness.key_press(egui::Key::Space);
    harness.step();
    assert_eq!(harness.state().watching().runs()[0].status(), &Status::Running);
    harness.get_by_label("Stop").click();
    let deadline = Instant::now() + Duration::from_secs(120);
    while harness.state().watching().runs()[0].active() {
        harness.step();
        assert!(Instant::now() < deadline, "the run did not stop");
        std::thread::sleep(Duration::from_millis(5));
    }
    let run = &harness.state().watching().runs()[0];
    assert_eq!(run.status(), &Status::Stopped);
    assert!(run.measurements().len() < 120, "stopped before the end");
    harness.get_by_label("Export (e)").click();
    wait_for_export(&mut harness);
    let csv = std::fs::read_to_string(dir.join("export/watch/runs.csv")).unwrap();
    assert!(csv.lines().count() > 7 * 4, "{csv}");
    assert!(dir.join("export/watch/test_accuracy.png").exists());
    // A second run is overlaid on the first.
    harness.get_by_label("Start run").click();
    harness.step();
    assert_eq!(harness.state().watching().runs().len(), 2);
    // Clearing the ended run can be undone.
    harness.get_by_label("Clear ended runs").click();
    harness.step();
    assert_eq!(harness.state().watching().runs().len(), 1, "the stopped run is off the plots");
    harness.get_by_label("Bring back 1 cleared").click();
    harness.step();
    let runs = harness.state().watching().runs();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].status(), &Status::Stopped, "back in its place, with its rows");
    assert!(!runs[0].measurements().is_empty());
    harness.get_by_label("Stop").click();
    let deadline = Instant::now() + Duration::from_secs(120);
    while harness.state().watching().runs().iter().any(|run| run.active()) {
        harness.step();
        assert!(Instant::now() < deadline, "the second run did not stop");
        std::thread::sleep(Duration::from_millis(5));
    }
    // The runs come back after a restart, ended, with their rows and settings.
    let before: Vec<_> = harness.state().watching().runs().iter().map(|run| run.saved()).collect();
    drop(harness);
    let harness = app(dir.join("session.json"));
    let after: Vec<_> = harness.state().watching().runs().iter().map(|run| run.saved()).collect();
    assert_eq!(after.len(), 2);
    for (a, b) in after.iter().zip(&before) {
        assert_eq!((&a.experiment, &a.measurements, &a.status), (&b.experiment, &b.measurements, &b.status));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn on_the_email_tab_clicking_an_explained_word_and_submitting_adds_a_counterexample_and_taking_back_restores() {
    use xil_gui::tabs::TabId;
    let dir = scratch("mail");
    let mut harness = app(dir.join("session.json"));
    harness.get_by_label("E-mails").click();
    harness.step();
    assert_eq!(harness.state().tab(), TabId::Mail);
    let deadline = Instant::now() + Duration::from_secs(300);
    while harness.state().mail().session().busy() || harness.state().mail().session().view().is_none() {
        harness.step();
        assert!(Instant::now() < deadline, "the e-mail session did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.step();
    let first = harness.state().mail().session().view().cloned().unwrap();
    let shown = first.shown.clone().expect("an e-mail on screen");
    // The body comes first; the headers are folded until opened.
    let (header, _) = shown.headers[0].clone();
    let folded = format!("Headers ({} lines", shown.headers.len());
    harness.get_by_label_contains(&folded);
    assert!(harness.query_by_label(&format!("{header}: ")).is_none(), "headers folded");
    let (word, contribution) = shown.explanation[0].clone();
    harness.get_by_label(&format!("{word} {contribution:+.3}")).click();
    harness.step();
    assert_eq!(harness.state().mail().session().marked(), std::slice::from_ref(&word));
    harness.key_press(egui::Key::Num1);
    harness.key_press(egui::Key::Enter);
    let settle_mail = |harness: &mut Harness<'_, XilApp>| {
        harness.step();
        while harness.state().mail().session().busy() {
            harness.step();
            std::thread::sleep(Duration::from_millis(10));
        }
        harness.step();
    };
    settle_mail(&mut harness);
    let view = harness.state().mail().session().view().cloned().unwrap();
    assert_eq!(view.decisions.len(), 1);
    assert_eq!(view.decisions[0].removed, vec![word.clone()]);
    assert_eq!(view.points.last().unwrap().counterexamples, 1);
    let saved = std::fs::read_to_string(dir.join("mail-session.json")).unwrap();
    assert!(saved.contains(&word), "the decision was saved at once");
    harness.key_press(egui::Key::E);
    wait_for_export(&mut harness);
    let csv = std::fs::read_to_string(dir.join("export/mail-progress.csv")).unwrap();
    assert!(csv.starts_with("decisions,test_F1,test_explanation_F1,header_share,counterexamples\n"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "a header and two points");
    assert!(dir.join("export/mail-progress.svg").exists());
    harness.get_by_label("take back e-mail #1").click();
    harness.step();
    harness.step();
    harness.get_by_label("Yes, take back").click();
    settle_mail(&mut harness);
    assert_eq!(harness.state().mail().session().view(), Some(&first), "taking it back restores the first view exactly");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn on_the_images_tab_painting_the_decoy_and_submitting_refits_and_undo_restores() {
    use xil_bench::protocols::attributions::methods::Method;
    use xil_gui::tabs::TabId;
    let dir = scratch("images");
    let mut harness = app(dir.join("session.json"));
    harness.get_by_label("Images").click();
    harness.step();
    assert_eq!(harness.state().tab(), TabId::Images);
    settle_images(&mut harness);
    let first = harness.state().images().session().view().cloned().unwrap();
    let shown = first.shown.clone().expect("an image on screen");
    // Every method but Grad-CAM applies to the perceptron, each with a map.
    let methods: Vec<Method> = shown.maps.iter().map(|(method, _)| *method).collect();
    assert_eq!(methods, Method::ALL.into_iter().filter(|&m| m != Method::GradCam).collect::<Vec<_>>());
    assert!(shown.maps.iter().all(|(_, map)| map.as_ref().is_ok_and(|m| m.len() == 784)));
    assert_eq!(harness.state().images().method(), Method::InputXGradient);
    harness.get_by_label("explanation").click();
    harness.step();
    harness.step();
    harness.get_by_label(Method::KernelShap.label()).click();
    harness.step();
    assert_eq!(harness.state().images().method(), Method::KernelShap, "the selector picks the map shown");
    // Drag across the 4x4 decoy patch, row by row, with the smallest brush.
    let canvas = harness.get_by_label("Image canvas").rect();
    let scale = canvas.width() / 28.0;
    let at = |pixel: usize| {
        canvas.min + egui::vec2(((pixel % 28) as f32 + 0.5) * scale, ((pixel / 28) as f32 + 0.5) * scale)
    };
    harness.drag_at(at(shown.decoy[0]));
    harness.step();
    for &pixel in &shown.decoy {
        harness.hover_at(at(pixel));
        harness.step();
    }
    harness.drop_at(at(shown.decoy[15]));
    harness.step();
    assert_eq!(harness.state().images().session().marked(), shown.decoy.as_slice(), "the decoy is painted");
    let class = (255 - shown.pixels[shown.decoy[0]]) / 25;
    harness.key_press(xil_gui::widgets::sessions::DIGIT_KEYS[usize::from(class)]);
    harness.key_press(egui::Key::Enter);
    settle_images(&mut harness);
    let view = harness.state().images().session().view().cloned().unwrap();
    assert_eq!(view.decisions.len(), 1);
    assert_eq!((view.decisions[0].label, view.decisions[0].irrelevant.clone()), (class, shown.decoy.clone()));
    assert_eq!(view.points.len(), 2, "the plot gained a point");
    assert!(std::fs::read_to_string(dir.join("image-session.json")).unwrap().contains("\"irrelevant\""));
    harness.get_by_label("Export (e)").click();
    wait_for_export(&mut harness);
    let csv = std::fs::read_to_string(dir.join("export/image-progress.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and two points: {csv}");
    harness.key_press(egui::Key::Backspace);
    settle_images(&mut harness);
    assert_eq!(harness.state().images().session().view(), Some(&first), "undo restores the first view exactly");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn on_the_batch_tab_every_image_shows_why_it_was_chosen_and_a_labelled_batch_refits_and_undo_restores() {
    use xil_gui::tabs::TabId;
    use xil_gui::widgets::sessions::DIGIT_KEYS;
    let dir = scratch("batches");
    let mut harness = app(dir.join("session.json"));
    harness.get_by_label("Label a batch").click();
    harness.step();
    assert_eq!(harness.state().tab(), TabId::Batches);
    let settle_batches = |harness: &mut Harness<'_, XilApp>| {
        let deadline = Instant::now() + Duration::from_secs(300);
        harness.step();
        while harness.state().batches().session().busy() || harness.state().batches().session().view().is_none() {
            harness.step();
            assert!(Instant::now() < deadline, "the batch session did not answer");
            std::thread::sleep(Duration::from_millis(20));
        }
        harness.step();
    };
    settle_batches(&mut harness);
    let first = harness.state().batches().session().view().cloned().unwrap();
    assert_eq!(first.error, None);
    let shown = first.shown.clone().expect("a batch on screen");
    assert_eq!(shown.images.len(), 10, "ALEX proposes a batch of 10 by default");
    // Each image says why: ALEX's divergence beside the labelled set's mean.
    let reasons = shown.reasons.as_ref().unwrap();
    assert!(reasons.labelled_mean.is_some());
    assert_eq!(harness.query_all_by_label_contains("KL to the labelled").count(), 10);
    assert!(harness.query_by_label("Labelled mean explanation").is_some());
    // Click the first image, then give classes by key: each key moves on.
    harness.get_by_label("Proposed image 1").click();
    harness.step();
    for image in &shown.images {
        harness.key_press(DIGIT_KEYS[usize::from((image.prediction() + 1) % 10)]);
        harness.step();
    }
    let given: Vec<u8> = harness.state().batches().labels().iter().map(|l| l.unwrap()).collect();
    let expected: Vec<u8> = shown.images.iter().map(|i| (i.prediction() + 1) % 10).collect();
    assert_eq!(given, expected, "one class per image, in order");
    harness.key_press(egui::Key::Enter);
    settle_batches(&mut harness);
    let view = harness.state().batches().session().view().cloned().unwrap();
    assert_eq!(view.decisions.len(), 1);
    assert_eq!(view.decisions[0].labels, expected);
    assert_eq!(view.points.len(), 2, "the plot gained a point");
    assert_eq!(view.points[1].labelled, 20);
    assert!(std::fs::read_to_string(dir.join("batch-session.json")).unwrap().contains("\"labels\""));
    assert!(harness.state().batches().labels().iter().all(Option::is_none), "a new batch starts unlabelled");
    harness.key_press(egui::Key::Backspace);
    settle_batches(&mut harness);
    assert_eq!(harness.state().batches().session().view(), Some(&first), "undo restores the first batch exactly");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_tab_says_its_task_and_f1_lists_its_keys() {
    let dir = scratch("help");
    let mut harness = app(dir.join("session.json"));
    harness.get_by_label_contains("labelled 1 when its rule holds (rule 0: the four corners share a colour");
    assert!(harness.query_by_label("Help: Be the user").is_none(), "no help until asked");
    harness.key_press(egui::Key::F1);
    harness.step();
    harness.get_by_label("Help: Be the user");
    for key in ["0 / 1", "Enter", "Backspace", "F1", "e"] {
        harness.get_by_label(key);
    }
    harness.get_by_label("submit the label and the crossed pixels");
    harness.key_press(egui::Key::F1);
    harness.step();
    assert!(harness.query_by_label("Help: Be the user").is_none(), "F1 hides it again");
    harness.get_by_label("Watch a run").click();
    harness.step();
    harness.get_by_label_contains("Each curve is the mean over folds");
    harness.get_by_label("Help (F1)").click();
    harness.step();
    harness.step();
    harness.get_by_label("Help: Watch a run");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_answer_buttons_explain_themselves_on_hover() {
    let dir = scratch("tooltips");
    let mut harness = app(dir.join("session.json"));
    for (button, tip) in [
        ("Accept", "right for the right reasons"),
        ("Submit", "add counterexamples, refit"),
        ("Undo", "before the last decision"),
        ("Label 1", "The rule holds"),
    ] {
        harness.get_by_label(button).hover();
        // Tooltips show after the pointer rests.
        for _ in 0..40 {
            harness.step();
            if harness.query_by_label_contains(tip).is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        harness.get_by_label_contains(tip);
    }
    // The explanation's fit says what a low value means, and the grid's
    // legend what the rings, badges and crosses mean.
    harness.get_by_label_contains("explanation R²").hover();
    for _ in 0..40 {
        harness.step();
        if harness.query_by_label_contains("trust it less").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    harness.get_by_label_contains("trust it less");
    harness.get_by_label_contains("+ speaks for the predicted label");
    // Drop-downs too: the Watch tab's protocol.
    harness.get_by_label("Watch a run").click();
    harness.step();
    harness.get_by_label("protocol").hover();
    for _ in 0..40 {
        harness.step();
        if harness.query_by_label_contains("The experiment to run").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    harness.get_by_label_contains("The experiment to run");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fast_stroke_across_the_decoy_paints_every_pixel_it_crosses_and_the_map_has_a_colour_scale() {
    use xil_gui::tabs::TabId;
    let dir = scratch("stroke");
    let mut harness = app(dir.join("session.json"));
    harness.get_by_label("Images").click();
    harness.step();
    assert_eq!(harness.state().tab(), TabId::Images);
    settle_images(&mut harness);
    let shown = harness.state().images().session().view().cloned().unwrap().shown.unwrap();
    let canvas = harness.get_by_label("Image canvas").rect();
    let scale = canvas.width() / 28.0;
    let at = |pixel: usize| {
        canvas.min + egui::vec2(((pixel % 28) as f32 + 0.5) * scale, ((pixel / 28) as f32 + 0.5) * scale)
    };
    // Back and forth across the 4x4 patch, one frame per row end: the pointer
    // jumps three pixels at a time, as a quick hand does.
    let d = &shown.decoy;
    harness.drag_at(at(d[0]));
    harness.step();
    for corner in [d[3], d[7], d[4], d[8], d[11], d[15]] {
        harness.hover_at(at(corner));
        harness.step();
    }
    harness.drop_at(at(d[12]));
    harness.step();
    assert_eq!(harness.state().images().session().marked(), d.as_slice(), "all 16 pixels painted");
    assert!(harness.query_by_label("Colour scale").is_some(), "the explanation map has its colour scale");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_message_belongs_to_its_tab_and_goes_after_a_while() {
    let dir = scratch("message");
    let mut harness = app(dir.join("session.json"));
    harness.state_mut().set_message_life(Duration::from_millis(300));
    harness.key_press(egui::Key::S);
    harness.step();
    harness.get_by_label_contains("saved to");
    // Not on another tab.
    harness.get_by_label("Watch a run").click();
    harness.step();
    assert!(harness.query_by_label_contains("saved to").is_none(), "the colors tab's message stays on its tab");
    harness.get_by_label("Be the user").click();
    harness.step();
    harness.step();
    std::thread::sleep(Duration::from_millis(400));
    harness.step();
    assert!(harness.query_by_label_contains("saved to").is_none(), "the message went after its time");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn on_the_calimocho_tab_correcting_entries_of_w_refits_and_undo_restores() {
    use xil_gui::sessions::cali::Mark;
    use xil_gui::tabs::TabId;
    let dir = scratch("cali");
    let mut harness = app(dir.join("session.json"));
    harness.get_by_label("CALIMOCHO").click();
    harness.step();
    assert_eq!(harness.state().tab(), TabId::Cali);
    let settle_cali = |harness: &mut Harness<'_, XilApp>| {
        steps_while(harness, "the CALIMOCHO session", |app| {
            app.cali().session().busy() || app.cali().session().view().is_none()
        });
    };
    settle_cali(&mut harness);
    let first = harness.state().cali().session().view().cloned().unwrap();
    let shown = first.shown.clone().expect("a query on screen");
    assert_eq!(shown.explanation.len(), 101, "one entry per colour of every pixel, and the constant");
    // Pixel 6 (row 1, column 1), colour 3: the lower right quarter of its square.
    let map = harness.get_by_label("Explanation map").rect();
    let side = map.width() / 5.0;
    let quarter = map.min + egui::vec2(side * 1.75, side * 1.75);
    harness.drag_at(quarter);
    harness.drop_at(quarter);
    harness.step();
    assert_eq!(harness.state().cali().session().marked(), &[(6 * 4 + 3, Mark::Irrelevant)]);
    harness.drag_at(quarter);
    harness.drop_at(quarter);
    harness.step();
    assert_eq!(harness.state().cali().session().marked(), &[(27, Mark::Flipped)], "a second click flips");
    harness.key_press(egui::Key::Num1);
    harness.key_press(egui::Key::Enter);
    settle_cali(&mut harness);
    let view = harness.state().cali().session().view().cloned().unwrap();
    assert_eq!(view.decisions.len(), 1);
    assert_eq!((view.decisions[0].label, view.decisions[0].marks.clone()), (1, vec![(27, Mark::Flipped)]));
    assert_eq!(view.points.len(), 2, "the plot gained a point");
    assert!(std::fs::read_to_string(dir.join("cali-session.json")).unwrap().contains("Flipped"), "saved at once");
    harness.key_press(egui::Key::Backspace);
    settle_cali(&mut harness);
    assert_eq!(harness.state().cali().session().view(), Some(&first), "undo restores the first view exactly");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Buttons and texts of the tab on screen that reach past the window's right
/// edge, or that start in the side panel (`side` points wide, between the
/// tab bar's bottom `top` and the task bar's top `bottom`) and reach past
/// it: what the window clips.
fn clipped(harness: &Harness<'_, XilApp>, width: f32, side: f32, (top, bottom): (f32, f32)) -> Vec<String> {
    use egui::accesskit::Role;
    use egui_kittest::kittest::NodeT;
    let mut clipped = Vec::new();
    for role in [Role::Button, Role::Label, Role::CheckBox, Role::Slider, Role::ComboBox] {
        for node in harness.query_all_by_role(role) {
            let rect = node.rect();
            let past_window = rect.max.x > width + 0.5;
            let in_side = rect.min.x < side && rect.min.y >= top && rect.max.y <= bottom;
            let past_side = in_side && rect.max.x > side + 0.5;
            if past_window || past_side {
                clipped.push(format!(
                    "{:?} {:?} at {rect:?}",
                    node.accesskit_node().label(),
                    node.accesskit_node().value()
                ));
            }
        }
    }
    clipped
}

#[test]
fn nothing_is_clipped_at_800_by_600_and_buttons_stay_under_the_pointer() {
    use xil_gui::tabs::TabId;
    let dir = scratch("small-window");
    let mut harness = app_sized(dir.join("session.json"), egui::vec2(800.0, 600.0));
    // An answer, so that the history lists a decision with its button.
    harness.key_press(egui::Key::A);
    settle(&mut harness);
    // The buttons after the answer's label stay put when it changes.
    let before = harness.get_by_label("Label 0").rect();
    harness.get_by_label("Label 1").click();
    harness.step();
    harness.step();
    assert_eq!(harness.get_by_label("Label 0").rect(), before, "the label buttons stay under the pointer");
    let mut problems = Vec::new();
    for tab in [TabId::Colors, TabId::Watch, TabId::Images, TabId::Cali] {
        harness.get_by_label(tab.title()).click();
        for _ in 0..3 {
            harness.step();
        }
        if tab == TabId::Images {
            settle_images(&mut harness);
            let before = harness.get_by_label("9 Ankle boot").rect();
            harness.get_by_label("9 Ankle boot").click();
            harness.step();
            harness.step();
            assert_eq!(harness.get_by_label("9 Ankle boot").rect(), before, "the class buttons stay put");
        }
        if tab == TabId::Cali {
            let deadline = Instant::now() + Duration::from_secs(300);
            while harness.state().cali().session().view().is_none() {
                harness.step();
                assert!(Instant::now() < deadline, "the CALIMOCHO session did not start");
                std::thread::sleep(Duration::from_millis(20));
            }
            harness.step();
        }
        let side = harness.state_mut().tab_mut(tab).side_width() + 16.0;
        let task = harness.state_mut().tab_mut(tab).task();
        let band = (harness.get_by_label("Help (F1)").rect().max.y + 4.0, harness.get_by_value(task).rect().min.y);
        problems.extend(clipped(&harness, 800.0, side, band).into_iter().map(|p| format!("{}: {p}", tab.title())));
    }
    assert!(problems.is_empty(), "clipped at 800 x 600:\n{}", problems.join("\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}
