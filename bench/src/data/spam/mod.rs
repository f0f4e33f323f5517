//! The SpamAssassin corpus (seed 000, Fig. 3).
//!
//! - [`mail`]: RFC 822 / MIME messages decoded to text;
//! - [`decode`]: charsets, base64, quoted-printable and HTML to text;
//! - [`corpus`]: the corpus files, malformed ones skipped and counted.

pub mod corpus;
pub mod decode;
pub mod mail;
