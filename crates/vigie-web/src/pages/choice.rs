//! Choices of a select or a group of boxes, from a vocabulary of codes.

use vigie_model::Code;

/// A choice in a select or a group of boxes.
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Label shown.
    pub label: String,
    /// Currently chosen.
    pub selected: bool,
}

/// Every value of a vocabulary as a choice, those in `chosen` selected.
pub(crate) fn choices<T: Code>(chosen: &[&str]) -> Vec<Choice> {
    T::ALL
        .iter()
        .map(|v| Choice {
            value: v.code().to_owned(),
            label: v.label().to_owned(),
            selected: chosen.contains(&v.code()),
        })
        .collect()
}

/// The choices with "any" first, selected when no other is.
pub(crate) fn pick(options: Vec<Choice>, none_label: &str) -> Vec<Choice> {
    let any = !options.iter().any(|c| c.selected);
    std::iter::once(Choice {
        value: String::new(),
        label: none_label.to_owned(),
        selected: any,
    })
    .chain(options)
    .collect()
}
