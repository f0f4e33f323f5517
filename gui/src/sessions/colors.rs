//! The user in the loop: a CAIPI session on colors whose every decision is
//! recorded, so it can be undone, saved and resumed exactly.
//!
//! The session is xil-core's [`Session`] (L1 SVM on pair features, LIME over
//! the 25 pixels) over a generated pool it borrows. A worker thread owns both
//! (the pool lives in the worker's stack frame, the session borrows it), so the
//! window never waits for a refit: the app sends [`ColorsCommand`]s and draws the
//! latest [`View`] the worker sends back. Everything the session does is a
//! deterministic function of the [`Settings`] (with the seed) and the list of
//! [`Decision`]s, so undo is "replay all but the last" and a saved session is
//! just those two things.

use crate::error::{Error, Result};
use crate::sessions::remote::{Command, Interactive, Live, SessionView, serve_live, serve_starts};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::sync::mpsc::{Receiver, Sender};
use xil_bench::harness::limits;
use xil_core::tasks::colors::{self, Image, PAIRS, PIXELS, PairFeatures, Rule};
use xil_core::{Counterexamples, Example, Feedback, L1Svm, Lime, QueryStrategy, Session, SessionConfig};

/// Capacity of the labelled set (labels plus counterexamples).
pub const CAPACITY: usize = 2048;

/// The session type: colors images, pair features, L1 SVM, LIME.
pub type ColorsSession<'p> = Session<'p, Image, PairFeatures, L1Svm, Lime, PAIRS, PIXELS, CAPACITY>;

/// What defines a session besides the user's decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Seed of the data, the initial labels and every random choice.
    pub seed: u64,
    /// The rule that decides the test labels (0: corners share a colour, 1:
    /// top-middle pixels differ).
    pub rule: Rule,
    /// Pixels an explanation names.
    pub k: usize,
    /// Generated images to query from.
    pub pool: usize,
    /// Generated images to measure test accuracy on.
    pub test: usize,
    /// Labels per class before the first query.
    pub initial_per_class: usize,
    /// LIME samples per explanation.
    pub lime_samples: usize,
}

impl Default for Settings {
    /// Seed 0, rule 0, k = 4, 2,000 + 1,000 images, 3 labels per class, LIME 500.
    fn default() -> Self {
        Self { seed: 0, rule: Rule::Zero, k: 4, pool: 2000, test: 1000, initial_per_class: 3, lime_samples: 500 }
    }
}

/// The user's answer to one query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The label given.
    pub label: u8,
    /// Pixels marked as irrelevant (empty: the explanation is accepted).
    pub irrelevant: Vec<usize>,
}

/// The query on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// The image.
    pub image: Image,
    /// The predicted class.
    pub prediction: u8,
    /// Signed relevance of each pixel.
    pub relevance: [f32; PIXELS],
    /// The pixels the explanation names, most relevant first.
    pub selected: Vec<usize>,
    /// LIME's weighted R² for this explanation.
    pub fidelity: Option<f32>,
}

/// One point of the live plots, after each decision (and at the start).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Decisions so far.
    pub queries: usize,
    /// Accuracy on the test images.
    pub test_accuracy: f32,
    /// Counterexamples in the labelled set.
    pub counterexamples: usize,
}

/// What the app shows: the state after the last command.
pub type View = SessionView<Settings, Decision, Point, Shown>;

impl View {
    /// Counterexamples the last decision added (0 before the first).
    pub fn added(&self) -> usize {
        match self.points.as_slice() {
            [.., before, after] => after.counterexamples.saturating_sub(before.counterexamples),
            _ => 0,
        }
    }
}

/// What the app asks of the worker.
pub type ColorsCommand = Command<Settings, Decision>;

/// Colors sessions, as served to the app.
#[derive(Debug, Clone, Copy)]
pub struct Colors;

impl Interactive for Colors {
    type Settings = Settings;
    type Decision = Decision;
    type Point = Point;
    type Shown = Shown;

    fn serve(commands: &Receiver<ColorsCommand>, views: &Sender<View>, notify: &dyn Fn()) {
        serve(commands, views, notify);
    }

    fn taken(view: &View) -> String {
        format!("answer taken, {} counterexamples added", view.added())
    }
}

/// The label the rule of `settings` gives an image (what a perfect user
/// answers).
pub fn truth(settings: &Settings, image: &Image) -> u8 {
    u8::from(settings.rule.holds(image))
}

/// Checks settings before a session starts.
///
/// # Errors
/// A one-line message for impossible settings.
pub fn validate(settings: &Settings) -> Result<()> {
    limits::check("k", settings.k, &(1..=PIXELS))?;
    limits::check("pool", settings.pool, &limits::IMAGES)?;
    limits::check("test", settings.test, &limits::IMAGES)?;
    limits::check("lime_samples", settings.lime_samples, &limits::LIME_SAMPLES)?;
    limits::check("initial_per_class", settings.initial_per_class, &(1..=CAPACITY / 2))?;
    if settings.pool <= 2 * settings.initial_per_class {
        return Err(Error::Settings("the pool must exceed the initial labels".into()));
    }
    Ok(())
}

/// Generated, rule-labelled images.
fn images(count: usize, settings: &Settings, rng: &mut Xoshiro256PlusPlus) -> Vec<Example<Image>> {
    (0..count)
        .map(|_| {
            let mut example = colors::generate(rng);
            example.label = truth(settings, &example.instance);
            example
        })
        .collect()
}

/// A running session over a borrowed pool.
struct Running<'p> {
    session: ColorsSession<'p>,
    rng: Xoshiro256PlusPlus,
    settings: Settings,
    test: Vec<Example<Image>>,
    decisions: Vec<Decision>,
    points: Vec<Point>,
    shown: Option<Shown>,
}

impl<'p> Running<'p> {
    /// Labels the initial images, fits and shows the first query.
    fn start(
        pool: &'p mut [Example<Image>],
        test: Vec<Example<Image>>,
        settings: Settings,
        rng: Xoshiro256PlusPlus,
    ) -> Result<Self> {
        let config = SessionConfig::new(settings.k, QueryStrategy::ClosestToMargin, Counterexamples::default());
        let lime = Lime::new().samples(settings.lime_samples);
        let session = Session::new(pool, L1Svm::new(), PairFeatures, lime, config)
            .map_err(|source| Error::Core { step: "cannot start the session", source })?;
        let mut running = Self { session, rng, settings, test, decisions: Vec::new(), points: Vec::new(), shown: None };
        running
            .session
            .seed_per_class(running.settings.initial_per_class, &mut running.rng)
            .map_err(|source| Error::Core { step: "cannot label the first images", source })?;
        running.record_point();
        running.next_query()?;
        Ok(running)
    }

    fn next_query(&mut self) -> Result<()> {
        self.shown = match self.session.query(&mut self.rng) {
            Ok(query) => {
                let image = self.session.pending_instance().cloned().ok_or(Error::Answer("no pending query".into()))?;
                let mut relevance = [0.0; PIXELS];
                for (r, v) in relevance.iter_mut().zip(query.explanation.relevance().iter()) {
                    *r = *v;
                }
                Some(Shown {
                    image,
                    prediction: query.prediction,
                    relevance,
                    selected: query.explanation.selected().to_vec(),
                    fidelity: query.explanation.fidelity().map(|f| f.r_squared),
                })
            }
            Err(xil_core::Error::PoolExhausted) => None,
            Err(source) => return Err(Error::Core { step: "cannot pick the next query", source }),
        };
        Ok(())
    }

    fn record_point(&mut self) {
        let correct = self.test.iter().filter(|e| self.session.predict(&e.instance) == Some(e.label)).count();
        self.points.push(Point {
            queries: self.decisions.len(),
            test_accuracy: correct as f32 / self.test.len().max(1) as f32,
            counterexamples: self.session.counterexamples(),
        });
    }
}

impl Live<Settings, Decision, View> for Running<'_> {
    /// Answers the query on screen; the view then reports the
    /// counterexamples it added.
    fn decide(&mut self, decision: Decision) -> Result<()> {
        if self.shown.is_none() {
            return Err(Error::Answer("no query to answer: the pool is exhausted".into()));
        }
        let mut irrelevant = heapless::Vec::<usize, PIXELS>::new();
        for &pixel in &decision.irrelevant {
            if pixel >= PIXELS {
                return Err(Error::Answer(format!("pixel {pixel} is not one of the {PIXELS}")));
            }
            if !irrelevant.contains(&pixel) {
                irrelevant.push(pixel).map_err(|_| Error::Answer("too many pixels".into()))?;
            }
        }
        let feedback = Feedback { label: decision.label, irrelevant };
        // The user is the oracle: every counterexample keeps the user's label.
        self.session
            .give_feedback(&feedback, |_| true, &mut self.rng)
            .map_err(|source| Error::Core { step: "the answer was not taken", source })?;
        self.decisions.push(decision);
        self.record_point();
        self.next_query()
    }

    fn view(&self, error: Option<String>) -> View {
        View {
            settings: self.settings.clone(),
            decisions: self.decisions.clone(),
            points: self.points.clone(),
            shown: self.shown.clone(),
            error,
        }
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn decisions(&self) -> &[Decision] {
        &self.decisions
    }
}

/// The worker's loop: builds the session for the current settings and
/// decisions, then serves commands until one needs a rebuild (start, undo).
/// Returns when the app hangs up. `notify` is called after every view (the
/// app asks for a repaint there).
pub fn serve(commands: &Receiver<ColorsCommand>, views: &Sender<View>, notify: &dyn Fn()) {
    serve_starts(commands, views, notify, serve_session);
}

/// Serves one session (the pool lives in this frame) until a command needs
/// a rebuild, which is returned; `None` when the app hangs up.
fn serve_session(
    settings: Settings,
    decisions: Vec<Decision>,
    commands: &Receiver<ColorsCommand>,
    send: &dyn Fn(View) -> bool,
) -> Option<ColorsCommand> {
    // A session that cannot start shows why and waits for the next command.
    let failed = |settings: Settings, decisions: Vec<Decision>, error: Error| {
        let error = Some(error.to_string());
        let view = View { settings, decisions, points: Vec::new(), shown: None, error };
        if send(view) { commands.recv().ok() } else { None }
    };
    if let Err(e) = validate(&settings) {
        return failed(settings, decisions, e);
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(settings.seed);
    let mut pool = images(settings.pool, &settings, &mut rng);
    let test = images(settings.test, &settings, &mut rng);
    match Running::start(&mut pool, test, settings.clone(), rng) {
        Ok(mut running) => serve_live(&mut running, decisions, commands, send),
        Err(e) => failed(settings, decisions, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    fn small() -> Settings {
        Settings { pool: 300, test: 200, lime_samples: 200, ..Settings::default() }
    }

    /// A worker on its own thread, and a way to wait for its next view.
    fn worker() -> (Sender<ColorsCommand>, impl FnMut() -> View) {
        let (commands, inbox) = channel();
        let (outbox, views) = channel();
        std::thread::spawn(move || serve(&inbox, &outbox, &|| {}));
        (commands, move || views.recv_timeout(Duration::from_secs(60)).expect("a view"))
    }

    #[test]
    fn decisions_add_points_and_corrections_add_counterexamples() {
        let (commands, mut next) = worker();
        commands.send(Command::Start(small(), Vec::new())).unwrap();
        let view = next();
        assert_eq!((view.points.len(), view.error.as_deref()), (1, None));
        let label = truth(&view.settings, &view.shown.as_ref().unwrap().image);
        commands.send(Command::Decide(Decision { label, irrelevant: vec![12, 13] })).unwrap();
        let view = next();
        assert!(view.added() > 0, "marking two pixels generates counterexamples");
        assert_eq!(view.points.len(), 2);
        assert_eq!(view.points[1].counterexamples, view.added());
        commands.send(Command::Decide(Decision { label: 3, irrelevant: vec![] })).unwrap();
        let rejected = next();
        assert!(rejected.error.is_some());
        commands.send(Command::Decide(Decision { label: 0, irrelevant: vec![40] })).unwrap();
        let rejected = next();
        assert!(rejected.error.unwrap().contains("pixel 40"));
        assert_eq!(rejected.decisions.len(), 1, "rejected answers change nothing");
    }

    #[test]
    fn undo_restores_the_previous_state_exactly_and_bad_settings_are_reported() {
        let (commands, mut next) = worker();
        commands.send(Command::Start(small(), Vec::new())).unwrap();
        let first = next();
        commands.send(Command::Decide(Decision { label: 1, irrelevant: vec![0] })).unwrap();
        let second = next();
        assert_ne!(second.shown, first.shown);
        commands.send(Command::Undo).unwrap();
        assert_eq!(next(), first);
        commands.send(Command::Undo).unwrap();
        assert_eq!(next().error.as_deref(), Some("nothing to undo"));
        commands.send(Command::Start(Settings { k: 0, ..small() }, Vec::new())).unwrap();
        assert!(next().error.unwrap().contains("k must be"));
    }
}
