//! Delivery through the SMTP relay, with a pool of connections, and the errors an outbox
//! needs to decide whether to try again.

use std::time::{Duration, SystemTime};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart, SinglePart,
        header::{Header, HeaderName, HeaderValue},
    },
    transport::smtp::{
        self, PoolConfig,
        authentication::Credentials,
        client::{Tls, TlsParameters},
    },
};
use secrecy::ExposeSecret;

use crate::{
    config::{ConfigError, Security, SmtpConfig},
    mail::{Mail, MessageId, Stamp},
};

/// Sends messages through one SMTP relay, reusing its connections.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The relay refused the message for good (a 5xx reply, such as an unknown recipient).
    #[error("the SMTP server refused the message ({code})")]
    Rejected {
        /// The SMTP reply code.
        code: u16,
        /// The SMTP client's error, with the server's reply.
        #[source]
        source: smtp::Error,
    },
    /// The relay refused Vigie's credentials (530, 534, 535 or 538): a configuration problem.
    #[error("the SMTP server refused the credentials ({code})")]
    Authentication {
        /// The SMTP reply code.
        code: u16,
        /// The SMTP client's error, with the server's reply.
        #[source]
        source: smtp::Error,
    },
    /// The relay could not be reached, timed out, failed TLS, or answered 4xx (try later).
    #[error("the SMTP server is unavailable")]
    Unavailable {
        /// The SMTP client's error.
        #[source]
        source: smtp::Error,
    },
    /// The relay accepted a connection but did not answer `NOOP` (see [`Mailer::check`]).
    #[error("the SMTP server accepted a connection but did not answer NOOP")]
    Unresponsive,
    /// The message could not be written, such as one without any recipient.
    #[error("the message could not be built")]
    Build {
        /// What the message builder said.
        #[source]
        source: lettre::error::Error,
    },
    /// The stamp's date cannot be written in a `Date` header.
    #[error("the date {date} cannot be written in a Date header")]
    Date {
        /// The date given.
        date: jiff::Timestamp,
    },
}

impl MailError {
    /// Whether sending the same message later may succeed: the message itself is fine,
    /// the relay is unreachable, busy, or refuses the configured credentials.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            MailError::Unavailable { .. }
                | MailError::Unresponsive
                | MailError::Authentication { .. }
        )
    }

    fn from_smtp(source: smtp::Error) -> MailError {
        match source.status().map(u16::from) {
            Some(code @ (530 | 534 | 535 | 538)) => MailError::Authentication { code, source },
            Some(code) if source.is_permanent() => MailError::Rejected { code, source },
            _ => MailError::Unavailable { source },
        }
    }
}

impl Mailer {
    /// A mailer for this relay; connects only when the first message is sent.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime: the pool of connections starts a task that closes idle ones.
    pub fn new(config: SmtpConfig) -> Result<Mailer, ConfigError> {
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|source| ConfigError::Tls {
                host: host.to_owned(),
                source,
            })
        };
        let tls = match config.security {
            Security::None => Tls::None,
            Security::StartTls => Tls::Required(tls(&config.host)?),
            Security::Tls => Tls::Wrapper(tls(&config.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout))
            .pool_config(
                PoolConfig::new()
                    .max_size(4)
                    .idle_timeout(Duration::from_secs(60)),
            );
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Mailer {
            transport: builder.build(),
            from: config.from,
        })
    }

    /// The `From` of every message.
    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    /// Sends `mail` with the given date and `Message-ID`.
    pub async fn send(&self, mail: &Mail, stamp: &Stamp) -> Result<(), MailError> {
        let message = message(mail, &self.from, stamp)?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(MailError::from_smtp)
    }

    /// Connects to the relay (TLS and login included) to check the configuration.
    pub async fn check(&self) -> Result<(), MailError> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(MailError::Unresponsive),
            Err(source) => Err(MailError::from_smtp(source)),
        }
    }
}

impl Mail {
    /// The message as sent by `from` with this stamp (RFC 5322 bytes), for previews and snapshots.
    pub fn render(&self, from: &Mailbox, stamp: &Stamp) -> Result<Vec<u8>, MailError> {
        Ok(message(self, from, stamp)?.formatted())
    }
}

fn message(mail: &Mail, from: &Mailbox, stamp: &Stamp) -> Result<Message, MailError> {
    let date =
        SystemTime::try_from(stamp.date).map_err(|_| MailError::Date { date: stamp.date })?;
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(mail.subject.as_str())
        .date(date)
        .message_id(Some(stamp.message_id.to_string()))
        .header(AutoSubmitted)
        .header(AutoResponseSuppress);
    for to in &mail.to {
        builder = builder.to(to.clone());
    }
    let body = MultiPart::alternative()
        .boundary(boundary(&stamp.message_id))
        .singlepart(SinglePart::plain(mail.text.clone()))
        .singlepart(SinglePart::html(mail.html.clone()));
    builder
        .multipart(body)
        .map_err(|source| MailError::Build { source })
}

/// A MIME boundary that depends only on the `Message-ID`, so that a rendering is
/// reproducible (FNV-1a; the parts are encoded, so they never contain it).
fn boundary(message_id: &MessageId) -> String {
    let hash = message_id
        .to_string()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("=_vigie_{hash:016x}")
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no vacation replies, no loops.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        match s.trim() {
            "auto-generated" => Ok(AutoSubmitted),
            other => Err(format!("unexpected Auto-Submitted `{other}`").into()),
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// `X-Auto-Response-Suppress: All`: the same request, as Microsoft Exchange reads it.
#[derive(Debug, Clone, Copy)]
struct AutoResponseSuppress;

impl Header for AutoResponseSuppress {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Auto-Response-Suppress")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        match s.trim() {
            "All" => Ok(AutoResponseSuppress),
            other => Err(format!("unexpected X-Auto-Response-Suppress `{other}`").into()),
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "All".to_owned())
    }
}
