//! RFC 822 / MIME e-mail messages, decoded to the text a reader sees.
//!
//! The `mail-parser` crate does the decoding: MIME multipart (nested),
//! base64 and quoted-printable bodies, charsets (every one `encoding_rs`
//! knows, so big5 and gb2312 too), and HTML reduced to text; attachments are
//! dropped. What is kept of a message is its header block as written
//! (names, values unfolded; undecoded words stay as they are, since header
//! tokens are features of their own) and the readable text of its body: every
//! text part, an HTML part without its tags.
//!
//! A message without a header block is a [`MailError`]; everything else
//! (bad base64, a missing boundary, stray bytes) is tolerated.

use mail_parser::MessageParser;
use std::fmt;

/// Why a message cannot be read as e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailError {
    /// No bytes at all (or only white space).
    Empty,
    /// No `Name: value` header before the body.
    NoHeaders,
}

impl fmt::Display for MailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MailError::Empty => f.write_str("empty message"),
            MailError::NoHeaders => f.write_str("no header block"),
        }
    }
}

impl std::error::Error for MailError {}

/// A decoded message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Header names (as written) and unfolded values, in order.
    pub headers: Vec<(String, String)>,
    /// The readable text of the body (all text parts, HTML without tags).
    pub body: String,
    /// Characters that could not be decoded in their charset and were
    /// replaced by U+FFFD.
    pub charset_errors: usize,
}

impl Message {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// All header values joined by newlines (the header text a model sees
    /// when headers are kept).
    pub fn header_text(&self) -> String {
        self.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>().join("\n")
    }
}

/// A header value as written, unfolded: its lines trimmed and joined by
/// single spaces; bytes that are not UTF-8 read as ISO-8859-1.
fn unfold(raw: &[u8]) -> String {
    let text = match std::str::from_utf8(raw) {
        Ok(text) => text.to_string(),
        Err(_) => raw.iter().map(|&b| char::from(b)).collect(),
    };
    text.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Whether `name` is an RFC 5322 field name: printable ASCII other than `:`.
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

/// Parses and decodes a raw message.
///
/// # Errors
/// [`MailError`] when there is no header block.
pub fn parse(bytes: &[u8]) -> Result<Message, MailError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(MailError::Empty);
    }
    // An mbox envelope line (`From sender date`, no colon after `From`) is
    // not a header; the corpus files start with one.
    let bytes = match bytes.strip_prefix(b"From ") {
        Some(rest) => rest.iter().position(|&b| b == b'\n').map_or(&[][..], |end| &rest[end + 1..]),
        None => bytes,
    };
    let parsed = MessageParser::default().parse(bytes).ok_or(MailError::NoHeaders)?;
    let raw = parsed.raw_message();
    let headers: Vec<(String, String)> = parsed
        .headers()
        .iter()
        .map(|header| {
            let value = raw.get(header.offset_start as usize..header.offset_end as usize).unwrap_or_default();
            (header.name.as_str().to_string(), unfold(value))
        })
        .collect();
    // The parser takes any first line for a header; a message whose first
    // header name is not an RFC 5322 field name has no header block.
    if headers.first().is_none_or(|(name, _)| !is_field_name(name)) {
        return Err(MailError::NoHeaders);
    }
    let body: Vec<String> =
        (0..parsed.text_body_count()).filter_map(|i| parsed.body_text(i)).map(|text| text.into_owned()).collect();
    let body = body.join("\n");
    let charset_errors = body.chars().filter(|&c| c == char::REPLACEMENT_CHARACTER).count();
    Ok(Message { headers, body, charset_errors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_unfold_and_the_body_follows_the_blank_line() {
        let raw = b"Subject: hello\n  world\nFrom: a@b.c\n\nBody line\n";
        let message = parse(raw).unwrap();
        assert_eq!(message.header("subject"), Some("hello world"));
        assert_eq!(message.header("FROM"), Some("a@b.c"));
        assert_eq!(message.body.trim_end(), "Body line");
    }

    #[test]
    fn transfer_encodings_and_charsets_are_decoded() {
        let base64 =
            b"Subject: x\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: base64\n\nw6ljb2xl\n";
        assert_eq!(parse(base64).unwrap().body.trim_end(), "\u{e9}cole");
        let qp = b"Subject: x\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n\
caf=E9 =\nbar =3D x\n";
        assert_eq!(parse(qp).unwrap().body.trim_end(), "caf\u{e9} bar = x");
        let windows = b"Subject: x\nContent-Type: text/plain; charset=windows-1252\n\n\x93hi\x94\n";
        assert_eq!(parse(windows).unwrap().body.trim_end(), "\u{201c}hi\u{201d}");
        let big5 = b"Subject: x\nContent-Type: text/plain; charset=big5\n\n\xa4\xa4\xa4\xe5\n";
        assert_eq!(parse(big5).unwrap().body.trim_end(), "\u{4e2d}\u{6587}");
        let utf8 = parse(b"Subject: x\nContent-Type: text/plain; charset=utf-8\n\n\xff\xfe ok").unwrap();
        assert_eq!(utf8.charset_errors, 2, "{:?}", utf8.body);
    }

    #[test]
    fn multipart_keeps_text_parts_and_drops_attachments() {
        let raw = b"Subject: m\nContent-Type: multipart/mixed; boundary=\"XX\"\n\npreamble\n--XX\n\
Content-Type: text/plain\n\nplain words\n--XX\nContent-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n\
<p>html &amp; <b>bold</b></p><script>evil()</script>=\n!\n--XX\nContent-Type: image/png\n\nPNGDATA\n--XX--\nepilogue\n";
        let message = parse(raw).unwrap();
        assert!(message.body.contains("plain words"), "{}", message.body);
        assert!(message.body.contains("html & bold"), "{}", message.body);
        for absent in ["preamble", "PNGDATA", "epilogue", "<p>", "<b>"] {
            assert!(!message.body.contains(absent), "{absent} in {}", message.body);
        }
    }

    #[test]
    fn messages_without_headers_are_errors_and_odd_ones_are_tolerated() {
        assert_eq!(parse(b""), Err(MailError::Empty));
        assert_eq!(parse(b" \n\n"), Err(MailError::Empty));
        assert_eq!(parse(b"just some text\nwithout headers\n"), Err(MailError::NoHeaders));
        assert_eq!(parse(b"not an e-mail at all"), Err(MailError::NoHeaders));
        // An mbox `From ` line before the headers is not a header.
        let mbox = parse(b"From someone@example.com  Thu Aug 22 12:36:23 2002\nSubject: hello\n\nbody").unwrap();
        assert_eq!(mbox.headers, [("Subject".to_string(), "hello".to_string())]);
        // Tolerated: no body, no boundary, unterminated multipart, deep nesting, binary.
        assert_eq!(parse(b"Subject: only headers").unwrap().body, "");
        assert!(parse(b"Content-Type: multipart/mixed\n\ntext anyway").is_ok());
        // A part the closing boundary never ends is dropped, the message kept.
        assert!(parse(b"Subject: o\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nunclosed part").is_ok());
        let mut nested = String::from("Subject: deep\n");
        for level in 0..20 {
            nested.push_str(&format!("Content-Type: multipart/mixed; boundary=b{level}\n\n--b{level}\n"));
        }
        nested.push_str("Content-Type: text/plain\n\ninside\n");
        assert!(parse(nested.as_bytes()).is_ok());
        assert!(parse(b"Subject: bin\n\n\x00\x01\xff\xfe").is_ok());
    }

    #[test]
    fn header_bytes_that_are_not_utf8_are_latin1() {
        let message = parse(b"Subject: caf\xe9\n\nbody").unwrap();
        assert_eq!(message.header("subject"), Some("caf\u{e9}"));
    }
}
