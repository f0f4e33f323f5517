//! The e-mail reader on arbitrary bytes as one corpus file: `mail-parser`'s
//! RFC 822 headers, MIME multipart, base64, quoted-printable, charsets and
//! HTML to text as xil-bench calls them, then the tokens the vocabulary is
//! built from, and the corpus loader reading a folder where the input is the
//! only spam beside one ham message. Every input is a message or an error,
//! never a panic, and the loader keeps or skips the file as the parser does;
//! decoding stays linear (libFuzzer's time-out catches a quadratic case).

use std::path::PathBuf;
use std::sync::OnceLock;
use xil_bench::data::spam::corpus::{GROUPS, Mail, load};
use xil_bench::data::spam::mail::parse;
use xil_bench::protocols::caipi_text::data::{Headers, mail_tokens};

/// A corpus folder of this process with one ham message; the input is
/// written as its one spam message.
fn corpus() -> &'static PathBuf {
    static CORPUS: OnceLock<PathBuf> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("xil-fuzz-corpus-{}", std::process::id()));
        for (group, _) in GROUPS {
            std::fs::create_dir_all(dir.join(group)).expect("a scratch corpus");
        }
        std::fs::write(dir.join("easy-ham-1/1.txt"), "Subject: lunch\n\nat noon").expect("a ham message");
        dir
    })
}

/// Runs one input; panics on a broken promise.
pub fn check(data: &[u8]) {
    let parsed = parse(data);
    if let Ok(message) = parsed.clone() {
        let mail = Mail { name: "fuzz/1.txt".into(), label: 1, message };
        for headers in [Headers::Keep, Headers::Strip] {
            for token in mail_tokens(&mail, headers) {
                assert!(!token.is_empty());
            }
        }
    }
    std::fs::write(corpus().join("spam-1/1.txt"), data).expect("the input as a corpus file");
    match load(corpus()) {
        Ok((mails, stats)) => {
            assert!(parsed.is_ok(), "the loader keeps what the parser reads");
            assert_eq!((mails.len(), stats.files, stats.skipped), (2, 2, 0));
        }
        Err(message) => {
            assert!(parsed.is_err(), "the loader refuses only a corpus left without spam: {message}");
            assert!(message.to_string().contains("1 ham and 0 spam"), "{message}");
        }
    }
}
