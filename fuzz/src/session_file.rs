//! The app's session files on arbitrary bytes: a file is decoded, its
//! settings checked, and a colors session is started from it with its
//! decisions replayed by the app's own worker loop, exactly as when the app
//! opens a saved session. Every file gives a session or a message, never a
//! panic. Sizes are capped so that an execution stays short; the caps only
//! shrink what a file asks for.

use std::sync::mpsc::channel;
use xil_bench::protocols::decoy_fashion::session::SessionSettings;
use xil_gui::sessions::colors::{self as interactive, Decision, Settings};
use xil_gui::sessions::images::ImageDecision;
use xil_gui::sessions::mail::{self as mail_session, MailDecision, MailSettings};
use xil_gui::sessions::remote::Command;
use xil_gui::sessions::storage::parse;

/// Runs one input; panics on a broken promise.
pub fn check(data: &[u8]) {
    if let Ok(saved) = parse::<MailSettings, MailDecision>(data) {
        let _ = mail_session::validate(&saved.settings);
    }
    if let Ok(saved) = parse::<SessionSettings, ImageDecision>(data) {
        let _ = saved.settings.validate();
    }
    let Ok(saved) = parse::<Settings, Decision>(data) else { return };
    let _ = interactive::validate(&saved.settings);
    let settings = Settings {
        pool: saved.settings.pool.min(60),
        test: saved.settings.test.min(20),
        lime_samples: saved.settings.lime_samples.min(40),
        ..saved.settings
    };
    let checked = interactive::validate(&settings);
    let decisions: Vec<Decision> = saved.decisions.into_iter().take(12).collect();
    let (commands, inbox) = channel();
    let (outbox, views) = channel();
    let _ = commands.send(Command::Start(settings.clone(), decisions));
    drop(commands);
    interactive::serve(&inbox, &outbox, &|| {});
    let view = views.try_recv().expect("the worker answers every start with a view");
    if checked.is_err() {
        assert!(view.error.is_some(), "settings that fail validation do not start a session");
    }
}
