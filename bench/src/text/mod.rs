//! CAIPI on real e-mails (seed 000, Fig. 3, on the SpamAssassin corpus):
//! parsing, words, a sparse logistic learner, explanations and the loop.
//!
//! - [`mail`]: RFC 822 / MIME messages decoded to text;
//! - [`corpus`]: the SpamAssassin files, malformed ones skipped and counted;
//! - [`tfidf`]: tokens, vocabulary, TF-IDF rows;
//! - [`logistic`]: L1/L2 logistic regression on sparse rows;
//! - [`data`]: documents, labels and gold words;
//! - [`session`]: CAIPI's loop on e-mails one step at a time (query, explain, answer, refit);
//! - [`caipi`]: that loop with a simulated user, fold by fold;
//! - [`lime`]: LIME for text, removing random words;
//! - [`html`]: explained e-mails as HTML;
//! - [`report`]: a run's files, Fig. 3 and the report.

pub mod caipi;
pub mod corpus;
pub mod data;
pub mod html;
pub mod lime;
pub mod logistic;
pub mod mail;
pub mod report;
pub mod session;
pub mod tfidf;
