//! Accounts: invitations to create one, from the portal or the command line.

use jiff::{SignedDuration, Timestamp};
use vigie_access::{Role, Scope, UserId};
use vigie_auth::{SecretToken, TokenKind};
use vigie_mail::{Invitation, Mailbox, MessageId};
use vigie_model::Code;
use vigie_store::{InvitationRecord, Store, StoreError};

use crate::outbox::queueable;

/// How long an invitation link is valid.
pub const INVITATION_HOURS: u32 = 72;

/// Why an invitation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// The address is not an e-mail address.
    #[error("`{0}` is not an e-mail address")]
    BadAddress(String),
    /// No random token could be drawn.
    #[error(transparent)]
    Auth(#[from] vigie_auth::AuthError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The host part of a public URL, for Message-IDs.
pub(crate) fn domain(public_url: &str) -> &str {
    public_url
        .split("://")
        .nth(1)
        .unwrap_or(public_url)
        .split([':', '/'])
        .next()
        .filter(|d| !d.is_empty())
        .unwrap_or("vigie.localhost")
}

/// The Message-ID `<left@domain>` of a message from the portal: its public address's
/// domain, or `vigie.localhost` when that address gives no usable one.
pub(crate) fn message_id(
    left: &str,
    public_url: &str,
) -> Result<MessageId, vigie_mail::InvalidMessageId> {
    MessageId::new(left, domain(public_url)).or_else(|_| MessageId::new(left, "vigie.localhost"))
}

/// Who is invited, to what.
#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    /// Their e-mail address, the login.
    pub email: &'a str,
    /// Their name.
    pub name: &'a str,
    /// The role offered.
    pub role: Role,
    /// The scope that goes with it.
    pub scope: Scope,
    /// Who invites, if an account does.
    pub invited_by: Option<UserId>,
}

/// How the portal presents itself in messages.
#[derive(Debug, Clone, Copy)]
pub struct Portal<'a> {
    /// Its public address.
    pub public_url: &'a str,
    /// Who signs messages, like `CERT Santé`.
    pub cert_name: &'a str,
}

/// Invites someone to create an account: stores the invitation and queues its e-mail
/// together; returns the link (valid [`INVITATION_HOURS`]).
pub async fn invite(
    store: &Store,
    new: &NewInvitation<'_>,
    portal: Portal<'_>,
    now: Timestamp,
) -> Result<String, InviteError> {
    let email = new.email.trim().to_lowercase();
    let to: Mailbox = email
        .parse()
        .map_err(|_| InviteError::BadAddress(email.clone()))?;
    let token = SecretToken::generate(TokenKind::Invitation)?;
    let hash = token.hash().to_hex();
    let link = format!(
        "{}/invitation/{}",
        portal.public_url.trim_end_matches('/'),
        token.expose()
    );
    let mail = vigie_mail::invitation(&Invitation {
        to: &[to],
        role: new.role.label(),
        link: &link,
        valid_hours: INVITATION_HOURS,
        cert_name: portal.cert_name,
    });
    let left = format!("invitation.{}", &hash[..16]);
    let message_id =
        message_id(&left, portal.public_url).map_err(|_| InviteError::BadAddress(email.clone()))?;
    let record = InvitationRecord {
        email,
        display_name: new.name.trim().to_owned(),
        role: new.role,
        scope: new.scope.clone(),
        expires_at: now + SignedDuration::from_hours(i64::from(INVITATION_HOURS)),
    };
    store
        .create_invitation(
            &hash,
            &record,
            new.invited_by,
            &queueable(mail, &message_id),
            now,
        )
        .await?;
    Ok(link)
}

/// What changed in an account, for the notice sent to its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    /// Its second factor (TOTP key and recovery codes) was replaced.
    SecondFactor,
    /// Its password was changed.
    Password,
}

/// The notice that an account's password or second factor changed, ready for the outbox
/// (`None` when the account's address is not one a mail can go to).
pub fn change_notice(
    change: AccountChange,
    user: UserId,
    email: &str,
    from: Option<&str>,
    portal: Portal<'_>,
    now: Timestamp,
) -> Option<vigie_store::OutboxMail> {
    let to: Mailbox = email.trim().parse().ok()?;
    let url = format!("{}/compte", portal.public_url.trim_end_matches('/'));
    let notice = vigie_mail::AccountChanged {
        to: &[to],
        at: now,
        from,
        portal_url: &url,
        cert_name: portal.cert_name,
    };
    let (mail, kind) = match change {
        AccountChange::SecondFactor => {
            (vigie_mail::second_factor_changed(&notice), "second-factor")
        }
        AccountChange::Password => (vigie_mail::password_changed(&notice), "password"),
    };
    let left = format!("{kind}.{}.{}", user.0, now.as_nanosecond());
    let message_id = message_id(&left, portal.public_url).ok()?;
    Some(queueable(mail, &message_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_use_the_portal_host() {
        assert_eq!(
            domain("https://vigie.example.fr:8443/x"),
            "vigie.example.fr"
        );
        assert_eq!(domain("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(domain(""), "vigie.localhost");
    }
}
