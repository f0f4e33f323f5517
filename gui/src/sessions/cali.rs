//! The user in CALIMOCHO's loop (seed 001): a self-explaining network on
//! colors whose exact explanation `w(x)` the user corrects directly, entry by
//! entry, as the worker refits with the explanation loss.
//!
//! The network is xil-core's depth-1 SENN over the 101 one-hot features
//! (`4 p + c` is pixel `p` having colour `c`, 100 the constant); the session
//! is core's [`CaliSession`], which borrows its pool, network and trainer,
//! all owned by the worker's stack frame (the network and Adam's buffers in
//! boxes: 165 KB). A decision is the label and the entries the user marks:
//! "should not count" sets the entry to 0 in the corrected explanation,
//! "the other way" flips its sign; without marks the answer is a label
//! only. As for colors, the session is a deterministic function of the
//! [`CaliSettings`] and the decisions: undo replays all but the last.

use crate::error::{Error, Result};
use crate::sessions::remote::{Command, Interactive, Live, SessionView, serve_live, serve_starts};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::sync::mpsc::{Receiver, Sender};
use xil_bench::harness::limits;
use xil_bench::protocols::cali::test_losses;
use xil_core::tasks::colors::{self, Image, ONE_HOT, OneHot, Rule};
use xil_core::{Adam, CaliSession, CaliStrategy, Example, ExplanationLoss, FeatureMap, Senn, SennLoss, SennTrainer};

/// Labelled examples the session holds.
pub const CAPACITY: usize = 256;

/// The network: `w(x)` one 101 x 101 layer.
pub type Network = Senn<ONE_HOT, 1>;

/// The session type.
pub type Calimocho<'p> = CaliSession<'p, Image, OneHot, ONE_HOT, 1, CAPACITY>;

/// What defines a session besides the user's decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaliSettings {
    /// Seed of the data, the network, the initial labels and every draw.
    pub seed: u64,
    /// The rule that decides the test labels and the true explanations.
    pub rule: Rule,
    /// Generated images to query from.
    pub pool: usize,
    /// Generated images to measure on.
    pub test: usize,
    /// Labelled images before the first query.
    pub initial: usize,
    /// Adam steps after each answer.
    pub steps_per_fit: usize,
    /// Weight of the label loss (`1 - lambda` weighs the explanation loss).
    pub lambda: f32,
}

impl Default for CaliSettings {
    /// Seed 0, rule 0, 1,000 + 500 images, 5 initial labels, 100 Adam steps
    /// per answer, lambda 0.9 (the paper's).
    fn default() -> Self {
        Self { seed: 0, rule: Rule::Zero, pool: 1000, test: 500, initial: 5, steps_per_fit: 100, lambda: 0.9 }
    }
}

/// How the user corrects one entry of the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    /// This colour at this pixel should not count: the entry becomes 0.
    Irrelevant,
    /// It should count the other way: the entry changes sign.
    Flipped,
}

impl Mark {
    /// The mark after `self` when the entry is clicked again: irrelevant,
    /// flipped, none.
    pub fn next(current: Option<Mark>) -> Option<Mark> {
        match current {
            None => Some(Mark::Irrelevant),
            Some(Mark::Irrelevant) => Some(Mark::Flipped),
            Some(Mark::Flipped) => None,
        }
    }
}

/// The user's answer to one query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaliDecision {
    /// The label given.
    pub label: u8,
    /// The entries of `w(x)` corrected (index `4 p + c`, or 100 for the
    /// constant), each with how; empty: a label only.
    pub marks: Vec<(usize, Mark)>,
}

/// The query on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownCali {
    /// The image.
    pub image: Image,
    /// The predicted class.
    pub prediction: u8,
    /// The probability of class 1.
    pub probability: f32,
    /// The exact explanation `w(x)`, one entry per one-hot feature.
    pub explanation: Vec<f32>,
}

/// One point of the plot, after each decision (and at the start).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CaliPoint {
    /// Decisions so far.
    pub queries: usize,
    /// Accuracy on the test images.
    pub test_accuracy: f32,
    /// Mean squared distance of `w(x)` to the rule's true explanation on
    /// the test images (the paper's `l_Z`).
    pub explanation_error: f32,
}

/// What the app shows.
pub type CaliView = SessionView<CaliSettings, CaliDecision, CaliPoint, ShownCali>;

/// CALIMOCHO sessions, as served to the app.
#[derive(Debug, Clone, Copy)]
pub struct Cali;

impl Interactive for Cali {
    type Settings = CaliSettings;
    type Decision = CaliDecision;
    type Point = CaliPoint;
    type Shown = ShownCali;

    fn serve(commands: &Receiver<Command<CaliSettings, CaliDecision>>, views: &Sender<CaliView>, notify: &dyn Fn()) {
        serve(commands, views, notify);
    }

    fn taken(view: &CaliView) -> String {
        let corrected = view.decisions.last().map_or(0, |d| d.marks.len());
        format!("answer taken, {corrected} entries corrected, network refitted")
    }
}

/// The corrected explanation `shown` with `marks` applied.
///
/// # Errors
/// A mark outside the explanation's entries.
pub fn corrected(shown: &[f32], marks: &[(usize, Mark)]) -> Result<Vec<f32>> {
    let mut corrected = shown.to_vec();
    for &(entry, mark) in marks {
        let value = corrected
            .get_mut(entry)
            .ok_or_else(|| Error::Answer(format!("entry {entry} is not one of the {ONE_HOT}")))?;
        *value = match mark {
            Mark::Irrelevant => 0.0,
            Mark::Flipped => -*value,
        };
    }
    Ok(corrected)
}

/// Checks settings before a session starts.
///
/// # Errors
/// A one-line message for impossible settings.
pub fn validate(settings: &CaliSettings) -> Result<()> {
    limits::check("pool", settings.pool, &limits::IMAGES)?;
    limits::check("test", settings.test, &limits::IMAGES)?;
    limits::check("initial", settings.initial, &(1..=CAPACITY / 2))?;
    limits::check("steps_per_fit", settings.steps_per_fit, &(1..=10_000))?;
    if !(0.0..=1.0).contains(&settings.lambda) {
        return Err(Error::Settings(format!("lambda must be between 0 and 1, not {}", settings.lambda)));
    }
    if settings.pool <= settings.initial {
        return Err(Error::Settings("the pool must exceed the initial labels".into()));
    }
    Ok(())
}

/// Generated images labelled by the rule.
fn images(count: usize, rule: Rule, rng: &mut Xoshiro256PlusPlus) -> Vec<Example<Image>> {
    (0..count)
        .map(|_| {
            let mut example = colors::generate(rng);
            example.label = u8::from(rule.holds(&example.instance));
            example
        })
        .collect()
}

/// A running session over the worker's pool, network and trainer.
struct Running<'p> {
    session: Calimocho<'p>,
    rng: Xoshiro256PlusPlus,
    settings: CaliSettings,
    test: Vec<Example<Image>>,
    decisions: Vec<CaliDecision>,
    points: Vec<CaliPoint>,
    shown: Option<ShownCali>,
}

impl<'p> Running<'p> {
    /// Labels the initial images, fits and shows the first query.
    fn start(
        (pool, model, trainer): (&'p mut [Example<Image>], &'p mut Network, &'p mut SennTrainer<ONE_HOT, 1>),
        test: Vec<Example<Image>>,
        settings: CaliSettings,
        rng: Xoshiro256PlusPlus,
    ) -> Result<Self> {
        let session = CaliSession::new(pool, OneHot, model, trainer, CaliStrategy::Uncertainty, settings.steps_per_fit)
            .map_err(|source| Error::Core { step: "cannot start the session", source })?;
        let mut running = Self { session, rng, settings, test, decisions: Vec::new(), points: Vec::new(), shown: None };
        running
            .session
            .seed(running.settings.initial, &mut running.rng)
            .map_err(|source| Error::Core { step: "cannot label the first images", source })?;
        running.record_point();
        running.next_query()?;
        Ok(running)
    }

    fn next_query(&mut self) -> Result<()> {
        self.shown = match self.session.query(&mut self.rng) {
            Ok(query) => Some(ShownCali {
                image: *self.session.pending_instance().ok_or(Error::Answer("no pending query".into()))?,
                prediction: query.prediction,
                probability: query.probability,
                explanation: query.explanation.iter().copied().collect(),
            }),
            Err(xil_core::Error::PoolExhausted) => None,
            Err(source) => return Err(Error::Core { step: "cannot pick the next query", source }),
        };
        Ok(())
    }

    fn record_point(&mut self) {
        let model = self.session.model();
        let correct =
            self.test.iter().filter(|e| u8::from(model.probability(&OneHot.features(&e.instance)) > 0.5) == e.label);
        let test_accuracy = correct.count() as f32 / self.test.len().max(1) as f32;
        let (_, explanation_error) = test_losses(model, &self.test, self.settings.rule);
        self.points.push(CaliPoint { queries: self.decisions.len(), test_accuracy, explanation_error });
    }
}

impl Live<CaliSettings, CaliDecision, CaliView> for Running<'_> {
    /// Answers the query on screen with the label and, when entries are
    /// marked, the corrected explanation; the network refits.
    fn decide(&mut self, decision: CaliDecision) -> Result<()> {
        let shown = self.shown.as_ref().ok_or(Error::Answer("no query to answer: the pool is exhausted".into()))?;
        let correction = if decision.marks.is_empty() {
            None
        } else {
            let values = corrected(&shown.explanation, &decision.marks)?;
            Some(nalgebra::SVector::<f32, ONE_HOT>::from_iterator(values))
        };
        self.session
            .give_feedback(decision.label, correction, &mut self.rng)
            .map_err(|source| Error::Core { step: "the answer was not taken", source })?;
        self.decisions.push(decision);
        self.record_point();
        self.next_query()
    }

    fn view(&self, error: Option<String>) -> CaliView {
        CaliView {
            settings: self.settings.clone(),
            decisions: self.decisions.clone(),
            points: self.points.clone(),
            shown: self.shown.clone(),
            error,
        }
    }

    fn settings(&self) -> &CaliSettings {
        &self.settings
    }

    fn decisions(&self) -> &[CaliDecision] {
        &self.decisions
    }
}

/// The worker's loop, as for colors: a session per start, served until a
/// command needs a rebuild; returns when the app hangs up.
pub fn serve(commands: &Receiver<Command<CaliSettings, CaliDecision>>, views: &Sender<CaliView>, notify: &dyn Fn()) {
    serve_starts(commands, views, notify, serve_session);
}

/// Serves one session (pool, network and trainer live in this frame).
fn serve_session(
    settings: CaliSettings,
    decisions: Vec<CaliDecision>,
    commands: &Receiver<Command<CaliSettings, CaliDecision>>,
    send: &dyn Fn(CaliView) -> bool,
) -> Option<Command<CaliSettings, CaliDecision>> {
    let failed = |settings: CaliSettings, decisions: Vec<CaliDecision>, error: Error| {
        let view = CaliView { settings, decisions, points: Vec::new(), shown: None, error: Some(error.to_string()) };
        if send(view) { commands.recv().ok() } else { None }
    };
    if let Err(e) = validate(&settings) {
        return failed(settings, decisions, e);
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    let mut pool = images(settings.pool, settings.rule, &mut rng);
    let test = images(settings.test, settings.rule, &mut rng);
    let mut model: Box<Network> = Box::new(Senn::new(&mut rng));
    let loss = SennLoss { lambda: settings.lambda, alpha: 0.0, explanation: ExplanationLoss::Squared };
    let mut trainer = match SennTrainer::new(loss, Adam::default()) {
        Ok(trainer) => Box::new(trainer),
        Err(source) => return failed(settings, decisions, Error::Core { step: "cannot build the trainer", source }),
    };
    match Running::start((&mut pool, &mut model, &mut trainer), test, settings.clone(), rng) {
        Ok(mut running) => serve_live(&mut running, decisions, commands, send),
        Err(e) => failed(settings, decisions, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    fn small() -> CaliSettings {
        CaliSettings { pool: 200, test: 100, steps_per_fit: 20, ..CaliSettings::default() }
    }

    fn worker() -> (Sender<Command<CaliSettings, CaliDecision>>, impl FnMut() -> CaliView) {
        let (commands, inbox) = channel();
        let (outbox, views) = channel();
        std::thread::Builder::new()
            .stack_size(crate::sessions::remote::WORKER_STACK)
            .spawn(move || serve(&inbox, &outbox, &|| {}))
            .expect("a worker");
        (commands, move || views.recv_timeout(Duration::from_secs(120)).expect("a view"))
    }

    #[test]
    fn marks_zero_or_flip_entries_and_a_bad_entry_is_an_error() {
        let shown = [0.5, -0.25, 2.0];
        let marks = [(0, Mark::Irrelevant), (1, Mark::Flipped)];
        assert_eq!(corrected(&shown, &marks).unwrap(), vec![0.0, 0.25, 2.0]);
        assert!(corrected(&shown, &[(3, Mark::Flipped)]).unwrap_err().to_string().contains("entry 3"));
        assert_eq!(Mark::next(None), Some(Mark::Irrelevant));
        assert_eq!(Mark::next(Some(Mark::Irrelevant)), Some(Mark::Flipped));
        assert_eq!(Mark::next(Some(Mark::Flipped)), None);
    }

    #[test]
    fn a_corrected_answer_is_taken_a_bad_entry_is_refused_and_undo_restores_exactly() {
        let (commands, mut next) = worker();
        commands.send(Command::Start(small(), Vec::new())).unwrap();
        let first = next();
        assert_eq!((first.points.len(), first.error.as_deref()), (1, None));
        let shown = first.shown.clone().unwrap();
        // Mark the five largest entries off the rule's pixels as irrelevant.
        let truth = colors::one_hot_explanation(Rule::Zero, &shown.image);
        let mut entries: Vec<usize> = (0..ONE_HOT).filter(|&j| truth[j] == 0.0).collect();
        entries.sort_by(|&a, &b| shown.explanation[b].abs().total_cmp(&shown.explanation[a].abs()));
        let marks: Vec<(usize, Mark)> = entries.iter().take(5).map(|&j| (j, Mark::Irrelevant)).collect();
        let label = u8::from(Rule::Zero.holds(&shown.image));
        commands.send(Command::Decide(CaliDecision { label, marks: marks.clone() })).unwrap();
        let second = next();
        assert_eq!((second.decisions.len(), second.points.len(), second.error.as_deref()), (1, 2, None));
        commands.send(Command::Decide(CaliDecision { label: 0, marks: vec![(ONE_HOT, Mark::Flipped)] })).unwrap();
        let rejected = next();
        assert!(rejected.error.unwrap().contains("entry 101"), "a bad entry is refused");
        assert_eq!(rejected.decisions.len(), 1, "and changes nothing");
        commands.send(Command::Undo).unwrap();
        assert_eq!(next(), first, "undo restores the first view exactly");
    }
}
