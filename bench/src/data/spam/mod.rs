//! The SpamAssassin corpus (seed 000, Fig. 3).
//!
//! - [`mail`]: RFC 822 / MIME messages decoded to text (by `mail-parser`);
//! - [`corpus`]: the corpus files, malformed ones skipped and counted.

pub mod corpus;
pub mod mail;
