//! A small W3C WebDriver client driving Debian's Chromium through ChromeDriver, both
//! started by the test on loopback.

use std::{path::Path, process::Stdio, time::Duration};

use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// The key under which WebDriver names an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// What went wrong talking to the browser.
#[derive(Debug)]
pub struct WebDriverError(pub String);

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WebDriverError {}

type Result<T> = std::result::Result<T, WebDriverError>;

/// A headless Chromium session.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    _driver: Child,
    _profile: std::path::PathBuf,
}

/// An element of the page.
#[derive(Debug, Clone)]
pub struct Element(String);

fn free_port() -> Result<u16> {
    let socket =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| WebDriverError(e.to_string()))?;
    Ok(socket
        .local_addr()
        .map_err(|e| WebDriverError(e.to_string()))?
        .port())
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium; `None` when they are not installed.
    pub async fn start() -> Option<Result<Browser>> {
        let (driver, chromium) = ("/usr/bin/chromedriver", "/usr/bin/chromium");
        if !Path::new(driver).exists() || !Path::new(chromium).exists() {
            return None;
        }
        Some(Browser::launch(driver, chromium).await)
    }

    async fn launch(driver: &str, chromium: &str) -> Result<Browser> {
        let port = free_port()?;
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| WebDriverError(format!("starting {driver}: {e}")))?;
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("vigie-chromium-{port}"));
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1280,1000".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": chromium, "args": args }
            }}
        });
        let answer: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .map_err(|e| WebDriverError(e.to_string()))?
            .json()
            .await
            .map_err(|e| WebDriverError(e.to_string()))?;
        let session = answer["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| WebDriverError(format!("no session: {answer}")))?;
        Ok(Browser {
            http,
            session: format!("{base}/session/{session}"),
            _driver: child,
            _profile: profile,
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request
            .send()
            .await
            .map_err(|e| WebDriverError(e.to_string()))?
            .json()
            .await
            .map_err(|e| WebDriverError(e.to_string()))?;
        if let Some(error) = answer["value"]["error"].as_str() {
            return Err(WebDriverError(format!(
                "{path}: {error}: {}",
                answer["value"]["message"]
            )));
        }
        Ok(answer["value"].clone())
    }

    /// Opens a URL.
    pub async fn goto(&self, url: &str) -> Result<()> {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await
            .map(drop)
    }

    /// The current URL.
    pub async fn url(&self) -> Result<String> {
        let v = self.call(reqwest::Method::GET, "/url", None).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Waits (up to 10 s) until the URL ends with `suffix`; returns the URL.
    pub async fn wait_url(&self, suffix: &str) -> Result<String> {
        let mut url = String::new();
        for _ in 0..200 {
            url = self.url().await?;
            if url.ends_with(suffix) && self.ready().await? {
                return Ok(url);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(WebDriverError(format!(
            "still at {url}, expected …{suffix}"
        )))
    }

    /// Waits (up to 10 s) until the page holds `text`; returns the page's HTML.
    pub async fn wait_text(&self, text: &str) -> Result<String> {
        for _ in 0..200 {
            let source = self.source().await?;
            if source.contains(text) && self.ready().await? {
                return Ok(source);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(WebDriverError(format!("the page never showed {text:?}")))
    }

    async fn ready(&self) -> Result<bool> {
        Ok(self.script("return document.readyState", false).await? == "complete")
    }

    /// The page's HTML.
    pub async fn source(&self) -> Result<String> {
        let v = self.call(reqwest::Method::GET, "/source", None).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// The first element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Result<Element> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await?;
        v[ELEMENT]
            .as_str()
            .map(|id| Element(id.to_owned()))
            .ok_or_else(|| WebDriverError(format!("no element {css}")))
    }

    /// Types text into an element.
    pub async fn type_in(&self, css: &str, text: &str) -> Result<()> {
        let Element(id) = self.find(css).await?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await
        .map(drop)
    }

    /// Clicks an element.
    pub async fn click(&self, css: &str) -> Result<()> {
        let Element(id) = self.find(css).await?;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await
        .map(drop)
    }

    /// Presses keys on the focused element (WebDriver key codes, like `\u{E004}` for Tab).
    pub async fn keys(&self, keys: &str) -> Result<()> {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                [
                    json!({"type": "keyDown", "value": c.to_string()}),
                    json!({"type": "keyUp", "value": c.to_string()}),
                ]
            })
            .collect();
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.call(reqwest::Method::POST, "/actions", Some(body))
            .await
            .map(drop)
    }

    /// Runs a script in the page and returns its value (`arguments[0]` is a callback for async scripts).
    pub async fn script(&self, script: &str, asynchronous: bool) -> Result<Value> {
        let path = if asynchronous {
            "/execute/async"
        } else {
            "/execute/sync"
        };
        self.call(
            reqwest::Method::POST,
            path,
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Saves a PNG screenshot of the page.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        let png = decode_base64(v.as_str().unwrap_or_default())
            .ok_or_else(|| WebDriverError("bad screenshot".into()))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| WebDriverError(e.to_string()))?;
        }
        std::fs::write(path, png).map_err(|e| WebDriverError(e.to_string()))
    }

    /// Ends the session.
    pub async fn quit(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}

/// Decodes standard base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace() && *b != b'=')
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let v: Vec<u8> = chunk.iter().map(|c| value(*c)).collect::<Option<_>>()?;
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (18 - 6 * i)));
        out.extend(n.to_be_bytes()[1..].iter().take(v.len().saturating_sub(1)));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes() {
        assert_eq!(decode_base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64("YWJj").unwrap(), b"abc");
    }
}
