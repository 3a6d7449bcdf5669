//! The shape shared by every message, written once as plain text and once as HTML.

use std::fmt::Write as _;

use lettre::message::Mailbox;

use crate::mail::Mail;

/// A message before rendering: greeting, paragraphs, a list of facts, a link, closing.
pub(crate) struct Letter<'a> {
    pub subject: String,
    /// Paragraphs before the facts.
    pub before: Vec<String>,
    /// Label and value, shown as a list.
    pub facts: Vec<(&'static str, String)>,
    /// The sentence that leads to the link, without its colon.
    pub link_sentence: &'static str,
    /// The link's text in HTML.
    pub link_label: String,
    pub url: &'a str,
    /// Paragraphs after the link.
    pub after: Vec<String>,
    pub signature: &'a str,
}

impl Letter<'_> {
    pub fn into_mail(self, to: &[Mailbox]) -> Mail {
        Mail {
            to: to.to_vec(),
            text: self.text(),
            html: self.html(),
            subject: self.subject,
        }
    }

    fn text(&self) -> String {
        let mut out = String::from("Bonjour,\n\n");
        for paragraph in &self.before {
            let _ = write!(out, "{paragraph}\n\n");
        }
        for (label, value) in &self.facts {
            let _ = writeln!(out, "{label} : {value}");
        }
        let _ = write!(out, "\n{} :\n{}\n\n", self.link_sentence, self.url);
        for paragraph in &self.after {
            let _ = write!(out, "{paragraph}\n\n");
        }
        let _ = writeln!(out, "Cordialement,\n{}", one_line(self.signature));
        out
    }

    fn html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n</head>\n<body>\n<p>Bonjour,</p>\n",
            escape(&self.subject)
        );
        for paragraph in &self.before {
            let _ = writeln!(out, "<p>{}</p>", french_spaces(&escape(paragraph)));
        }
        out.push_str("<ul>\n");
        for (label, value) in &self.facts {
            let _ = writeln!(
                out,
                "<li>{}&nbsp;: <strong>{}</strong></li>",
                escape(label),
                escape(value)
            );
        }
        out.push_str("</ul>\n");
        let url = escape(self.url);
        let _ = write!(
            out,
            "<p>{}&nbsp;: <a href=\"{url}\">{}</a>.</p>\n\
             <p>Si le lien ne s'ouvre pas, copiez cette adresse dans votre navigateur&nbsp;: {url}</p>\n",
            escape(self.link_sentence),
            escape(&self.link_label),
        );
        for paragraph in &self.after {
            let _ = writeln!(out, "<p>{}</p>", french_spaces(&escape(paragraph)));
        }
        let _ = write!(
            out,
            "<p>Cordialement,<br>\n{}</p>\n</body>\n</html>\n",
            escape(&one_line(self.signature))
        );
        out
    }
}

/// The text on one line: control characters and runs of white space become one space.
pub(crate) fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) use vigie_model::text::escape_html as escape;

/// Escaped text with the space before `:` and `;` made non-breaking, as French typography asks.
fn french_spaces(escaped: &str) -> String {
    escaped.replace(" :", "&nbsp;:").replace(" ;", "&nbsp;;")
}
