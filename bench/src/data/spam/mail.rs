//! RFC 822 / MIME e-mail messages, decoded to the text a reader sees.
//!
//! A message is a header block (`Name: value` lines, continuation lines
//! starting with white space, an optional leading mbox `From ` line), a blank
//! line and a body. The body is decoded by its `Content-Transfer-Encoding`
//! (base64, quoted-printable, or none) and `Content-Type`: `text/plain` is
//! kept, `text/html` loses its tags, `multipart/*` is split at its boundary
//! and every part decoded the same way (to a nesting depth of 8), anything
//! else (images, attachments) is dropped. Bytes become text by the part's
//! charset: ASCII, ISO-8859-1/15 and Windows-1252 byte for byte, UTF-8 and
//! unknown charsets as UTF-8 with invalid sequences replaced and counted.
//!
//! A message without a valid header block is a [`MailError`]; everything
//! else (bad base64, a missing boundary, stray bytes) is tolerated.

use super::decode::{decode_base64, decode_charset, decode_quoted_printable, html_to_text, latin1, parameter};
use std::fmt;

/// Why a message cannot be read as e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailError {
    /// No bytes at all (or only white space).
    Empty,
    /// The first line is neither a header nor an mbox `From ` line.
    NoHeaders,
    /// A line of the header block is not `Name: value` or a continuation.
    BadHeader {
        /// 1-based line number in the message.
        line: usize,
    },
}

impl fmt::Display for MailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MailError::Empty => f.write_str("empty message"),
            MailError::NoHeaders => f.write_str("no header block"),
            MailError::BadHeader { line } => write!(f, "line {line} of the header block is not a header"),
        }
    }
}

impl std::error::Error for MailError {}

/// A decoded message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Header names (as written) and unfolded values, in order.
    pub headers: HeaderBlock,
    /// The readable text of the body (all text parts, HTML without tags).
    pub body: String,
    /// Invalid byte sequences replaced while decoding text.
    pub charset_errors: usize,
    /// Base64 bodies that did not decode cleanly (decoded as far as possible).
    pub encoding_errors: usize,
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

/// Maximum nesting of multipart bodies.
const MAX_DEPTH: usize = 8;

/// Splits raw bytes into lines without their `\n` / `\r\n`.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split(|&b| b == b'\n').map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

fn is_header_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_graphic() && b != b':')
}

/// Header names and unfolded values, in order.
type HeaderBlock = Vec<(String, String)>;

/// The header block and the body of an entity; `Err` when the block is
/// malformed. `top` allows a leading mbox `From ` line.
fn split_entity(bytes: &[u8], top: bool) -> Result<(HeaderBlock, &[u8]), MailError> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut offset = 0;
    for (number, line) in lines(bytes).enumerate() {
        let raw_length = bytes[offset..].iter().position(|&b| b == b'\n').map_or(bytes.len() - offset, |p| p + 1);
        offset += raw_length;
        if line.iter().all(u8::is_ascii_whitespace) {
            // The blank line ends the header block (a part may have none).
            return Ok((headers, &bytes[offset.min(bytes.len())..]));
        }
        if number == 0 && top && line.starts_with(b"From ") {
            continue;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            match headers.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(latin1(line).trim());
                }
                None if top => return Err(MailError::NoHeaders),
                None => return Ok((headers, bytes)),
            }
            continue;
        }
        match line.iter().position(|&b| b == b':') {
            Some(colon) if is_header_name(&line[..colon]) => {
                headers.push((latin1(&line[..colon]), latin1(&line[colon + 1..]).trim().to_string()));
            }
            _ if top && headers.is_empty() => return Err(MailError::NoHeaders),
            _ if top => return Err(MailError::BadHeader { line: number + 1 }),
            // A MIME part without headers: all of it is body.
            _ => return Ok((Vec::new(), bytes)),
        }
    }
    // Headers only, no body.
    Ok((headers, &[]))
}

/// The decoded text of one entity's body, appended to `message`.
fn decode_body(headers: &[(String, String)], body: &[u8], depth: usize, message: &mut Message) {
    let find = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let content_type = find("Content-Type").unwrap_or("text/plain");
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media.starts_with("multipart/") {
        if let Some(boundary) = parameter(content_type, "boundary").filter(|b| !b.is_empty())
            && depth < MAX_DEPTH
        {
            for part in split_multipart(body, &boundary) {
                if let Ok((part_headers, part_body)) = split_entity(part, false) {
                    decode_body(&part_headers, part_body, depth + 1, message);
                }
            }
            return;
        }
        // No usable boundary: read the body as text.
    } else if !(media.starts_with("text/") || media.is_empty()) {
        return;
    }
    let encoding = find("Content-Transfer-Encoding").unwrap_or("").trim().to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "base64" => decode_base64(body).unwrap_or_else(|partial| {
            message.encoding_errors += 1;
            partial
        }),
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.to_vec(),
    };
    let charset = parameter(content_type, "charset").unwrap_or_else(|| "us-ascii".into());
    let (text, errors) = decode_charset(&bytes, &charset);
    message.charset_errors += errors;
    let text = if media == "text/html" { html_to_text(&text) } else { text };
    if !message.body.is_empty() {
        message.body.push('\n');
    }
    message.body.push_str(&text);
}

/// The parts of a multipart body between `--boundary` lines (preamble and
/// epilogue dropped; a missing closing line is tolerated).
fn split_multipart<'a>(body: &'a [u8], boundary: &str) -> Vec<&'a [u8]> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive(|&b| b == b'\n') {
        let trimmed = line.trim_ascii_end();
        if trimmed.starts_with(delimiter.as_bytes()) {
            if let Some(s) = start {
                parts.push(&body[s..offset]);
            }
            let closing = trimmed[delimiter.len()..].starts_with(b"--");
            start = (!closing).then_some(offset + line.len());
            if closing {
                break;
            }
        }
        offset += line.len();
    }
    if let Some(s) = start {
        parts.push(&body[s.min(body.len())..]);
    }
    parts
}

/// Parses and decodes a raw message.
///
/// # Errors
/// [`MailError`] when there is no valid header block.
pub fn parse(bytes: &[u8]) -> Result<Message, MailError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(MailError::Empty);
    }
    let (headers, body) = split_entity(bytes, true)?;
    if headers.is_empty() {
        return Err(MailError::NoHeaders);
    }
    let mut message = Message::default();
    decode_body(&headers, body, 0, &mut message);
    message.headers = headers;
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_unfold_and_the_body_follows_the_blank_line() {
        let raw = b"From someone Thu Aug 22 2002\nSubject: hello\n  world\nFrom: a@b.c\n\nBody line\n";
        let message = parse(raw).unwrap();
        assert_eq!(message.header("subject"), Some("hello world"));
        assert_eq!(message.header("FROM"), Some("a@b.c"));
        assert_eq!(message.body, "Body line\n");
    }

    #[test]
    fn transfer_encodings_and_charsets_are_decoded() {
        assert_eq!(decode_base64(b"aGVs\nbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64(b"aGV*bG8=").unwrap_err(), b"he");
        assert_eq!(decode_quoted_printable(b"caf=E9 =\nbar =3D x=ZZ"), b"caf\xe9 bar = x=ZZ");
        assert_eq!(decode_charset(b"caf\xe9", "ISO-8859-1"), ("café".to_string(), 0));
        assert_eq!(decode_charset(b"\x93hi\x94", "windows-1252"), ("“hi”".to_string(), 0));
        assert_eq!(decode_charset(b"a\xff\xfeb", "utf-8"), ("a\u{fffd}\u{fffd}b".to_string(), 2));
        let raw =
            b"Subject: x\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: base64\n\nw6lj\xff\n";
        let message = parse(raw).unwrap();
        assert_eq!(message.encoding_errors, 1, "the stray byte ends the base64 body");
        assert!(message.body.starts_with("éc"), "{:?}", message.body);
    }

    #[test]
    fn multipart_keeps_text_parts_and_drops_attachments() {
        let raw = b"Subject: m\nContent-Type: multipart/mixed; boundary=\"XX\"\n\npreamble\n--XX\n\
Content-Type: text/plain\n\nplain words\n--XX\nContent-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n\
<p>html &amp; <b>bold</b></p><script>evil()</script>=\n!\n--XX\nContent-Type: image/png\n\nPNGDATA\n--XX--\nepilogue\n";
        let message = parse(raw).unwrap();
        assert!(message.body.contains("plain words"), "{}", message.body);
        assert!(message.body.contains("html &  bold"), "{}", message.body);
        for absent in ["preamble", "PNGDATA", "epilogue", "evil", "<p>"] {
            assert!(!message.body.contains(absent), "{absent} in {}", message.body);
        }
    }

    #[test]
    fn malformed_messages_are_errors_and_odd_ones_are_tolerated() {
        assert_eq!(parse(b""), Err(MailError::Empty));
        assert_eq!(parse(b" \n\n"), Err(MailError::Empty));
        assert_eq!(parse(b"just some text\nwithout headers\n"), Err(MailError::NoHeaders));
        assert_eq!(parse(b"Subject: a\nthis is not a header\n\nbody"), Err(MailError::BadHeader { line: 2 }));
        assert_eq!(parse(b"  continuation first\n\nbody"), Err(MailError::NoHeaders));
        // Tolerated: no body, no boundary, unterminated multipart, deep nesting, binary.
        assert_eq!(parse(b"Subject: only headers").unwrap().body, "");
        let no_boundary = parse(b"Content-Type: multipart/mixed\n\ntext anyway").unwrap();
        assert_eq!(no_boundary.body, "text anyway");
        let open = parse(b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nunclosed part").unwrap();
        assert_eq!(open.body, "unclosed part");
        let mut nested = String::from("Subject: deep\n");
        for level in 0..20 {
            nested.push_str(&format!("Content-Type: multipart/mixed; boundary=b{level}\n\n--b{level}\n"));
        }
        nested.push_str("Content-Type: text/plain\n\ninside\n");
        assert!(parse(nested.as_bytes()).is_ok());
        // 8-bit bytes in an ASCII body are read as Latin-1; in UTF-8 they are counted.
        let binary = parse(b"Subject: bin\n\n\x00\x01\xff\xfe").unwrap();
        assert_eq!((binary.body.chars().count(), binary.charset_errors), (4, 0));
        let utf8 = parse(b"Content-Type: text/plain; charset=utf-8\n\n\xff\xfe ok").unwrap();
        assert_eq!(utf8.charset_errors, 2);
    }

    #[test]
    fn html_loses_tags_comments_and_entities() {
        assert_eq!(html_to_text("<a href=x>Buy</a><!-- hidden -->&lt;now&gt;&#33;"), " Buy <now>!");
        assert_eq!(html_to_text("a & b &unknown; <style>p{}</style>c"), "a & b &unknown; c");
    }

    #[test]
    fn a_megabyte_of_bare_ampersands_is_kept_as_it_is() {
        // Each `&` once searched the rest of the message for a `;`: 37 s
        // for a megabyte. Now each looks 8 bytes ahead.
        let html = "&".repeat(1 << 20) + "&amp;";
        let text = html_to_text(&html);
        assert_eq!(text.len(), (1 << 20) + 1);
        assert!(text.bytes().all(|b| b == b'&'));
    }
}
