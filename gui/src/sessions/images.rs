//! The user in the loop on decoy Fashion-MNIST: paint the pixels a
//! prediction must not depend on, and the network learns from that through
//! its loss ("right for the right reasons": the input gradient is penalised
//! there).
//!
//! A session starts from xil-bench's decoy network trained without
//! corrections on the first training images (so it leans on the decoy patch,
//! whose grey level gives the class away in training but not in the test
//! set). Then, image by image from the rest of the training split in a seeded
//! random order, the worker shows the prediction and its explanation
//! (`x ⊙ ∇ log p`, exact); the user gives the class and paints irrelevant
//! pixels; each answer adds the image with its mask, and the network takes a
//! few Adam steps on minibatches of every answered image plus random
//! training images, with the right-reasons loss. After each answer the test
//! accuracy (decoys at random grey levels) and the share of the explanation
//! inside the decoy patch are measured. Everything is a function of the
//! settings and the decisions, replayed on undo and resume.

use crate::sessions::remote::{Command, Interactive, Live, serve_live};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::sync::mpsc::{Receiver, Sender};
use xil_bench::data::fashion::{CLASSES, FashionMnist, PIXELS};
use xil_bench::harness::folds::shuffle;
use xil_bench::harness::limits;
use xil_bench::harness::seeds::Stream;
use xil_bench::protocols::decoy_fashion::{self as decoy, DecoyData, DecoySettings, Input, Network, Setting, Trainer};
use xil_core::Error;
use xil_core::nn::mlp::{MlpExample, MlpLoss};
use xil_core::random::uniform_below;

/// What defines an image session besides the user's decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageSettings {
    /// Seed of decoys, the first training, the query order and the refits.
    pub seed: u64,
    /// Training images of the first network (no corrections).
    pub pretrain_images: usize,
    /// Epochs of the first network.
    pub pretrain_epochs: usize,
    /// Adam steps after each answer.
    pub steps_per_answer: usize,
    /// Random training images in each refit minibatch (besides every
    /// answered image).
    pub batch: usize,
    /// Weight of the input-gradient penalty on painted pixels.
    pub penalty: f32,
    /// Test images measured after each answer.
    pub test_images: usize,
}

impl Default for ImageSettings {
    /// Seed 0; a first network from 5,000 images and 4 epochs; 30 steps of
    /// 64 images per answer; penalty 1,000 (the decoy experiment's); 2,000
    /// test images.
    fn default() -> Self {
        Self {
            seed: 0,
            pretrain_images: 5000,
            pretrain_epochs: 4,
            steps_per_answer: 30,
            batch: 64,
            penalty: 1000.0,
            test_images: 2000,
        }
    }
}

/// The user's answer to one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageDecision {
    /// The class given (0–9).
    pub label: u8,
    /// Pixels (`row * 28 + column`) the prediction must not depend on.
    pub irrelevant: Vec<usize>,
}

/// The image on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownImage {
    /// Its index in the training split.
    pub index: usize,
    /// The 784 grey levels (with the decoy patch).
    pub pixels: Vec<u8>,
    /// The predicted class.
    pub prediction: u8,
    /// The explanation: `x ⊙ ∇ log p` of the predicted class, per pixel.
    pub relevance: Vec<f32>,
    /// The decoy patch's pixels (what a user who knows the trick paints).
    pub decoy: Vec<usize>,
}

/// One point of the plot, after each answer (and at the start).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImagePoint {
    /// Answers so far.
    pub queries: usize,
    /// Accuracy on the test images.
    pub test_accuracy: f32,
    /// Mean share of the explanation's magnitude inside the decoy patch.
    pub decoy_share: f32,
}

/// What the app shows: the state after the last command.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageView {
    /// The settings.
    pub settings: ImageSettings,
    /// The decisions so far.
    pub decisions: Vec<ImageDecision>,
    /// One point per decision (and the start).
    pub points: Vec<ImagePoint>,
    /// The image on screen (`None` when the session could not start).
    pub shown: Option<ShownImage>,
    /// What went wrong with the last command (the state is unchanged then).
    pub error: Option<String>,
}

/// What the app asks of the worker.
pub type ImageCommand = Command<ImageSettings, ImageDecision>;

/// Decoy image sessions, as served to the app.
#[derive(Debug, Clone, Copy)]
pub struct Images;

impl Interactive for Images {
    type Settings = ImageSettings;
    type Decision = ImageDecision;
    type View = ImageView;

    fn serve(commands: &Receiver<ImageCommand>, views: &Sender<ImageView>, notify: &dyn Fn()) {
        serve_images(commands, views, notify);
    }

    fn settings(view: &ImageView) -> &ImageSettings {
        &view.settings
    }

    fn decisions(view: &ImageView) -> &[ImageDecision] {
        &view.decisions
    }

    fn error(view: &ImageView) -> Option<&str> {
        view.error.as_deref()
    }

    fn started(view: &ImageView) -> bool {
        !view.points.is_empty()
    }
}

/// Checks settings before a session starts.
///
/// # Errors
/// A one-line message for impossible settings.
pub fn validate(settings: &ImageSettings) -> Result<(), String> {
    if !(100..=50_000).contains(&settings.pretrain_images) {
        return Err(format!("the first network needs 100 to 50,000 images, not {}", settings.pretrain_images));
    }
    limits::check("pretrain_epochs", settings.pretrain_epochs, &limits::EPOCHS)?;
    limits::check("steps_per_answer", settings.steps_per_answer, &limits::STEPS_PER_FIT)?;
    limits::check("batch", settings.batch, &(1..=*limits::IMAGES.end()))?;
    if !(settings.penalty.is_finite() && settings.penalty >= 0.0) {
        return Err(format!("the penalty must be at least 0, not {}", settings.penalty));
    }
    if !(1..=10_000).contains(&settings.test_images) {
        return Err(format!("test images must be 1 to 10,000, not {}", settings.test_images));
    }
    Ok(())
}

/// A network trained without corrections, with its test set: what every
/// session of the same seed and size starts from.
struct Start {
    key: (u64, usize, usize),
    model: Box<Network>,
    test: DecoyData,
}

impl Start {
    fn train(fashion: &FashionMnist, settings: &ImageSettings) -> Result<Self, String> {
        let decoy = DecoySettings {
            epochs: settings.pretrain_epochs,
            train_limit: Some(settings.pretrain_images),
            ..DecoySettings::paper(Setting::None, settings.seed)
        };
        let outcome = decoy::run(&decoy, fashion, &xil_bench::harness::observe::ticking(&|| {}))?;
        let key = (settings.seed, settings.pretrain_images, settings.pretrain_epochs);
        Ok(Self { key, model: outcome.model, test: outcome.test })
    }
}

/// A running session.
struct Running<'w> {
    train: &'w DecoyData,
    test: DecoyData,
    settings: ImageSettings,
    model: Box<Network>,
    trainer: Box<Trainer>,
    gradient: Box<Network>,
    loss: MlpLoss,
    order: Vec<usize>,
    rng: Xoshiro256PlusPlus,
    answered: Vec<(usize, u8, Vec<usize>)>,
    decisions: Vec<ImageDecision>,
    points: Vec<ImagePoint>,
}

impl<'w> Running<'w> {
    fn start(train: &'w DecoyData, start: &Start, settings: ImageSettings) -> Result<Self, String> {
        let loss = MlpLoss::right_reasons(settings.penalty).map_err(|e| format!("penalty: {e}"))?;
        // The decoy protocol's optimiser (Adam, learning rate 1e-3, L2 1e-4).
        let trainer = Box::new(DecoySettings::paper(Setting::InputGradients, settings.seed).trainer()?);
        let mut order: Vec<usize> = (settings.pretrain_images..train.len()).collect();
        let mut rng = Stream::ImageRefit.rng(settings.seed);
        shuffle(&mut order, &mut rng);
        order.reverse();
        let mut running = Self {
            train,
            test: start.test.first(settings.test_images),
            settings,
            model: start.model.clone(),
            trainer,
            gradient: Box::new(Network::zeros()),
            loss,
            order,
            rng,
            answered: Vec::new(),
            decisions: Vec::new(),
            points: Vec::new(),
        };
        running.record_point();
        Ok(running)
    }

    fn shown(&self) -> Option<ShownImage> {
        let &index = self.order.last()?;
        let (relevance, class) = decoy::explain(&self.model, self.train, index);
        Some(ShownImage {
            index,
            pixels: self.train.image(index).to_vec(),
            prediction: class as u8,
            relevance: relevance.iter().copied().collect(),
            decoy: decoy::patch(self.train.corners[index]).to_vec(),
        })
    }

    fn record_point(&mut self) {
        self.points.push(ImagePoint {
            queries: self.decisions.len(),
            test_accuracy: decoy::accuracy(&self.model, &self.test),
            decoy_share: decoy::decoy_share(&self.model, &self.test, self.test.len()),
        });
    }

    /// Adam steps on every answered image plus `batch` random training
    /// images from the first network's set.
    fn refit(&mut self) -> Result<(), Error> {
        let mut inputs: Vec<Input> = Vec::new();
        for _ in 0..self.settings.steps_per_answer {
            let mut batch: Vec<(usize, u8, &[usize])> =
                self.answered.iter().map(|(i, label, mask)| (*i, *label, mask.as_slice())).collect();
            for _ in 0..self.settings.batch {
                let index = uniform_below(&mut self.rng, self.settings.pretrain_images as u32) as usize;
                batch.push((index, self.train.labels[index], &[]));
            }
            inputs.resize(batch.len(), Input::zeros());
            for (input, &(index, _, _)) in inputs.iter_mut().zip(&batch) {
                self.train.input(index, input);
            }
            let examples: Vec<MlpExample<PIXELS>> = batch
                .iter()
                .zip(&inputs)
                .map(|(&(_, label, irrelevant), x)| MlpExample { x, label, irrelevant })
                .collect();
            self.trainer.step(&mut self.model, &self.loss, &examples, &mut self.gradient)?;
        }
        Ok(())
    }
}

impl Live<ImageSettings, ImageDecision, ImageView> for Running<'_> {
    fn decide(&mut self, decision: ImageDecision) -> Result<(), String> {
        let Some(&index) = self.order.last() else {
            return Err("no image to answer: every training image was shown".into());
        };
        if usize::from(decision.label) >= CLASSES {
            return Err(format!("the class must be 0 to 9, not {}", decision.label));
        }
        if let Some(bad) = decision.irrelevant.iter().find(|&&p| p >= PIXELS) {
            return Err(format!("pixel {bad} is not one of the {PIXELS}"));
        }
        let mut mask = decision.irrelevant.clone();
        mask.sort_unstable();
        mask.dedup();
        self.answered.push((index, decision.label, mask));
        if let Err(e) = self.refit() {
            self.answered.pop();
            return Err(format!("the refit failed: {e}"));
        }
        self.order.pop();
        self.decisions.push(decision);
        self.record_point();
        Ok(())
    }

    fn view(&self, error: Option<String>) -> ImageView {
        ImageView {
            settings: self.settings.clone(),
            decisions: self.decisions.clone(),
            points: self.points.clone(),
            shown: self.shown(),
            error,
        }
    }

    fn settings(&self) -> &ImageSettings {
        &self.settings
    }

    fn decisions(&self) -> &[ImageDecision] {
        &self.decisions
    }
}

impl ImageView {
    fn failed(settings: ImageSettings, decisions: Vec<ImageDecision>, error: String) -> Self {
        Self { settings, decisions, points: Vec::new(), shown: None, error: Some(error) }
    }
}

/// The worker's loop: reads Fashion-MNIST when a session first needs it,
/// trains (and keeps) the first network for each seed and size, and serves
/// sessions until the app hangs up. `notify` is called after every view.
pub fn serve_images(commands: &Receiver<ImageCommand>, views: &Sender<ImageView>, notify: &dyn Fn()) {
    let send = |view: ImageView| {
        let sent = views.send(view).is_ok();
        notify();
        sent
    };
    let mut fashion: Option<FashionMnist> = None;
    let mut train: Option<(u64, DecoyData)> = None;
    let mut start: Option<Start> = None;
    let mut next = commands.recv().ok();
    while let Some(command) = next {
        let Command::Start(settings, decisions) = command else {
            next = commands.recv().ok();
            continue;
        };
        let prepared = validate(&settings).and_then(|()| {
            let images = match fashion.take() {
                Some(images) => images,
                None => FashionMnist::load(&xil_bench::data::fashion::locate(None))?,
            };
            if train.as_ref().is_none_or(|(seed, _)| *seed != settings.seed) {
                // The same decoys as the first network's training images.
                train =
                    Some((settings.seed, DecoyData::new(&images.train, true, Stream::DecoyTrain.seed(settings.seed))));
            }
            let key = (settings.seed, settings.pretrain_images, settings.pretrain_epochs);
            let trained = match start.take() {
                Some(kept) if kept.key == key => Ok(kept),
                _ => Start::train(&images, &settings),
            };
            fashion = Some(images);
            start = Some(trained?);
            Ok(())
        });
        next = match (prepared, &train, &start) {
            (Ok(()), Some((_, train)), Some(start)) => {
                serve_session(train, start, settings, decisions, commands, &send)
            }
            (Err(e), ..) => {
                if send(ImageView::failed(settings, decisions, e)) {
                    commands.recv().ok()
                } else {
                    None
                }
            }
            _ => commands.recv().ok(),
        };
    }
}

fn serve_session(
    train: &DecoyData,
    start: &Start,
    settings: ImageSettings,
    decisions: Vec<ImageDecision>,
    commands: &Receiver<ImageCommand>,
    send: &dyn Fn(ImageView) -> bool,
) -> Option<ImageCommand> {
    let mut running = match Running::start(train, start, settings.clone()) {
        Ok(running) => running,
        Err(e) => return if send(ImageView::failed(settings, decisions, e)) { commands.recv().ok() } else { None },
    };
    serve_live(&mut running, decisions, commands, send)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[test]
    fn painting_the_decoy_moves_the_explanation_off_it_and_undo_is_exact() {
        let (commands, inbox) = channel();
        let (outbox, views) = channel();
        std::thread::Builder::new()
            .stack_size(crate::sessions::remote::WORKER_STACK)
            .spawn(move || serve_images(&inbox, &outbox, &|| {}))
            .unwrap();
        let next = || views.recv_timeout(Duration::from_secs(300)).expect("a view");
        let settings = ImageSettings { pretrain_images: 2000, test_images: 500, ..ImageSettings::default() };
        // A user who knows the trick gives the true class and paints the
        // decoy, or (the control) gives the true class and paints nothing:
        // the same images, the same refits, only the mask differs.
        let answer = |paint: bool| {
            commands.send(Command::Start(settings.clone(), Vec::new())).unwrap();
            let first = next();
            assert_eq!(first.error, None);
            let mut view = first.clone();
            for _ in 0..8 {
                let shown = view.shown.clone().unwrap();
                let irrelevant = if paint { shown.decoy.clone() } else { Vec::new() };
                commands.send(Command::Decide(ImageDecision { label: decoy_label(&shown), irrelevant })).unwrap();
                view = next();
                assert_eq!(view.error, None);
            }
            (first, view)
        };
        let (_, control) = answer(false);
        let (first, painted) = answer(true);
        assert_eq!(painted.points.len(), 9);
        let (with, without) = (painted.points[8].decoy_share, control.points[8].decoy_share);
        eprintln!("decoy share: start {}, painted {with}, not painted {without}", first.points[0].decoy_share);
        assert!(with < without, "painting the decoy lowers its share: {with} vs {without} unpainted");
        commands.send(Command::Decide(ImageDecision { label: 12, irrelevant: vec![] })).unwrap();
        assert!(next().error.unwrap().contains("class must be"));
        commands.send(Command::Start(settings.clone(), Vec::new())).unwrap();
        assert_eq!(next(), first, "a restart replays to the same state exactly");
    }

    /// The training decoy's grey level is `255 - 25 * label`.
    fn decoy_label(shown: &ShownImage) -> u8 {
        let grey = shown.pixels[shown.decoy[0]];
        (255 - grey) / 25
    }
}
