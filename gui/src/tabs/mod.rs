//! The app's tabs: each is a struct implementing [`Tab`] (as egui's demo
//! windows implement its `View`), named by a [`TabId`].
//!
//! - [`colors`]: be the user in CAIPI's loop on colors (pixels);
//! - [`mail`]: be the user on SpamAssassin e-mails (words);
//! - [`images`]: be the user on decoy Fashion-MNIST (painted masks);
//! - [`batches`]: be the annotator of an active learner, with why each
//!   image was proposed;
//! - [`cali`]: be the user in CALIMOCHO's loop, correcting a SENN's
//!   explanation entry by entry;
//! - [`watch`]: watch xil-bench's protocols run live;
//! - [`session`]: what the three interactive tabs share.

pub mod batches;
pub mod cali;
pub mod colors;
pub mod images;
pub mod mail;
pub mod session;
pub mod watch;

use crate::export::ExportJob;
use eframe::egui;

/// Asks for a repaint from a worker thread.
pub type Repaint = std::sync::Arc<dyn Fn() + Send + Sync>;

/// What works for a tab off the window's thread.
pub trait Worker {
    /// Called every frame while the tab is on screen, before it is drawn:
    /// starts the worker the first time (the E-mails tab reads the corpus
    /// then).
    fn open(&mut self, repaint: Repaint);

    /// Called every frame for every tab: takes what the worker sent.
    fn poll(&mut self);
}

/// One tab of the app.
pub trait Tab {
    /// What works for the tab off the window's thread.
    fn worker(&mut self) -> &mut dyn Worker;

    /// What the task is, in a sentence or two: what the classes mean, what
    /// the user is asked to do, what the explanation's marks mean.
    fn task(&self) -> &'static str;

    /// The tab's keys and what each does, for the help window.
    fn keys(&self) -> &'static [(&'static str, &'static str)];

    /// The tab's keys (not called while a text field has the keyboard).
    fn keyboard(&mut self, ui: &egui::Ui);

    /// The side panel: settings, counts, history.
    fn side(&mut self, ui: &mut egui::Ui);

    /// Width of the side panel in points (fixed, so what the central panel
    /// draws stays in place).
    fn side_width(&self) -> f32 {
        240.0
    }

    /// The central panel.
    fn central(&mut self, ui: &mut egui::Ui);

    /// What the tab shows, taken now, as a job that writes it into a folder
    /// (CSV, PNG, SVG) on another thread and returns the message to show.
    fn export(&mut self) -> ExportJob;

    /// The tab's last message (errors, resumes, saves), if any.
    fn message(&self) -> Option<&str>;
}

/// The tabs, in the order of the tab bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TabId {
    /// Be the user on colors.
    Colors,
    /// Watch a simulated experiment.
    Watch,
    /// Be the user on e-mails.
    Mail,
    /// Be the user on decoy images.
    Images,
    /// Label the batches an active learner proposes.
    Batches,
    /// Be the user in CALIMOCHO's loop.
    Cali,
}

impl TabId {
    /// Every tab, in the tab bar's order.
    pub const ALL: [TabId; 6] = [TabId::Colors, TabId::Watch, TabId::Mail, TabId::Images, TabId::Batches, TabId::Cali];

    /// The tab bar's text.
    pub fn title(self) -> &'static str {
        match self {
            TabId::Colors => "Be the user",
            TabId::Watch => "Watch a run",
            TabId::Mail => "E-mails",
            TabId::Images => "Images",
            TabId::Batches => "Label a batch",
            TabId::Cali => "CALIMOCHO",
        }
    }
}
