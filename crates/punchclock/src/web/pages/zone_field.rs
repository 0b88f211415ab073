//! The time zone field: a text input with type-to-search over the zones
//! people pick (`datalist`, no script), listed region by region.

use maud::{html, Markup};

use super::layout::field_error;
use crate::domain::zone;
use crate::service::FieldErrors;

/// A time zone field named `name`.
pub struct ZoneField<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    /// What an empty field means (a device without a zone uses the
    /// company's); `None` when a zone is required.
    pub blank: Option<&'a str>,
    pub hint: &'a str,
    /// Start at the browser's zone (sign-up), unless one was chosen.
    pub guess: bool,
}

impl ZoneField<'_> {
    pub fn render(&self, errors: &FieldErrors) -> Markup {
        let error = errors.get(self.name);
        let id = format!("f-{}", self.name);
        let (hint_id, err_id, list_id) = (
            format!("{id}-hint"),
            format!("{id}-error"),
            format!("zones-{}", self.name),
        );
        let described = match error {
            Some(_) => format!("{hint_id} {err_id}"),
            None => hint_id.clone(),
        };
        let chosen = self.guess && !self.value.is_empty() && self.value != "UTC";
        html! {
            div.field.has-error[error.is_some()] {
                label for=(id) { (self.label) }
                input id=(id) name=(self.name) type="text" value=(self.value) list=(list_id)
                    autocomplete="off" spellcheck="false" placeholder=[self.blank]
                    required[self.blank.is_none()] data-guess-tz[self.guess] data-chosen[chosen]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=(described);
                (zone_list(&list_id))
                span.hint id=(hint_id) {
                    (self.hint) " Type a city, country or region to search, e.g. Berlin or India."
                    @if let Some(b) = self.blank { " Leave empty for: " (b) "." }
                }
                (field_error(&err_id, self.name, error))
            }
        }
    }
}

/// The zones, region by region, each labelled with its country.
fn zone_list(id: &str) -> Markup {
    html! {
        datalist id=(id) data-testid="zone-list" {
            @for z in zone::pickable() {
                @if z.country.is_empty() {
                    option value=(z.name) {}
                } @else {
                    option value=(z.name) label=(format!("{} · {}", z.country, z.region())) {}
                }
            }
        }
    }
}
