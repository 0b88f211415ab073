//! Engine tests: the issue's cases, one test per rule, shift validation
//! and properties.

mod issue_cases;
mod support;
