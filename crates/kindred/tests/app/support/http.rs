//! Two kinds of client: a [`Browser`] that keeps cookies and sends forms with the page's CSRF
//! token, and an [`Api`] client with a bearer token.

use std::collections::BTreeMap;

use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};
use reqwest::{Method, RequestBuilder};
use serde_json::Value;

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    async fn from(response: reqwest::Response) -> Reply {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Reply { status, headers, body }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` line.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
}

/// A person's browser: cookies persist; forms carry the CSRF token of the last page seen.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
    csrf: Option<String>,
}

impl Browser {
    pub fn new(http: reqwest::Client, base: String) -> Browser {
        Browser { http, base, cookies: BTreeMap::new(), csrf: None }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let request = self.http.request(method, format!("{}{path}", self.base));
        if cookie.is_empty() { request } else { request.header(COOKIE, cookie.join("; ")) }
    }

    async fn send(&mut self, request: RequestBuilder) -> Reply {
        let reply = Reply::from(request.send().await.expect("the server answers")).await;
        for line in reply.set_cookies() {
            let pair = line.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if line.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        if let Some(token) = hidden_csrf(&reply.body) {
            self.csrf = Some(token);
        }
        reply
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self.request(Method::GET, path);
        self.send(request).await
    }

    /// A GET as htmx sends it, targeting an element.
    pub async fn htmx_get(&mut self, path: &str, target: &str) -> Reply {
        let request = self
            .request(Method::GET, path)
            .header("HX-Request", "true")
            .header("HX-Target", target);
        self.send(request).await
    }

    /// Posts a form with the CSRF token of the last page, as the browser would.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no token added): what a forged cross-site form would send.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = self
            .request(Method::POST, path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    /// Posts a `multipart/form-data` form (a file input's form) with the CSRF token of the
    /// last page: `files` are (field, file name, contents).
    pub async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let token = self.csrf.clone().unwrap_or_default();
        let boundary = "kindred-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in std::iter::once(&("_csrf", token.as_str())).chain(fields) {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file, contents) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(contents);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let request = self
            .request(Method::POST, path)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        self.send(request).await
    }

    /// Signs in through the login page.
    pub async fn sign_in(&mut self, org: &str, email: &str, password: &str) -> Reply {
        self.get("/login").await;
        self.submit(
            "/login",
            &[("organisation", org), ("email", email), ("password", password), ("next", "/")],
        )
        .await
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }
}

fn hidden_csrf(body: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An API client.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    pub fn new(http: reqwest::Client, base: String, token: Option<String>) -> Api {
        Api { http, base, token }
    }

    pub fn with_token(&self, token: &str) -> Api {
        Api::new(self.http.clone(), self.base.clone(), Some(token.to_owned()))
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        Reply::from(self.request(Method::GET, path).send().await.expect("the server answers")).await
    }

    /// The status and the body's bytes (a Parquet file is not text).
    pub async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let response = self.request(Method::GET, path).send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("a body").to_vec())
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Reply::from(
            self.request(Method::POST, path).json(&body).send().await.expect("the server answers"),
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: Value, if_match: Option<&str>) -> Reply {
        let mut request = self.request(Method::PATCH, path).json(&body);
        if let Some(version) = if_match {
            request = request.header("if-match", version);
        }
        Reply::from(request.send().await.expect("the server answers")).await
    }

    /// Sends a raw body with a content type (for malformed-request tests).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> Reply {
        let request =
            self.request(method, path).header("content-type", content_type).body(body.to_owned());
        Reply::from(request.send().await.expect("the server answers")).await
    }
}
