//! The user in the loop on decoy Fashion-MNIST or MNIST, as the app serves
//! it: paint the pixels a prediction must not depend on, and the network
//! learns from that through its loss ("right for the right reasons", the
//! perceptron) or its ELBO (activation evidence, the Bayesian `LeNet-5`). The
//! session itself is xil-bench's [`CorrectionSession`]; this worker reads the
//! data set once, keeps the first network per network, data set, seed and
//! size, and replays the decisions on undo and resume. The image shown comes
//! with the maps of every attribution method that applies to the network
//! ([`CorrectionSession::attribute`]; the app's selector picks one) and, for
//! the Bayesian network, its uncertainty. After each answer the test accuracy
//! and the share of the explanation inside the decoy patch are measured.

use crate::error::Result;
use crate::sessions::remote::{Command, Interactive, Live, SessionView, serve_live};
use serde::{Deserialize, Serialize};
use std::sync::mpsc::{Receiver, Sender};
use xil_bench::data::fashion::ImageSet;
use xil_bench::protocols::attributions::DataSet;
use xil_bench::protocols::attributions::methods::Method;
use xil_bench::protocols::decoy_fashion::DecoyData;
use xil_bench::protocols::decoy_fashion::session::{
    CorrectionSession, Pretrained, SessionSettings, Uncertainty, training_images,
};

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
    /// Each applicable attribution method's map of the predicted class, per
    /// pixel, in [`Method::ALL`]'s order (or why it could not be computed).
    pub maps: Vec<(Method, std::result::Result<Vec<f32>, String>)>,
    /// The decoy patch's pixels (what a user who knows the trick paints).
    pub decoy: Vec<usize>,
    /// The Bayesian network's uncertainty about it (none for the
    /// perceptron).
    pub uncertainty: Option<Uncertainty>,
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
pub type ImageView = SessionView<SessionSettings, ImageDecision, ImagePoint, ShownImage>;

/// What the app asks of the worker.
pub type ImageCommand = Command<SessionSettings, ImageDecision>;

/// Decoy image sessions, as served to the app.
#[derive(Debug, Clone, Copy)]
pub struct Images;

impl Interactive for Images {
    type Settings = SessionSettings;
    type Decision = ImageDecision;
    type Point = ImagePoint;
    type Shown = ShownImage;

    fn serve(commands: &Receiver<ImageCommand>, views: &Sender<ImageView>, notify: &dyn Fn()) {
        serve_images(commands, views, notify);
    }
}

/// A running session and what the app shows of it.
struct Running<'w> {
    session: CorrectionSession<'w>,
    decisions: Vec<ImageDecision>,
    points: Vec<ImagePoint>,
}

impl<'w> Running<'w> {
    fn start(train: &'w DecoyData, pretrained: &Pretrained, settings: SessionSettings) -> Result<Self> {
        let session = CorrectionSession::start(train, pretrained, settings)?;
        let mut running = Self { session, decisions: Vec::new(), points: Vec::new() };
        running.record_point();
        Ok(running)
    }

    fn shown(&self) -> Option<ShownImage> {
        let index = self.session.query()?;
        let train = self.session.train();
        let maps = Method::ALL
            .into_iter()
            .filter_map(|method| match self.session.attribute(method, index) {
                Ok(Some(map)) => Some((method, Ok(map))),
                Ok(None) => None,
                Err(e) => Some((method, Err(format!("{}: {e}", method.label())))),
            })
            .collect();
        Some(ShownImage {
            index,
            pixels: train.image(index).to_vec(),
            prediction: self.session.predict(index) as u8,
            maps,
            decoy: train.decoy_pixels(index),
            uncertainty: self.session.uncertainty(index),
        })
    }

    fn record_point(&mut self) {
        self.points.push(ImagePoint {
            queries: self.decisions.len(),
            test_accuracy: self.session.test_accuracy(),
            decoy_share: self.session.decoy_share(),
        });
    }
}

impl Live<SessionSettings, ImageDecision, ImageView> for Running<'_> {
    fn decide(&mut self, decision: ImageDecision) -> Result<()> {
        self.session.answer(decision.label, &decision.irrelevant)?;
        self.decisions.push(decision);
        self.record_point();
        Ok(())
    }

    fn view(&self, error: Option<String>) -> ImageView {
        ImageView {
            settings: self.session.settings().clone(),
            decisions: self.decisions.clone(),
            points: self.points.clone(),
            shown: self.shown(),
            error,
        }
    }

    fn settings(&self) -> &SessionSettings {
        self.session.settings()
    }

    fn decisions(&self) -> &[ImageDecision] {
        &self.decisions
    }
}

/// The worker's loop: reads the data set when a session first needs it,
/// trains (and keeps) the first network for each data set, seed and size, and serves
/// sessions until the app hangs up. `notify` is called after every view.
pub fn serve_images(commands: &Receiver<ImageCommand>, views: &Sender<ImageView>, notify: &dyn Fn()) {
    let send = |view: ImageView| {
        let sent = views.send(view).is_ok();
        notify();
        sent
    };
    let mut images: Option<(DataSet, ImageSet)> = None;
    let mut train: Option<((DataSet, u64), DecoyData)> = None;
    let mut start: Option<Pretrained> = None;
    let mut next = commands.recv().ok();
    while let Some(command) = next {
        let Command::Start(settings, decisions) = command else {
            next = commands.recv().ok();
            continue;
        };
        let prepared = settings.validate().and_then(|()| {
            let loaded = match images.take() {
                Some((data, kept)) if data == settings.data => kept,
                _ => settings.data.load_default()?,
            };
            let key = (settings.data, settings.seed);
            if train.as_ref().is_none_or(|(kept, _)| *kept != key) {
                train = Some((key, training_images(&loaded, settings.seed)));
            }
            let trained = match start.take() {
                Some(kept) if kept.key == settings.pretraining() => Ok(kept),
                _ => Pretrained::train(&loaded, &settings),
            };
            images = Some((settings.data, loaded));
            start = Some(trained?);
            Ok(())
        });
        next = match (prepared, &train, &start) {
            (Ok(()), Some((_, train)), Some(start)) => {
                serve_session(train, start, settings, decisions, commands, &send)
            }
            (Err(e), ..) => {
                if send(ImageView::failed(settings, decisions, &e)) {
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
    start: &Pretrained,
    settings: SessionSettings,
    decisions: Vec<ImageDecision>,
    commands: &Receiver<ImageCommand>,
    send: &dyn Fn(ImageView) -> bool,
) -> Option<ImageCommand> {
    let mut running = match Running::start(train, start, settings.clone()) {
        Ok(running) => running,
        Err(e) => return if send(ImageView::failed(settings, decisions, &e)) { commands.recv().ok() } else { None },
    };
    serve_live(&mut running, decisions, commands, send)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;
    use xil_bench::protocols::decoy_fashion::session::SessionModel;

    /// A worker on its own thread: its command and view channels.
    fn worker() -> (Sender<ImageCommand>, Receiver<ImageView>) {
        let (commands, inbox) = channel();
        let (outbox, views) = channel();
        std::thread::Builder::new()
            .stack_size(crate::sessions::remote::WORKER_STACK)
            .spawn(move || serve_images(&inbox, &outbox, &|| {}))
            .unwrap();
        (commands, views)
    }

    #[test]
    fn painting_the_decoy_moves_the_explanation_off_it_and_undo_is_exact() {
        let (commands, views) = worker();
        let next = || views.recv_timeout(Duration::from_secs(300)).expect("a view");
        let settings = SessionSettings { pretrain_images: 2000, test_images: 500, ..SessionSettings::default() };
        // A user who knows the trick gives the true class and paints the
        // decoy, or (the control) gives the true class and paints nothing:
        // the same images, the same refits, only the mask differs.
        let (_, control) = answers((&commands, &views), &settings, false, 8);
        let (first, painted) = answers((&commands, &views), &settings, true, 8);
        assert_eq!(painted.points.len(), 9);
        let (with, without) = (painted.points[8].decoy_share, control.points[8].decoy_share);
        eprintln!("decoy share: start {}, painted {with}, not painted {without}", first.points[0].decoy_share);
        assert!(with < without, "painting the decoy lowers its share: {with} vs {without} unpainted");
        commands.send(Command::Decide(ImageDecision { label: 12, irrelevant: vec![] })).unwrap();
        assert!(next().error.unwrap().contains("class must be"));
        commands.send(Command::Start(settings.clone(), Vec::new())).unwrap();
        assert_eq!(next(), first, "a restart replays to the same state exactly");
    }

    #[test]
    fn an_mnist_session_starts_with_every_method_but_grad_cam() {
        let (commands, views) = worker();
        let settings = SessionSettings {
            data: DataSet::Mnist,
            pretrain_images: 1000,
            test_images: 200,
            ..SessionSettings::default()
        };
        commands.send(Command::Start(settings, Vec::new())).unwrap();
        let view = views.recv_timeout(Duration::from_secs(300)).expect("a view");
        assert_eq!(view.error, None);
        let shown = view.shown.expect("a digit on screen");
        assert_eq!(shown.maps.len(), 6);
        // Input x gradient is zero wherever the digit is black.
        let (_, map) = &shown.maps[1];
        let map = map.as_ref().unwrap();
        assert!(shown.pixels.iter().zip(map).all(|(&p, &v)| p != 0 || v == 0.0));
        assert!(map.iter().any(|&v| v != 0.0));
        let old = r#"{"seed":0,"pretrain_images":100,"pretrain_epochs":1,"steps_per_answer":1,"batch":8,"penalty":0.0,"test_images":10}"#;
        let settings: SessionSettings = serde_json::from_str(old).unwrap();
        assert_eq!(settings.data, DataSet::Fashion, "a session saved before MNIST was offered is Fashion-MNIST's");
    }

    #[test]
    fn a_bayesian_session_shows_its_uncertainty_and_learns_from_the_paint() {
        let (commands, views) = worker();
        let next = || views.recv_timeout(Duration::from_secs(300)).expect("a view");
        let settings = SessionSettings {
            data: DataSet::Mnist,
            model: SessionModel::BayesLenet,
            pretrain_images: 1000,
            pretrain_epochs: 2,
            steps_per_answer: 3,
            test_images: 200,
            ..SessionSettings::default()
        };
        let (first, painted) = answers((&commands, &views), &settings, true, 2);
        let shown = first.shown.clone().expect("a digit on screen");
        // Every method applies to the convolutional network, Grad-CAM too.
        assert_eq!(shown.maps.len(), 7);
        assert!(shown.maps.iter().all(|(_, map)| map.is_ok()));
        let u = shown.uncertainty.expect("the Bayesian network's uncertainty");
        assert!((0.0..=10f32.ln() + 1e-4).contains(&u.entropy), "{u:?}");
        assert!((0.0..=1.0).contains(&u.probability) && u.spread >= 0.0, "{u:?}");
        let (_, unpainted) = answers((&commands, &views), &settings, false, 2);
        assert_ne!(painted.points, unpainted.points, "the evidence of the paint changes the network");
        commands.send(Command::Start(settings.clone(), Vec::new())).unwrap();
        assert_eq!(next(), first, "a restart replays to the same state exactly");
        let old = r#"{"seed":0,"pretrain_images":100,"pretrain_epochs":1,"steps_per_answer":1,"batch":8,"penalty":0.0,"test_images":10}"#;
        let old: SessionSettings = serde_json::from_str(old).unwrap();
        assert_eq!(old.model, SessionModel::Perceptron, "a session saved before the choice corrects the perceptron");
    }

    /// A new session of `settings` and `count` answers with the true class,
    /// the decoy painted or nothing: the first view and the last.
    fn answers(
        (commands, views): (&Sender<ImageCommand>, &Receiver<ImageView>),
        settings: &SessionSettings,
        paint: bool,
        count: usize,
    ) -> (ImageView, ImageView) {
        let next = || views.recv_timeout(Duration::from_secs(300)).expect("a view");
        commands.send(Command::Start(settings.clone(), Vec::new())).unwrap();
        let first = next();
        assert_eq!(first.error, None);
        let mut view = first.clone();
        for _ in 0..count {
            let shown = view.shown.clone().unwrap();
            let irrelevant = if paint { shown.decoy.clone() } else { Vec::new() };
            commands.send(Command::Decide(ImageDecision { label: decoy_label(&shown), irrelevant })).unwrap();
            view = next();
            assert_eq!(view.error, None);
        }
        (first, view)
    }

    /// The training decoy's grey level is `255 - 25 * label`.
    fn decoy_label(shown: &ShownImage) -> u8 {
        let grey = shown.pixels[shown.decoy[0]];
        (255 - grey) / 25
    }
}
