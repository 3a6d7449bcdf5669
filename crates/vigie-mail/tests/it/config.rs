//! `SmtpConfig::from_url`: what each URL gives, and how a wrong one is explained.

use std::time::Duration;

use secrecy::ExposeSecret;
use vigie_mail::{ConfigError, Mailer, Security, SmtpConfig};

use crate::mailbox;

fn parse(url: &str) -> Result<SmtpConfig, ConfigError> {
    SmtpConfig::from_url(url, mailbox("Vigie <ne-pas-repondre@vigie.example.org>"))
}

// A `Mailer` starts its pool's housekeeping task, so it needs a Tokio runtime.
#[tokio::test]
async fn urls_give_host_port_security_and_credentials() {
    /// URL, then the host, port, security and credentials it gives.
    type Case = (
        &'static str,
        &'static str,
        u16,
        Security,
        Option<(&'static str, &'static str)>,
    );
    let cases: &[Case] = &[
        (
            "smtp://127.0.0.1:2525",
            "127.0.0.1",
            2525,
            Security::None,
            None,
        ),
        ("smtp://localhost", "localhost", 25, Security::None, None),
        ("smtp://[::1]:1025/", "::1", 1025, Security::None, None),
        (
            "smtp+starttls://vigie:p%40ss%3Aw%C3%B6rd@relay.example.org:587",
            "relay.example.org",
            587,
            Security::StartTls,
            Some(("vigie", "p@ss:wörd")),
        ),
        (
            "smtp+starttls://relay.example.org",
            "relay.example.org",
            587,
            Security::StartTls,
            None,
        ),
        (
            "smtps://alerte%40cert.example.org:secret@smtp.example.org",
            "smtp.example.org",
            465,
            Security::Tls,
            Some(("alerte@cert.example.org", "secret")),
        ),
        (
            "smtps://192.0.2.10:2465",
            "192.0.2.10",
            2465,
            Security::Tls,
            None,
        ),
    ];
    for &(url, host, port, security, credentials) in cases {
        let config = parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(config.host, host, "{url}");
        assert_eq!(config.port, port, "{url}");
        assert_eq!(config.security, security, "{url}");
        let got = config
            .credentials
            .as_ref()
            .map(|(user, password)| (user.as_str(), password.expose_secret()));
        assert_eq!(got, credentials, "{url}");
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert_eq!(
            config.from.to_string(),
            "Vigie <ne-pas-repondre@vigie.example.org>"
        );
        // Every valid configuration makes a mailer (TLS parameters included).
        Mailer::new(config).unwrap();
    }
}

#[test]
fn wrong_urls_are_explained_without_the_password() {
    let cases = [
        (
            "relay.example.org:25",
            "the SMTP URL's scheme `relay.example.org` is unknown: use smtp://, smtp+starttls:// or smtps://",
        ),
        (
            "http://relay.example.org",
            "the SMTP URL's scheme `http` is unknown: use smtp://, smtp+starttls:// or smtps://",
        ),
        (
            "not a url",
            "the SMTP URL is not a valid URL: relative URL without a base",
        ),
        (
            "smtp://127.0.0.1:99999",
            "the SMTP URL is not a valid URL: invalid port number",
        ),
        ("smtps://", "the SMTP URL has no host"),
        (
            "smtp://relay.example.org:25",
            "the SMTP URL's host `relay.example.org` is not a loopback address, and smtp:// sends in clear: use smtp+starttls:// or smtps://",
        ),
        (
            "smtp://10.0.0.1",
            "the SMTP URL's host `10.0.0.1` is not a loopback address, and smtp:// sends in clear: use smtp+starttls:// or smtps://",
        ),
        (
            "smtps://vigie@relay.example.org",
            "the SMTP URL's credentials need both a user name and a password (user:password@host)",
        ),
        (
            "smtps://:secret@relay.example.org",
            "the SMTP URL's credentials need both a user name and a password (user:password@host)",
        ),
        (
            "smtps://vigie:%FF@relay.example.org",
            "the SMTP URL's password is not valid UTF-8 once percent-decoded",
        ),
        (
            "smtps://relay.example.org/inbox",
            "the SMTP URL must not have a path",
        ),
        (
            "smtps://vigie:secret@relay.example.org?tls=yes",
            "the SMTP URL must not have a query",
        ),
        (
            "smtps://relay.example.org#x",
            "the SMTP URL must not have a fragment",
        ),
    ];
    for (url, expected) in cases {
        let error = parse(url).expect_err(url).to_string();
        assert_eq!(error, expected, "{url}");
        assert!(!error.contains("secret"), "{url}: {error}");
    }
}

#[test]
fn the_password_is_not_shown_by_debug() {
    let config = parse("smtps://vigie:hunter2@relay.example.org").unwrap();
    assert!(!format!("{config:?}").contains("hunter2"));
}
