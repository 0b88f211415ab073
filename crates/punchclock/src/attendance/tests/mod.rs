//! Engine tests: the issue's cases, one test per rule, shift validation,
//! the integration helpers and properties.

mod integration;
mod issue_cases;
mod per_rule;
mod props;
mod shifts;
mod support;
