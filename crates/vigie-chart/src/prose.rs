//! Analysts' text: a small Markdown subset parsed into blocks that every renderer (HTML
//! here, the PDF elsewhere) writes in its own markup.
//!
//! **Invariant:** the text never carries markup through: raw HTML, images and headings
//! are read as plain text, links keep only `https:`, `http:` and `mailto:` targets, and
//! every renderer escapes what it writes. What an analyst types cannot inject a script
//! into a public page or a command into a typesetter.

use std::fmt::Write as _;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::escape;

/// A block of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A list of items; `ordered` lists are numbered.
    List {
        /// Numbered rather than bulleted.
        ordered: bool,
        /// Each item's text.
        items: Vec<Vec<Inline>>,
    },
}

/// A run of text inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Emphasised text.
    Emphasis(Vec<Inline>),
    /// Strong text.
    Strong(Vec<Inline>),
    /// Code, like a CVE identifier or a command.
    Code(String),
    /// A link to a safe target.
    Link {
        /// The target (`https:`, `http:` or `mailto:`).
        href: String,
        /// Its text.
        text: Vec<Inline>,
    },
    /// A line break.
    Break,
}

/// Whether a link target may be followed from a public document.
fn safe_target(href: &str) -> bool {
    let lower = href.trim_start().to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// Containers open while reading inline runs.
enum Open {
    Emphasis,
    Strong,
    Link(Option<String>),
}

/// Parses analysts' Markdown into blocks.
pub fn parse(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    // Runs of the current paragraph or item, and the inline containers open in it.
    let mut stack: Vec<(Open, Vec<Inline>)> = Vec::new();
    let mut runs: Vec<Inline> = Vec::new();
    // The list being read (only the outermost counts; nested items join it).
    let mut list: Option<(bool, Vec<Vec<Inline>>)> = None;
    let mut depth = 0usize;

    let push =
        |stack: &mut Vec<(Open, Vec<Inline>)>, runs: &mut Vec<Inline>, inline: Inline| match stack
            .last_mut()
        {
            Some((_, inner)) => inner.push(inline),
            None => runs.push(inline),
        };
    let text = |stack: &mut Vec<(Open, Vec<Inline>)>, runs: &mut Vec<Inline>, t: &str| {
        let target = match stack.last_mut() {
            Some((_, inner)) => inner,
            None => runs,
        };
        match target.last_mut() {
            Some(Inline::Text(previous)) => previous.push_str(t),
            _ => target.push(Inline::Text(t.to_owned())),
        }
    };
    // Closes every open container into the runs (unbalanced input).
    let flush = |stack: &mut Vec<(Open, Vec<Inline>)>, runs: &mut Vec<Inline>| {
        while let Some((open, inner)) = stack.pop() {
            let inline = close(open, inner);
            match stack.last_mut() {
                Some((_, outer)) => outer.extend(inline),
                None => runs.extend(inline),
            }
        }
    };

    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(Tag::List(start)) => {
                depth += 1;
                if depth == 1 {
                    flush(&mut stack, &mut runs);
                    if !runs.is_empty() {
                        blocks.push(Block::Paragraph(std::mem::take(&mut runs)));
                    }
                    list = Some((start.is_some(), Vec::new()));
                }
            }
            Event::End(TagEnd::List(_)) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    flush(&mut stack, &mut runs);
                    if let Some((ordered, mut items)) = list.take() {
                        if !runs.is_empty() {
                            items.push(std::mem::take(&mut runs));
                        }
                        blocks.push(Block::List { ordered, items });
                    }
                }
            }
            Event::Start(Tag::Item) => {
                flush(&mut stack, &mut runs);
                if depth > 1 && !runs.is_empty() {
                    // A nested item continues its parent's line.
                    runs.push(Inline::Break);
                } else if let Some((_, items)) = list.as_mut()
                    && !runs.is_empty()
                {
                    items.push(std::mem::take(&mut runs));
                }
            }
            Event::End(TagEnd::Item) => {
                flush(&mut stack, &mut runs);
                if depth == 1
                    && let Some((_, items)) = list.as_mut()
                {
                    items.push(std::mem::take(&mut runs));
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::BlockQuote(_))
            | Event::End(TagEnd::CodeBlock) => {
                flush(&mut stack, &mut runs);
                if list.is_none() && !runs.is_empty() {
                    blocks.push(Block::Paragraph(std::mem::take(&mut runs)));
                } else if list.is_some() && !runs.is_empty() {
                    runs.push(Inline::Break);
                }
            }
            Event::Start(Tag::Emphasis) => stack.push((Open::Emphasis, Vec::new())),
            Event::Start(Tag::Strong) => stack.push((Open::Strong, Vec::new())),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let href = safe_target(&dest_url).then(|| dest_url.trim().to_owned());
                stack.push((Open::Link(href), Vec::new()));
            }
            Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Link) => {
                if let Some((open, inner)) = stack.pop() {
                    for inline in close(open, inner) {
                        push(&mut stack, &mut runs, inline);
                    }
                }
            }
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text(&mut stack, &mut runs, &t);
            }
            Event::Code(c) => push(&mut stack, &mut runs, Inline::Code(c.into_string())),
            Event::SoftBreak => text(&mut stack, &mut runs, " "),
            Event::HardBreak => push(&mut stack, &mut runs, Inline::Break),
            _ => {}
        }
    }
    flush(&mut stack, &mut runs);
    if let Some((ordered, mut items)) = list.take() {
        if !runs.is_empty() {
            items.push(std::mem::take(&mut runs));
        }
        blocks.push(Block::List { ordered, items });
    } else if !runs.is_empty() {
        blocks.push(Block::Paragraph(runs));
    }
    // Trailing breaks carry nothing.
    for block in &mut blocks {
        match block {
            Block::Paragraph(runs) => trim_breaks(runs),
            Block::List { items, .. } => items.iter_mut().for_each(trim_breaks),
        }
    }
    blocks
}

/// Removes the line breaks that end a run list.
fn trim_breaks(runs: &mut Vec<Inline>) {
    while matches!(runs.last(), Some(Inline::Break)) {
        runs.pop();
    }
}

/// Turns a closed container into inline runs (an unsafe link keeps its text only).
fn close(open: Open, inner: Vec<Inline>) -> Vec<Inline> {
    match open {
        Open::Emphasis => vec![Inline::Emphasis(inner)],
        Open::Strong => vec![Inline::Strong(inner)],
        Open::Link(Some(href)) => vec![Inline::Link { href, text: inner }],
        Open::Link(None) => inner,
    }
}

/// The blocks as HTML, every text escaped.
pub fn html(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Paragraph(runs) => {
                out.push_str("<p>");
                inline_html(&mut out, runs);
                out.push_str("</p>\n");
            }
            Block::List { ordered, items } => {
                let tag = if *ordered { "ol" } else { "ul" };
                let _ = writeln!(out, "<{tag}>");
                for item in items {
                    out.push_str("<li>");
                    inline_html(&mut out, item);
                    out.push_str("</li>\n");
                }
                let _ = writeln!(out, "</{tag}>");
            }
        }
    }
    out
}

fn inline_html(out: &mut String, runs: &[Inline]) {
    for run in runs {
        match run {
            Inline::Text(t) => out.push_str(&escape(t)),
            Inline::Emphasis(inner) => {
                out.push_str("<em>");
                inline_html(out, inner);
                out.push_str("</em>");
            }
            Inline::Strong(inner) => {
                out.push_str("<strong>");
                inline_html(out, inner);
                out.push_str("</strong>");
            }
            Inline::Code(c) => {
                let _ = write!(out, "<code>{}</code>", escape(c));
            }
            Inline::Link { href, text } => {
                let _ = write!(out, "<a href=\"{}\">", escape(href));
                inline_html(out, text);
                out.push_str("</a>");
            }
            Inline::Break => out.push_str("<br>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn paragraphs_lists_and_emphasis_are_read() {
        let blocks = parse(
            "Une *hausse* nette,\nsurtout **en été**.\n\n- les `VPN`\n- les [guides](https://cyberveille.esante.gouv.fr)\n\n1. un\n2. deux",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![
                    t("Une "),
                    Inline::Emphasis(vec![t("hausse")]),
                    t(" nette, surtout "),
                    Inline::Strong(vec![t("en été")]),
                    t("."),
                ]),
                Block::List {
                    ordered: false,
                    items: vec![
                        vec![t("les "), Inline::Code("VPN".into())],
                        vec![
                            t("les "),
                            Inline::Link {
                                href: "https://cyberveille.esante.gouv.fr".into(),
                                text: vec![t("guides")],
                            },
                        ],
                    ],
                },
                Block::List {
                    ordered: true,
                    items: vec![vec![t("un")], vec![t("deux")]],
                },
            ]
        );
    }

    #[test]
    fn markup_and_unsafe_links_never_pass_through() {
        let page = html(&parse(
            "<script>alert(1)</script>\n\n[clic](javascript:alert(1)) et ![x](https://e.fr/i.png) # titre",
        ));
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;script&gt;"), "{page}");
        assert!(!page.contains("javascript:"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("clic"), "{page}");
    }

    #[test]
    fn headings_and_quotes_become_paragraphs() {
        let blocks = parse("# Titre\n\n> citée\n\ntexte");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![t("Titre")]),
                Block::Paragraph(vec![t("citée")]),
                Block::Paragraph(vec![t("texte")]),
            ]
        );
    }

    #[test]
    fn empty_text_gives_no_block() {
        assert!(parse("").is_empty());
        assert!(parse("  \n\n ").is_empty());
    }
}
