//! The device's HTTP calls: plain HTTP, one shared connection pool for
//! every simulated device, a timeout on every request.

use std::time::Duration;

/// What came back: status, `Date` header, body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) date: Option<String>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// Success as the device judges it: 200 and a body starting with `OK`
    /// (adms-push.md §3.1).
    pub(crate) fn acknowledged(&self) -> bool {
        self.status == 200 && self.body.starts_with(b"OK")
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    base: String,
}

impl Http {
    pub(crate) fn new(base: &str, timeout: Duration) -> Result<Http, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent("iClock Proxy/1.09")
            .pool_max_idle_per_host(4096)
            .build()?;
        Ok(Http {
            client,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    fn url(&self, endpoint: &str, query: &[(&str, &str)]) -> String {
        let q = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        format!("{}/iclock/{endpoint}?{q}", self.base)
    }

    pub(crate) async fn get(&self, endpoint: &str, query: &[(&str, &str)]) -> Option<Answer> {
        let req = self.client.get(self.url(endpoint, query));
        send(req).await
    }

    pub(crate) async fn post(
        &self,
        endpoint: &str,
        query: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Option<Answer> {
        let req = self
            .client
            .post(self.url(endpoint, query))
            .header("Content-Type", "text/plain")
            .body(body);
        send(req).await
    }
}

/// `None` on any transport failure or timeout: the device cannot tell a
/// dropped reply from a dead server, and retries either way.
async fn send(req: reqwest::RequestBuilder) -> Option<Answer> {
    let resp = req.send().await.ok()?;
    let status = resp.status().as_u16();
    let date = resp
        .headers()
        .get("date")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = resp.bytes().await.ok()?.to_vec();
    Some(Answer { status, date, body })
}
