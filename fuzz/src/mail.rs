//! The e-mail reader on arbitrary bytes as one corpus file: RFC 822 headers,
//! MIME multipart, base64, quoted-printable, charsets, HTML to text, then
//! the tokens the vocabulary is built from. Every input is a message or an
//! error, never a panic; HTML decoding stays linear (libFuzzer's time-out
//! catches a quadratic case).

use xil_bench::text::corpus::Mail;
use xil_bench::text::data::{Headers, mail_tokens};
use xil_bench::text::mail::{html_to_text, parse};

/// Runs one input; panics on a broken promise.
pub fn check(data: &[u8]) {
    if let Ok(message) = parse(data) {
        let mail = Mail { name: "fuzz/1.txt".into(), label: 1, message };
        for headers in [Headers::Keep, Headers::Strip] {
            for token in mail_tokens(&mail, headers) {
                assert!(!token.is_empty());
            }
        }
    }
    let text = html_to_text(&String::from_utf8_lossy(data));
    assert!(text.len() <= 4 * data.len() + 4);
}
