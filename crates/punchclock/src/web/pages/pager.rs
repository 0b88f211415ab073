//! Previous/next links under a paged list.

use maud::{html, Markup};

use super::fmt;

/// Previous/next links with "41–60 of 123".
pub fn pager(
    page: u64,
    total: u64,
    size: u64,
    link: impl Fn(u64) -> String,
    (prev, next): (&str, &str),
) -> Markup {
    let first = (page - 1) * size + 1;
    let last = (page * size).min(total);
    let pages = total.div_ceil(size).max(1);
    html! {
        @if pages > 1 || page > 1 {
            nav.pager aria-label="Pages" data-testid="pager" {
                @if page > 1 {
                    a.btn.btn-quiet href=(link(page - 1)) rel="prev" data-testid="prev-page" { "← " (prev) }
                } @else { span {} }
                span.muted.small {
                    @if total == 0 { "Nothing here" } @else {
                        (fmt::thousands(first.min(total))) "–" (fmt::thousands(last)) " of " (fmt::thousands(total))
                    }
                }
                @if page < pages {
                    a.btn.btn-quiet href=(link(page + 1)) rel="next" data-testid="next-page" { (next) " →" }
                } @else { span {} }
            }
        }
    }
}

/// A 1-based page number from the query; anything else is the first page.
pub fn page_number(raw: Option<&str>) -> u64 {
    raw.and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}
