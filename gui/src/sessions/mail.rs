//! The user in the loop on real e-mails: CAIPI on SpamAssassin with word
//! corrections, every decision recorded so it can be undone, saved and
//! resumed exactly.
//!
//! The session is xil-bench's [`TextSession`] (L2 logistic regression on
//! TF-IDF rows, uncertainty sampling, exact word contributions) — the loop
//! the `caipi-text` command runs with a simulated user. A worker thread reads
//! the corpus once (where the command reads it) and owns it; the app sends
//! [`MailCommand`]s and draws the [`MailView`]s that come back. One fifth of
//! the messages (a stratified fold) is the test set; the plots show test F1,
//! the test explanation F1 against the gold words and the share of explained
//! words that come from headers. Decisions name removed words as text, so a
//! saved session reads back on any build of the same corpus.

use crate::error::{Error, Result};
use crate::sessions::remote::{Command, Interactive, Live, SessionView, serve_live};
use rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::sync::mpsc::{Receiver, Sender};
use xil_bench::data::spam::corpus::Mail;
use xil_bench::harness::folds::{shuffle, stratified_folds};
use xil_bench::harness::limits;
use xil_bench::harness::seeds::Stream;
use xil_bench::protocols::caipi_text::data::{GOLD_C, GoldC, Headers, TextData};
use xil_bench::protocols::caipi_text::session::TextSession;
use xil_bench::protocols::caipi_text::tfidf::SparseRow;
use xil_bench::protocols::caipi_text::{QueryExplainer, evaluate};

/// Folds of the split whose first is the test set.
const SPLIT: usize = 5;

/// Characters of a body shown (the model sees all of it).
const BODY_SHOWN: usize = 4000;

/// What defines an e-mail session besides the user's decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailSettings {
    /// Seed of the split and the initial labels.
    pub seed: u64,
    /// Words an explanation names.
    pub k: usize,
    /// Weight of the data term of the logistic regression.
    pub c: f32,
    /// Labels per class before the first query.
    pub initial_per_class: usize,
    /// Whether header words are features.
    pub keep_headers: bool,
}

impl Default for MailSettings {
    /// Seed 0, k = 8, C = 10, 5 labels per class, headers kept (the
    /// protocol's learner, with headers the model can wrongly rely on).
    fn default() -> Self {
        Self { seed: 0, k: 8, c: 10.0, initial_per_class: 5, keep_headers: true }
    }
}

/// The user's answer to one e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailDecision {
    /// The label given (1 = spam).
    pub label: u8,
    /// Words that do not matter (as the vocabulary spells them; header
    /// words start with `h:`).
    pub removed: Vec<String>,
}

/// The e-mail on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownMail {
    /// The file's name in the corpus, without its folder (`easy-ham-1`,
    /// `spam-2`, …), which would give the answer away.
    pub name: String,
    /// The predicted class (1 = spam).
    pub prediction: u8,
    /// Header lines, as `(name, value)`.
    pub headers: Vec<(String, String)>,
    /// The body (at most the first few thousand characters).
    pub body: String,
    /// The explanation: words and their signed contributions (positive
    /// towards spam), largest magnitude first.
    pub explanation: Vec<(String, f32)>,
    /// The words of this e-mail the vocabulary knows, sorted (the ones a
    /// click can mark).
    pub known: Vec<String>,
}

/// One point of the plots, after each decision (and at the start).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MailPoint {
    /// Decisions so far.
    pub queries: usize,
    /// F1 of the spam class on the test messages.
    pub test_f1: f32,
    /// Mean explanation F1 on the test messages with gold words.
    pub test_explanation_f1: f32,
    /// Share of explained test words that are header words.
    pub header_share: f32,
    /// Counterexamples so far.
    pub counterexamples: usize,
}

/// What the app shows: the state after the last command.
pub type MailView = SessionView<MailSettings, MailDecision, MailPoint, ShownMail>;

/// What the app asks of the worker.
pub type MailCommand = Command<MailSettings, MailDecision>;

/// E-mail sessions, as served to the app.
#[derive(Debug, Clone, Copy)]
pub struct Mails;

impl Interactive for Mails {
    type Settings = MailSettings;
    type Decision = MailDecision;
    type Point = MailPoint;
    type Shown = ShownMail;

    fn serve(commands: &Receiver<MailCommand>, views: &Sender<MailView>, notify: &dyn Fn()) {
        serve_mail(commands, views, notify);
    }
}

/// Checks settings before a session starts.
///
/// # Errors
/// A one-line message for impossible settings.
pub fn validate(settings: &MailSettings) -> Result<()> {
    if settings.k == 0 || settings.k > 100 {
        return Err(Error::Settings(format!("k must be between 1 and 100, not {}", settings.k)));
    }
    if !(settings.c.is_finite() && settings.c > 0.0) {
        return Err(Error::Settings(format!("C must be positive, not {}", settings.c)));
    }
    limits::check("initial_per_class", settings.initial_per_class, &limits::TEXT_INITIAL_PER_CLASS)?;
    Ok(())
}

/// The corpus as read for one choice of headers.
struct Corpus {
    keep_headers: bool,
    mails: Vec<Mail>,
    data: TextData,
    rows: Vec<SparseRow>,
}

impl Corpus {
    fn read(keep_headers: bool) -> Result<Self> {
        let headers = if keep_headers { Headers::Keep } else { Headers::Strip };
        let (mails, data) = TextData::load(None, headers, GoldC::Fixed(GOLD_C))?;
        let rows = data.bags.iter().map(|bag| data.vocabulary.row(bag)).collect();
        Ok(Self { keep_headers, mails, data, rows })
    }
}

/// A running session over the corpus.
struct Running<'c> {
    corpus: &'c Corpus,
    session: TextSession<'c>,
    settings: MailSettings,
    test: Vec<usize>,
    test_gold: Vec<Vec<u32>>,
    decisions: Vec<MailDecision>,
    points: Vec<MailPoint>,
    shown: Option<(usize, ShownMail)>,
}

impl<'c> Running<'c> {
    fn start(corpus: &'c Corpus, settings: MailSettings) -> Result<Self> {
        let data = &corpus.data;
        let assignment = stratified_folds(&data.labels, SPLIT, Stream::TextFolds.seed(settings.seed))?;
        let test: Vec<usize> = (0..data.labels.len()).filter(|&i| assignment[i] == 0).collect();
        let test_gold = test.iter().map(|&i| data.gold_words(i)).collect();
        let mut pool: Vec<usize> = (0..data.labels.len()).filter(|&i| assignment[i] != 0).collect();
        shuffle(&mut pool, &mut Stream::TextFold(0).rng(settings.seed));
        let session = TextSession::start(data, &corpus.rows, pool, settings.initial_per_class, settings.c);
        let mut running =
            Self { corpus, session, settings, test, test_gold, decisions: Vec::new(), points: Vec::new(), shown: None };
        running.record_point();
        running.next_query();
        Ok(running)
    }

    fn next_query(&mut self) {
        self.shown = self.session.next_query().map(|query| {
            let data = &self.corpus.data;
            let mail = &self.corpus.mails[query.message];
            // Exact contributions need no random numbers.
            let mut unused = Xoshiro256PlusPlus::seed_from_u64(0);
            let explanation = self
                .session
                .explain(query.message, self.settings.k, QueryExplainer::Exact, &mut unused)
                .into_iter()
                .map(|(word, value)| (data.vocabulary.word(word).to_string(), value))
                .collect();
            let body: String = mail.message.body.chars().take(BODY_SHOWN).collect();
            let headers = if self.corpus.keep_headers { mail.message.headers.clone() } else { Vec::new() };
            let mut known: Vec<String> =
                data.bags[query.message].ids().map(|w| data.vocabulary.word(w).to_string()).collect();
            known.sort_unstable();
            let name = mail.name.rsplit('/').next().unwrap_or_default().to_string();
            let shown = ShownMail { name, prediction: query.prediction, headers, body, explanation, known };
            (query.message, shown)
        });
    }

    fn record_point(&mut self) {
        let (test_explanation_f1, test_f1, header_share) =
            evaluate(&self.corpus.data, &self.corpus.rows, self.session.theta(), &self.test, &self.test_gold);
        self.points.push(MailPoint {
            queries: self.decisions.len(),
            test_f1,
            test_explanation_f1,
            header_share,
            counterexamples: self.session.counterexamples(),
        });
    }
}

impl Live<MailSettings, MailDecision, MailView> for Running<'_> {
    fn decide(&mut self, decision: MailDecision) -> Result<()> {
        let Some((message, _)) = self.shown.as_ref() else {
            return Err(Error::Answer("no e-mail to answer: the pool is exhausted".into()));
        };
        if decision.label > 1 {
            return Err(Error::Answer(format!("the label must be 0 (ham) or 1 (spam), not {}", decision.label)));
        }
        let vocabulary = &self.corpus.data.vocabulary;
        let mut removed = Vec::with_capacity(decision.removed.len());
        for word in &decision.removed {
            let id = vocabulary
                .id(word)
                .ok_or_else(|| Error::Answer(format!("\"{word}\" is not a word of the vocabulary")))?;
            if !removed.contains(&id) {
                removed.push(id);
            }
        }
        removed.sort_unstable();
        self.session.answer(*message, decision.label, &removed);
        self.decisions.push(decision);
        self.record_point();
        self.next_query();
        Ok(())
    }

    fn view(&self, error: Option<String>) -> MailView {
        MailView {
            settings: self.settings.clone(),
            decisions: self.decisions.clone(),
            points: self.points.clone(),
            shown: self.shown.as_ref().map(|(_, shown)| shown.clone()),
            error,
        }
    }

    fn settings(&self) -> &MailSettings {
        &self.settings
    }

    fn decisions(&self) -> &[MailDecision] {
        &self.decisions
    }
}

/// The worker's loop: reads the corpus when a session first needs it (again
/// only when the headers choice changes), then serves sessions until the app
/// hangs up. `notify` is called after every view.
pub fn serve_mail(commands: &Receiver<MailCommand>, views: &Sender<MailView>, notify: &dyn Fn()) {
    let send = |view: MailView| {
        let sent = views.send(view).is_ok();
        notify();
        sent
    };
    let mut corpus: Option<Corpus> = None;
    let mut next = commands.recv().ok();
    while let Some(command) = next {
        let Command::Start(settings, decisions) = command else {
            // Nothing to decide or undo before a session exists.
            next = commands.recv().ok();
            continue;
        };
        if let Err(e) = validate(&settings) {
            next = if send(MailView::failed(settings, decisions, &e)) { commands.recv().ok() } else { None };
            continue;
        }
        if corpus.as_ref().is_none_or(|c| c.keep_headers != settings.keep_headers) {
            corpus = None;
            match Corpus::read(settings.keep_headers) {
                Ok(read) => corpus = Some(read),
                Err(e) => {
                    next = if send(MailView::failed(settings, decisions, &e)) { commands.recv().ok() } else { None };
                    continue;
                }
            }
        }
        next = match corpus.as_ref() {
            Some(corpus) => serve_session(corpus, settings, decisions, commands, &send),
            None => commands.recv().ok(),
        };
    }
}

/// Serves one session until a command needs a rebuild (returned), or `None`
/// when the app hangs up.
fn serve_session(
    corpus: &Corpus,
    settings: MailSettings,
    decisions: Vec<MailDecision>,
    commands: &Receiver<MailCommand>,
    send: &dyn Fn(MailView) -> bool,
) -> Option<MailCommand> {
    let mut running = match Running::start(corpus, settings.clone()) {
        Ok(running) => running,
        Err(e) => return if send(MailView::failed(settings, decisions, &e)) { commands.recv().ok() } else { None },
    };
    serve_live(&mut running, decisions, commands, send)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[test]
    fn word_corrections_add_counterexamples_undo_is_exact_and_bad_answers_change_nothing() {
        let (commands, inbox) = channel();
        let (outbox, views) = channel();
        std::thread::spawn(move || serve_mail(&inbox, &outbox, &|| {}));
        let next = || views.recv_timeout(Duration::from_secs(300)).expect("a view");
        commands.send(Command::Start(MailSettings::default(), Vec::new())).unwrap();
        let first = next();
        assert_eq!(first.error, None);
        let shown = first.shown.clone().unwrap();
        assert_eq!(shown.explanation.len(), 8);
        assert!(
            !shown.name.contains("ham") && !shown.name.contains("spam"),
            "the name hides the class: {}",
            shown.name
        );
        let removed = vec![shown.explanation[0].0.clone()];
        commands.send(Command::Decide(MailDecision { label: shown.prediction, removed })).unwrap();
        let second = next();
        assert_eq!((second.points.len(), second.points[1].counterexamples), (2, 1));
        assert_ne!(second.shown, first.shown);
        let unknown = MailDecision { label: 1, removed: vec!["no-such-word-xyz".into()] };
        commands.send(Command::Decide(unknown)).unwrap();
        let rejected = next();
        assert!(rejected.error.unwrap().contains("not a word"));
        assert_eq!(rejected.decisions, second.decisions);
        commands.send(Command::Undo).unwrap();
        assert_eq!(next(), first, "undo restores the first view exactly");
        commands.send(Command::Start(MailSettings { k: 0, ..MailSettings::default() }, Vec::new())).unwrap();
        assert!(next().error.unwrap().contains("k must be"));
    }
}
