//! Explained e-mails as HTML: every word the model knows coloured by its
//! signed contribution `θ_w x_w` (red towards spam, blue towards ham,
//! stronger for larger magnitude), gold words underlined, the header block
//! shown apart from the body.

use crate::data::spam::corpus::Mail;
use crate::protocols::caipi_text::data::{Headers, TextData};
use crate::protocols::caipi_text::logistic::sigmoid;
use crate::protocols::caipi_text::tfidf::{HEADER_PREFIX, words_and_gaps};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The background of a contribution relative to the largest in the message.
fn colour(relative: f32) -> String {
    let alpha = relative.abs().clamp(0.0, 1.0) * 0.8;
    if relative >= 0.0 { format!("rgba(214,39,40,{alpha:.2})") } else { format!("rgba(31,119,180,{alpha:.2})") }
}

/// `text` with its known words wrapped in coloured spans; `prefix` selects
/// header (`h:`) or body vocabulary.
fn mark_up(text: &str, prefix: &str, contributions: &HashMap<String, (f32, bool)>, peak: f32) -> String {
    let mut html = String::with_capacity(text.len() * 2);
    for (piece, is_word) in words_and_gaps(text) {
        match contributions.get(&format!("{prefix}{}", piece.to_lowercase())).filter(|_| is_word) {
            Some(&(value, gold)) => {
                let underline = if gold { "text-decoration:underline;" } else { "" };
                let _ = write!(
                    html,
                    "<span style=\"background:{};{underline}\" title=\"{value:+.4}\">{}</span>",
                    colour(value / peak),
                    escape(piece)
                );
            }
            None => html.push_str(&escape(piece)),
        }
    }
    html
}

/// One message explained by the model `theta`, as an HTML `<section>`.
pub fn explained_mail(data: &TextData, theta: &[f32], index: usize, mail: &Mail, headers: Headers) -> String {
    let row = data.vocabulary.row(&data.bags[index]);
    let words = data.vocabulary.len();
    let contributions: HashMap<String, (f32, bool)> = row
        .indices
        .iter()
        .zip(&row.values)
        .filter(|(i, _)| (**i as usize) < words)
        .map(|(&i, &v)| (data.vocabulary.word(i).to_string(), (theta[i as usize] * v, data.gold[i as usize])))
        .collect();
    let peak = contributions.values().fold(f32::MIN_POSITIVE, |m, (v, _)| m.max(v.abs()));
    let probability = sigmoid(row.dot(theta));
    let truth = if data.labels[index] == 1 { "spam" } else { "ham" };
    let mut html =
        format!("<section><h2>{}</h2><p>P(spam) = {probability:.3}; truly {truth}</p>", escape(&data.names[index]));
    if headers == Headers::Keep {
        let header_text = mail.message.header_text();
        let _ =
            write!(html, "<pre class=\"headers\">{}</pre>", mark_up(&header_text, HEADER_PREFIX, &contributions, peak));
    }
    let body: String = mail.message.body.chars().take(4000).collect();
    let _ = write!(html, "<pre class=\"body\">{}</pre></section>", mark_up(&body, "", &contributions, peak));
    html
}

/// A whole page of explained messages.
pub fn page(title: &str, sections: &[String]) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title><style>\
         body{{font-family:sans-serif;max-width:60em;margin:auto}} pre{{white-space:pre-wrap;border:1px solid #ccc;\
         padding:.5em}} pre.headers{{background:#f6f6f6;font-size:80%}}</style></head><body><h1>{title}</h1>\
         <p>Red words push towards spam, blue towards ham (hover for the contribution); underlined words are gold. \
         Header words are scored apart from body words.</p>\n{}\n</body></html>\n",
        sections.join("\n"),
        title = escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_words_are_coloured_and_text_is_escaped() {
        let contributions: HashMap<String, (f32, bool)> =
            [("cheap".to_string(), (2.0, true)), ("h:list".to_string(), (-1.0, false))].into_iter().collect();
        let html = mark_up("Cheap <pills> list", "", &contributions, 2.0);
        assert!(
            html.starts_with("<span style=\"background:rgba(214,39,40,0.80);text-decoration:underline;\""),
            "{html}"
        );
        assert!(html.contains("&lt;pills&gt; list"), "body words are not header words: {html}");
        let header = mark_up("List: x", HEADER_PREFIX, &contributions, 2.0);
        assert!(header.contains("rgba(31,119,180,0.40)"), "{header}");
    }
}
