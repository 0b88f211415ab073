//! Email addresses: for logins and for employees.

use std::fmt;

/// `name@example.com`: one `@`, a dotted domain, no spaces, at most 254
/// characters. Kept as typed; the store lowercases login emails.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Missing,
    #[error("Enter an email address like name@example.com.")]
    Invalid,
}

impl Email {
    pub fn parse(value: &str) -> Result<Email, EmailError> {
        let v = value.trim();
        if v.is_empty() {
            return Err(EmailError::Missing);
        }
        if v.len() > 254 || v.chars().any(char::is_whitespace) {
            return Err(EmailError::Invalid);
        }
        match v.split_once('@') {
            Some((local, domain))
                if !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.') =>
            {
                Ok(Email(v.to_owned()))
            }
            _ => Err(EmailError::Invalid),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            Email::parse(" ana@example.com ").unwrap().as_str(),
            "ana@example.com"
        );
        assert_eq!(
            Email::parse("Ana.Diaz+work@Mail.Example.com")
                .unwrap()
                .as_str(),
            "Ana.Diaz+work@Mail.Example.com",
            "kept as typed"
        );
        for bad in [
            "ana",
            "ana@",
            "@x.com",
            "a b@x.com",
            "a@x",
            "a@@x.com",
            "a@.x",
            "a@x.",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad}");
        }
        assert_eq!(Email::parse(" "), Err(EmailError::Missing));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::Invalid));
        assert!(EmailError::Invalid.to_string().contains("name@example.com"));
    }
}
