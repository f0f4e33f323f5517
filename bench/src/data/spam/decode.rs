//! What lies under a MIME part's bytes: charsets (UTF-8, Latin-1,
//! Windows-1252), header parameters, base64, quoted-printable, and HTML
//! reduced to its text.

/// Bytes as ISO-8859-1 (every byte is a character).
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Windows-1252: ISO-8859-1 with printable characters in 0x80–0x9F.
fn windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    bytes.iter().map(|&b| if (0x80..0xa0).contains(&b) { HIGH[usize::from(b - 0x80)] } else { char::from(b) }).collect()
}

/// UTF-8 with invalid sequences replaced by U+FFFD; returns the text and the
/// number of replacements.
fn utf8_lossy(bytes: &[u8]) -> (String, usize) {
    let mut text = String::with_capacity(bytes.len());
    let mut errors = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            text.push('\u{fffd}');
            errors += 1;
        }
    }
    (text, errors)
}

/// Text from bytes in `charset`; returns the text and the replacements made.
pub fn decode_charset(bytes: &[u8], charset: &str) -> (String, usize) {
    match charset.to_ascii_lowercase().as_str() {
        "iso-8859-1" | "latin1" | "iso-8859-15" | "us-ascii" | "ascii" => {
            // ASCII mail often carries 8-bit bytes anyway: read them as Latin-1.
            (latin1(bytes), 0)
        }
        "windows-1252" | "cp1252" => (windows_1252(bytes), 0),
        _ => utf8_lossy(bytes),
    }
}

/// A parameter (`charset`, `boundary`) of a header value such as
/// `text/plain; charset="us-ascii"`.
pub fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|part| {
        let (key, found) = part.split_once('=')?;
        key.trim().eq_ignore_ascii_case(name).then(|| found.trim().trim_matches('"').to_string())
    })
}

/// Decodes base64, skipping white space; `Err` carries what decoded before a
/// bad character.
pub fn decode_base64(bytes: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
    let value = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0);
    for &b in bytes {
        if b.is_ascii_whitespace() {
            continue;
        }
        if b == b'=' {
            break;
        }
        let Some(v) = value(b) else { return Err(out) };
        buffer = (buffer << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Ok(out)
}

/// Decodes quoted-printable: `=XX` escapes and `=` soft line breaks; a stray
/// `=` stays as it is.
pub fn decode_quoted_printable(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let rest = &bytes[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if rest.starts_with(b"\n") {
                i += 2;
                continue;
            }
            if let (Some(&a), Some(&b)) = (rest.first(), rest.get(1))
                && let (Some(high), Some(low)) = (hex(a), hex(b))
            {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The readable text of HTML: tags, comments, scripts and styles removed,
/// common entities decoded, block tags as line breaks.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &lower[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |end| end + 3);
        } else if rest.starts_with("<script") || rest.starts_with("<style") {
            let close = if rest.starts_with("<script") { "</script>" } else { "</style>" };
            i += rest.find(close).map_or(rest.len(), |end| end + close.len());
        } else if rest.starts_with('<') {
            i += rest.find('>').map_or(rest.len(), |end| end + 1);
            text.push(' ');
        } else if rest.starts_with('&') {
            // An entity is at most 8 bytes to its `;`: look no further, so
            // text full of bare `&` decodes in linear time.
            let window = &rest.as_bytes()[..rest.len().min(9)];
            let entity = window.iter().position(|&b| b == b';').map(|end| (&rest[1..end], end + 1));
            let decoded = entity.and_then(|(name, length)| {
                let c = match name {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    "nbsp" => ' ',
                    _ => name.strip_prefix('#').and_then(|n| n.parse::<u32>().ok()).and_then(char::from_u32)?,
                };
                Some((c, length))
            });
            let (c, length) = decoded.unwrap_or(('&', 1));
            text.push(c);
            i += length;
        } else {
            let next = rest.find(['<', '&']).unwrap_or(rest.len());
            // `lower` and `html` share char boundaries (ASCII lowercasing).
            text.push_str(&html[i..i + next]);
            i += next;
        }
    }
    text
}
