//! Where and how to reach the SMTP relay, parsed from a URL like
//! `smtp+starttls://user:password@relay.example.org:587`.

use std::{net::IpAddr, time::Duration};

use lettre::message::Mailbox;
use secrecy::SecretString;
use url::{Host, Url};

/// How long to wait for the relay at each step (connection, each reply) by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS (`smtp://`): only to a loopback address, such as a local relay or a test server.
    None,
    /// Plain connection upgraded with `STARTTLS`, which is required (`smtp+starttls://`, port 587).
    StartTls,
    /// TLS from the first byte (`smtps://`, port 465).
    Tls,
}

impl Security {
    fn default_port(self) -> u16 {
        match self {
            Security::None => 25,
            Security::StartTls => 587,
            Security::Tls => 465,
        }
    }
}

/// The SMTP relay Vigie sends through, and the sender it sends as.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// The relay's host name or IP address (without brackets for IPv6).
    pub host: String,
    /// The relay's port.
    pub port: u16,
    /// How the connection is protected.
    pub security: Security,
    /// User name and password, if the relay asks for them.
    pub credentials: Option<(String, SecretString)>,
    /// The `From` of every message, like `Vigie <ne-pas-repondre@cert.example.org>`.
    pub from: Mailbox,
    /// How long to wait for the relay at each step.
    pub timeout: Duration,
}

/// Why an SMTP URL or configuration was refused. Messages never repeat the password.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not a URL at all.
    #[error("the SMTP URL is not a valid URL: {0}")]
    Syntax(#[source] url::ParseError),
    /// A scheme other than `smtp`, `smtp+starttls` or `smtps`.
    #[error(
        "the SMTP URL's scheme `{scheme}` is unknown: use smtp://, smtp+starttls:// or smtps://"
    )]
    Scheme {
        /// The scheme given.
        scheme: String,
    },
    /// No host after `//`.
    #[error("the SMTP URL has no host")]
    NoHost,
    /// `smtp://` (no TLS) towards a host that is not a loopback address.
    #[error(
        "the SMTP URL's host `{host}` is not a loopback address, and smtp:// sends in clear: use smtp+starttls:// or smtps://"
    )]
    Cleartext {
        /// The host given.
        host: String,
    },
    /// A user name without a password, or a password without a user name.
    #[error("the SMTP URL's credentials need both a user name and a password (user:password@host)")]
    IncompleteCredentials,
    /// A percent-encoded part that is not UTF-8.
    #[error("the SMTP URL's {part} is not valid UTF-8 once percent-decoded")]
    Encoding {
        /// `user name` or `password`.
        part: &'static str,
    },
    /// A path, query or fragment, which mean nothing here.
    #[error("the SMTP URL must not have a {part}")]
    Unexpected {
        /// `path`, `query` or `fragment`.
        part: &'static str,
    },
    /// TLS cannot be set up for this host (such as a name that is not a valid DNS name).
    #[error("TLS cannot be set up for the SMTP host `{host}`")]
    Tls {
        /// The host.
        host: String,
        /// What the SMTP client said.
        #[source]
        source: lettre::transport::smtp::Error,
    },
}

impl SmtpConfig {
    /// Parses `smtp://host[:25]`, `smtp+starttls://[user:password@]host[:587]` or
    /// `smtps://[user:password@]host[:465]`; user and password are percent-decoded.
    pub fn from_url(url: &str, from: Mailbox) -> Result<SmtpConfig, ConfigError> {
        let url = Url::parse(url).map_err(ConfigError::Syntax)?;
        let security = match url.scheme() {
            "smtp" => Security::None,
            "smtp+starttls" => Security::StartTls,
            "smtps" => Security::Tls,
            other => {
                return Err(ConfigError::Scheme {
                    scheme: other.to_owned(),
                });
            }
        };
        let (host, loopback) = match url.host() {
            None => return Err(ConfigError::NoHost),
            Some(Host::Domain("")) => return Err(ConfigError::NoHost),
            Some(Host::Domain(name)) => {
                // Outside the special schemes (http…), `url` leaves IPv4 addresses as names.
                let loopback = match name.parse::<IpAddr>() {
                    Ok(ip) => ip.is_loopback(),
                    Err(_) => name.eq_ignore_ascii_case("localhost"),
                };
                (name.to_owned(), loopback)
            }
            Some(Host::Ipv4(ip)) => (ip.to_string(), ip.is_loopback()),
            Some(Host::Ipv6(ip)) => (ip.to_string(), ip.is_loopback()),
        };
        if security == Security::None && !loopback {
            return Err(ConfigError::Cleartext { host });
        }
        if !matches!(url.path(), "" | "/") {
            return Err(ConfigError::Unexpected { part: "path" });
        }
        if url.query().is_some() {
            return Err(ConfigError::Unexpected { part: "query" });
        }
        if url.fragment().is_some() {
            return Err(ConfigError::Unexpected { part: "fragment" });
        }
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            ("", Some(_)) | (_, None) => return Err(ConfigError::IncompleteCredentials),
            (user, Some(password)) => Some((
                decode(user, "user name")?,
                SecretString::from(decode(password, "password")?),
            )),
        };
        Ok(SmtpConfig {
            host,
            port: url.port().unwrap_or(security.default_port()),
            security,
            credentials,
            from,
            timeout: DEFAULT_TIMEOUT,
        })
    }
}

fn decode(part: &str, name: &'static str) -> Result<String, ConfigError> {
    percent_encoding::percent_decode_str(part)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| ConfigError::Encoding { part: name })
}
