//! A session that lives on a worker thread, seen from the app: commands go
//! out, views come back, and every change is saved at once.
//!
//! The colors, E-mails and Images sessions all work this way. A session is a pure function of its settings and its decisions, so undo and
//! "take back decision n" restart the worker's session with fewer decisions,
//! and the saved file holds just those two things.

use crate::error::Result;
use crate::sessions::storage::{self, Saved, VERSION};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

/// Stack of a session's worker: networks and optimiser states are built in
/// place before they are boxed, which in unoptimised builds takes a few
/// hundred kilobytes of stack each.
pub const WORKER_STACK: usize = 64 << 20;

/// What the app asks of a session's worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Command<S, D> {
    /// A new session (or a resumed one: the decisions are replayed).
    Start(S, Vec<D>),
    /// Answer the query on screen.
    Decide(D),
    /// Take back the last decision.
    Undo,
}

/// A kind of session a worker serves.
pub trait Interactive {
    /// What defines a session besides the decisions.
    type Settings: Clone + Default + Serialize + DeserializeOwned + Send + 'static;
    /// The user's answer to one query.
    type Decision: Clone + Serialize + DeserializeOwned + Send + 'static;
    /// One point of the session's plot (after each decision, and the start).
    type Point: Clone + Send + 'static;
    /// What the app shows of the query on screen.
    type Shown: Clone + Send + 'static;

    /// The worker's loop: serves commands until the app hangs up, calling
    /// `notify` after every view it sends.
    fn serve(
        commands: &Receiver<Command<Self::Settings, Self::Decision>>,
        views: &Sender<ViewOf<Self>>,
        notify: &dyn Fn(),
    );
    /// The message shown when a decision was taken.
    fn taken(_view: &ViewOf<Self>) -> String {
        "answer taken".into()
    }
}

/// What a worker sends the app after each command: the session's state
/// after it, the same for every kind of session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView<S, D, P, X> {
    /// The settings of the session.
    pub settings: S,
    /// The decisions so far.
    pub decisions: Vec<D>,
    /// One point per decision (and the start); none when the session could
    /// not start.
    pub points: Vec<P>,
    /// The query on screen (`None` once the pool is exhausted, or when the
    /// session could not start).
    pub shown: Option<X>,
    /// What went wrong with the last command, if anything (the state is
    /// unchanged then).
    pub error: Option<String>,
}

impl<S, D, P, X> SessionView<S, D, P, X> {
    /// The view of a session that could not start, and why.
    pub fn failed(settings: S, decisions: Vec<D>, error: &dyn std::fmt::Display) -> Self {
        Self { settings, decisions, points: Vec::new(), shown: None, error: Some(error.to_string()) }
    }

    /// Whether the session started (and may be saved).
    pub fn started(&self) -> bool {
        !self.points.is_empty()
    }
}

/// The view of a kind of session.
pub type ViewOf<P> = SessionView<
    <P as Interactive>::Settings,
    <P as Interactive>::Decision,
    <P as Interactive>::Point,
    <P as Interactive>::Shown,
>;

/// The command type of a protocol.
pub type CommandOf<P> = Command<<P as Interactive>::Settings, <P as Interactive>::Decision>;

/// The app's ends of the channels to a worker.
type Channels<P> = (Sender<CommandOf<P>>, Receiver<ViewOf<P>>);

/// The app's side of a session on a worker.
pub struct Remote<P: Interactive> {
    worker: Option<Channels<P>>,
    view: Option<ViewOf<P>>,
    busy: bool,
    message: Option<String>,
    path: PathBuf,
}

impl<P: Interactive> Remote<P> {
    /// A session saved at `path`; no worker yet.
    pub fn new(path: PathBuf) -> Self {
        Self { worker: None, view: None, busy: false, message: None, path }
    }

    /// Starts the worker (once) and resumes the saved session, or starts one
    /// with default settings; returns the settings used. A file that cannot
    /// be read is kept aside, with a message.
    pub fn open(&mut self, name: &str, repaint: impl Fn() + Send + 'static) -> Option<P::Settings> {
        if self.worker.is_some() {
            return None;
        }
        let (commands, inbox) = channel();
        let (outbox, views) = channel();
        let spawned = std::thread::Builder::new()
            .name(format!("xil-{name}"))
            .stack_size(WORKER_STACK)
            .spawn(move || P::serve(&inbox, &outbox, &repaint));
        if let Err(e) = spawned {
            self.message = Some(format!("cannot start the {name} session: {e}"));
            return None;
        }
        self.worker = Some((commands, views));
        let (settings, decisions) = match storage::load::<P::Settings, P::Decision>(&self.path) {
            Ok(Some(saved)) => {
                self.message = Some(format!("resuming a {name} session of {} decisions", saved.decisions.len()));
                (saved.settings, saved.decisions)
            }
            Ok(None) => (P::Settings::default(), Vec::new()),
            Err(e) => {
                self.message = Some(e.to_string());
                (P::Settings::default(), Vec::new())
            }
        };
        self.send(Command::Start(settings.clone(), decisions));
        Some(settings)
    }

    /// Sends a command; a decision or undo is dropped while the worker is
    /// busy with the previous command (a start is always sent).
    pub fn send(&mut self, command: CommandOf<P>) {
        if self.busy && !matches!(command, Command::Start(..)) {
            return;
        }
        match &self.worker {
            Some((commands, _)) if commands.send(command).is_ok() => self.busy = true,
            _ => self.message = Some("the session's worker stopped; restart the app".into()),
        }
    }

    /// Takes the worker's latest views; saves the session when it started.
    pub fn receive(&mut self) {
        let Some((_, views)) = &self.worker else { return };
        let received: Vec<ViewOf<P>> = views.try_iter().collect();
        for view in received {
            self.busy = false;
            if let Some(error) = view.error.as_deref() {
                self.message = Some(error.to_string());
            } else if view.decisions.len() > self.view.as_ref().map_or(0, |v| v.decisions.len()) {
                self.message = Some(P::taken(&view));
            }
            let started = view.started();
            self.view = Some(view);
            if started {
                self.save();
            }
        }
    }

    /// Writes the session now (atomically).
    pub fn save(&mut self) {
        let Some(view) = self.view.as_ref() else { return };
        let saved = Saved { version: VERSION, settings: view.settings.clone(), decisions: view.decisions.clone() };
        if let Err(e) = storage::save(&self.path, &saved) {
            self.message = Some(e.to_string());
        }
    }

    /// Takes back decision `number` (from 1) and every later one.
    pub fn rewind(&mut self, number: usize) {
        let Some(view) = self.view.as_ref().filter(|_| !self.busy) else { return };
        let decisions = &view.decisions;
        if number == 0 || number > decisions.len() {
            return;
        }
        let command = Command::Start(view.settings.clone(), decisions[..number - 1].to_vec());
        self.send(command);
    }

    /// Whether the worker is busy with a command.
    pub fn busy(&self) -> bool {
        self.busy
    }

    /// The latest view.
    pub fn view(&self) -> Option<&ViewOf<P>> {
        self.view.as_ref()
    }

    /// The last message (errors, resumes, saves).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Replaces the message.
    pub fn set_message(&mut self, message: String) {
        self.message = Some(message);
    }

    /// Where the session is saved.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The folder of sessions saved by name: beside the session file, named
    /// after it (`session.json` → `sessions/`, `mail-session.json` →
    /// `mail-sessions/`).
    pub fn named_folder(&self) -> PathBuf {
        let stem = self.path.file_stem().and_then(|s| s.to_str()).unwrap_or("session");
        self.path.with_file_name(format!("{stem}s"))
    }

    /// Saves the session on screen under `name` too; whether it was saved.
    pub fn save_as(&mut self, name: &str) -> bool {
        let Some(view) = self.view.as_ref() else { return false };
        let saved = Saved { version: VERSION, settings: view.settings.clone(), decisions: view.decisions.clone() };
        let result = storage::named(&self.named_folder(), name).and_then(|path| storage::save(&path, &saved));
        let done = result.is_ok();
        self.message = Some(match result {
            Ok(()) => format!("saved as \"{name}\""),
            Err(e) => e.to_string(),
        });
        done
    }

    /// Replaces the session on screen (which stays saved in its own file)
    /// by the one saved under `name`; returns its settings when it exists.
    pub fn open_named(&mut self, name: &str) -> Option<P::Settings> {
        match storage::named(&self.named_folder(), name)
            .and_then(|path| storage::load::<P::Settings, P::Decision>(&path))
        {
            Ok(Some(saved)) => {
                self.message = Some(format!("opened \"{name}\" ({} decisions)", saved.decisions.len()));
                self.send(Command::Start(saved.settings.clone(), saved.decisions));
                Some(saved.settings)
            }
            Ok(None) => {
                self.message = Some(format!("there is no session \"{name}\""));
                None
            }
            Err(e) => {
                self.message = Some(e.to_string());
                None
            }
        }
    }

    /// The names of the sessions saved by name, sorted.
    pub fn names(&self) -> Vec<String> {
        storage::names(&self.named_folder())
    }
}

/// A started session on the worker's side: decisions are applied one at a
/// time and its state can be shown.
pub trait Live<S, D, V> {
    /// Applies one decision; on error the session is unchanged.
    ///
    /// # Errors
    /// Why the decision was not taken.
    fn decide(&mut self, decision: D) -> Result<()>;
    /// The view of the current state, with an error to show.
    fn view(&self, error: Option<String>) -> V;
    /// The settings the session started from.
    fn settings(&self) -> &S;
    /// The decisions taken so far.
    fn decisions(&self) -> &[D];
}

/// A worker's loop: each start builds a session (`serve_session`, given the
/// settings, the decisions to replay, the commands and the way to send a
/// view, which returns the command that needs a rebuild) and serves it;
/// `notify` is called after every view (the app asks for a repaint). Returns
/// when the app hangs up.
pub fn serve_starts<S, D, V>(
    commands: &Receiver<Command<S, D>>,
    views: &Sender<V>,
    notify: &dyn Fn(),
    serve_session: impl Fn(S, Vec<D>, &Receiver<Command<S, D>>, &dyn Fn(V) -> bool) -> Option<Command<S, D>>,
) {
    let send = |view: V| {
        let sent = views.send(view).is_ok();
        notify();
        sent
    };
    let mut next = commands.recv().ok();
    while let Some(command) = next {
        next = match command {
            Command::Start(settings, decisions) => serve_session(settings, decisions, commands, &send),
            // Nothing to decide or undo before a session exists.
            Command::Decide(_) | Command::Undo => commands.recv().ok(),
        };
    }
}

/// Replays `decisions` on a started session (stopping at the first that
/// fails, which the view reports), sends its view, then serves commands
/// until one needs a new session: that command is returned (an undo comes
/// back as a start with one decision fewer), or `None` when the app hangs up.
pub fn serve_live<S: Clone, D: Clone, V>(
    live: &mut impl Live<S, D, V>,
    decisions: Vec<D>,
    commands: &Receiver<Command<S, D>>,
    send: &dyn Fn(V) -> bool,
) -> Option<Command<S, D>> {
    let mut error = None;
    for (i, decision) in decisions.into_iter().enumerate() {
        if let Err(e) = live.decide(decision) {
            error = Some(format!("decision {} cannot be replayed: {e}", i + 1));
            break;
        }
    }
    if !send(live.view(error)) {
        return None;
    }
    loop {
        let view = match commands.recv().ok()? {
            Command::Decide(decision) => {
                let error = live.decide(decision).err().map(|e| e.to_string());
                live.view(error)
            }
            Command::Undo if live.decisions().is_empty() => live.view(Some("nothing to undo".into())),
            Command::Undo => {
                let mut earlier = live.decisions().to_vec();
                earlier.pop();
                return Some(Command::Start(live.settings().clone(), earlier));
            }
            start @ Command::Start(..) => return Some(start),
        };
        if !send(view) {
            return None;
        }
    }
}

/// The answer being prepared on screen: a label and the components marked
/// as irrelevant (pixels, words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer<M> {
    /// The label given, if any.
    pub label: Option<u8>,
    /// The marked components, in the order the tab keeps them.
    pub marked: Vec<M>,
}

impl<M> Default for Answer<M> {
    fn default() -> Self {
        Self { label: None, marked: Vec::new() }
    }
}

impl<P: Interactive> Remote<P> {
    /// Sends `answer` as a decision (`decision` builds it from the label and
    /// the marks) and empties it; without a label, says `no_label` instead.
    pub fn submit<M>(
        &mut self,
        answer: &mut Answer<M>,
        decision: impl FnOnce(u8, Vec<M>) -> P::Decision,
        no_label: &str,
    ) {
        if self.busy {
            return;
        }
        let Some(label) = answer.label.take() else {
            self.message = Some(no_label.into());
            return;
        };
        let marked = std::mem::take(&mut answer.marked);
        self.send(Command::Decide(decision(label, marked)));
    }

    /// Accepts `prediction` with its explanation: no marks.
    pub fn accept<M>(
        &mut self,
        answer: &mut Answer<M>,
        prediction: Option<u8>,
        decision: impl FnOnce(u8, Vec<M>) -> P::Decision,
    ) {
        if let Some(prediction) = prediction {
            answer.label = Some(prediction);
            answer.marked.clear();
            self.submit(answer, decision, "");
        }
    }

    /// Takes back the last decision (the answer on screen is dropped).
    pub fn undo<M>(&mut self, answer: &mut Answer<M>) {
        if !self.busy {
            *answer = Answer::default();
            self.send(Command::Undo);
        }
    }

    /// Takes back decision `number` and every later one (the answer on
    /// screen is dropped).
    pub fn take_back<M>(&mut self, answer: &mut Answer<M>, number: usize) {
        if !self.busy {
            *answer = Answer::default();
            self.rewind(number);
        }
    }
}
