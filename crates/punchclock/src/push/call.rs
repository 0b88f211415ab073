//! A push request as the HTTP adapter hands it over, and the answer it
//! turns back into HTTP (always with a `Date` header: the device sets its
//! clock from it).

use std::net::IpAddr;

/// One request from a device.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: &'a str,
    /// Where the request came from (the TCP peer).
    pub source: IpAddr,
    /// The 3.x session token from `Cookie: token=…`.
    pub token: Option<&'a str>,
    pub body: &'a [u8],
}

/// The answer: a status and a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            body: body.into(),
        }
    }

    /// A refusal the device treats as a failure: it keeps its records and
    /// sends them again after `ErrorDelay`.
    pub fn refuse(status: u16, text: impl Into<String>) -> Reply {
        Reply {
            status,
            body: text.into().into_bytes(),
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The `token` value of a `Cookie` header, if any.
pub fn cookie_token(cookie: &str) -> Option<&str> {
    cookie
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("token"))
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn token_from_cookie() {
        assert_eq!(super::cookie_token("token=abc"), Some("abc"));
        assert_eq!(super::cookie_token("a=1; Token=xyz ;b=2"), Some("xyz"));
        assert_eq!(super::cookie_token("a=1"), None);
        assert_eq!(super::cookie_token("token="), None);
    }
}
