//! Times on pages. A time in the company zone carries no label: the page
//! footer names that zone. A time in any other zone (a device's own clock)
//! is labelled with its zone. Both carry `data-time` and `data-zone`, so
//! the browser tests can check that no other-zone time goes unlabelled.

use maud::{html, Markup, Render};

/// `text`, a time in the company zone `zone`.
pub fn company(text: impl Render, zone: &str) -> Markup {
    html! { span.nowrap data-time data-zone=(zone) { (text) } }
}

/// `text`, a time in `zone`, labelled unless that is the company zone.
pub fn zoned(text: impl Render, zone: &str, company_zone: &str) -> Markup {
    html! {
        span.nowrap data-time data-zone=(zone) {
            (text)
            @if zone != company_zone { " " span.zone-label data-testid="zone-label" { (zone) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_other_zones_are_labelled() {
        let same = zoned("09:00", "Europe/Berlin", "Europe/Berlin").into_string();
        assert!(!same.contains("zone-label"), "{same}");
        let other = zoned("16:00", "Asia/Tokyo", "Europe/Berlin").into_string();
        assert!(other.contains(r#"data-zone="Asia/Tokyo""#), "{other}");
        assert!(
            other
                .contains(r#"<span class="zone-label" data-testid="zone-label">Asia/Tokyo</span>"#),
            "{other}"
        );
        assert!(company("09:00", "UTC")
            .into_string()
            .contains(r#"data-zone="UTC""#));
    }
}
