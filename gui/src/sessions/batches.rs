//! Active learning with the user as the annotator, as the app serves it: the
//! strategy proposes a batch of MNIST or Fashion-MNIST images with why each
//! was chosen, the user gives each a class, the model refits. The session
//! itself is xil-bench's [`session`](xil_bench::protocols::active::session);
//! this worker reads the data set once per data set and replays the answers
//! on undo and resume.

use crate::error::Result;
use crate::sessions::remote::{Command, Interactive, Live, SessionView, serve_live};
use serde::{Deserialize, Serialize};
use std::sync::mpsc::{Receiver, Sender};
use xil_bench::data::fashion::{CLASSES, ImageSet};
use xil_bench::protocols::active::reasons::Reasons;
use xil_bench::protocols::active::session::{BatchPoint, BatchSettings, Batches, start};
use xil_bench::protocols::attributions::DataSet;

/// The user's answer to one batch: a class per proposed image, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchDecision {
    /// The classes (0–9).
    pub labels: Vec<u8>,
}

/// One proposed image.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedImage {
    /// Its index in the pool.
    pub index: u32,
    /// The 784 grey levels.
    pub pixels: Vec<u8>,
    /// The model's class probabilities.
    pub probabilities: [f32; CLASSES],
}

impl ProposedImage {
    /// The predicted class.
    pub fn prediction(&self) -> u8 {
        (0..CLASSES).fold(0, |best, c| if self.probabilities[c] > self.probabilities[best] { c } else { best }) as u8
    }
}

/// The batch on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownBatch {
    /// The proposed images, best first.
    pub images: Vec<ProposedImage>,
    /// Why each was chosen (or why that could not be worked out).
    pub reasons: std::result::Result<Reasons<{ xil_bench::data::fashion::PIXELS }>, String>,
    /// Pool images' pixels by pool index, for the pairs retrieval shows.
    pub pair_pixels: Vec<(u32, Vec<u8>)>,
}

/// What the app shows: the state after the last command.
pub type BatchView = SessionView<BatchSettings, BatchDecision, BatchPoint, ShownBatch>;

/// What the app asks of the worker.
pub type BatchCommand = Command<BatchSettings, BatchDecision>;

/// Batch-labelling sessions, as served to the app.
#[derive(Debug, Clone, Copy)]
pub struct BatchLabelling;

impl Interactive for BatchLabelling {
    type Settings = BatchSettings;
    type Decision = BatchDecision;
    type Point = BatchPoint;
    type Shown = ShownBatch;

    fn serve(commands: &Receiver<BatchCommand>, views: &Sender<BatchView>, notify: &dyn Fn()) {
        serve_batches(commands, views, notify);
    }

    fn taken(view: &BatchView) -> String {
        view.points.last().map_or_else(
            || "batch taken".into(),
            |p| format!("batch taken: {} labelled, test accuracy {:.3}", p.labelled, p.accuracy),
        )
    }
}

/// The grey levels of an image with pixels in `[0, 1]`.
fn grey(image: &xil_bench::protocols::attributions::models::Input) -> Vec<u8> {
    image.iter().map(|&v| (v * 255.0).round().clamp(0.0, 255.0) as u8).collect()
}

/// A running session and the decisions it took.
struct Running {
    session: Box<dyn Batches>,
    decisions: Vec<BatchDecision>,
}

impl Running {
    fn shown(&self) -> Option<ShownBatch> {
        let session = &*self.session;
        if session.proposal().is_empty() {
            return None;
        }
        let images = session
            .proposal()
            .iter()
            .filter_map(|&index| {
                Some(ProposedImage {
                    index,
                    pixels: grey(session.image(index)?),
                    probabilities: session.probabilities(index),
                })
            })
            .collect();
        let reasons = session.reasons().map_err(|e| e.to_string());
        let pair_pixels = reasons
            .iter()
            .flat_map(|r| r.why.iter())
            .filter_map(|why| match why {
                xil_bench::protocols::active::reasons::Why::Retrieved { pair: Some(pair), .. } => Some(pair),
                _ => None,
            })
            .flat_map(|pair| pair.iter().map(|member| member.index))
            .filter_map(|index| Some((index, grey(session.image(index)?))))
            .collect();
        Some(ShownBatch { images, reasons, pair_pixels })
    }
}

impl Live<BatchSettings, BatchDecision, BatchView> for Running {
    fn decide(&mut self, decision: BatchDecision) -> Result<()> {
        self.session.answer(&decision.labels)?;
        self.decisions.push(decision);
        Ok(())
    }

    fn view(&self, error: Option<String>) -> BatchView {
        BatchView {
            settings: self.session.settings().clone(),
            decisions: self.decisions.clone(),
            points: self.session.points().to_vec(),
            shown: self.shown(),
            error,
        }
    }

    fn settings(&self) -> &BatchSettings {
        self.session.settings()
    }

    fn decisions(&self) -> &[BatchDecision] {
        &self.decisions
    }
}

/// The worker's loop: reads a data set when a session first needs it (and
/// keeps it), and serves sessions until the app hangs up. `notify` is called
/// after every view.
pub fn serve_batches(commands: &Receiver<BatchCommand>, views: &Sender<BatchView>, notify: &dyn Fn()) {
    let send = |view: BatchView| {
        let sent = views.send(view).is_ok();
        notify();
        sent
    };
    let mut images: Option<(DataSet, ImageSet)> = None;
    let mut next = commands.recv().ok();
    while let Some(command) = next {
        let Command::Start(settings, decisions) = command else {
            next = commands.recv().ok();
            continue;
        };
        let started = match images.take() {
            Some((data, kept)) if data == settings.data => Ok(kept),
            _ => settings.data.load_default(),
        }
        .map_err(crate::error::Error::from)
        .and_then(|loaded| {
            let session = start(settings.clone(), &loaded);
            images = Some((settings.data, loaded));
            Ok(session?)
        });
        next = match started {
            Ok(session) => serve_live(&mut Running { session, decisions: Vec::new() }, decisions, commands, &send),
            Err(e) => {
                if send(BatchView::failed(settings, decisions, &e)) {
                    commands.recv().ok()
                } else {
                    None
                }
            }
        };
    }
}
