//! Secrets at rest: the database file is its owner's alone, TOTP secrets are sealed with
//! a key kept outside it, a secret copied onto another account does not open, an older
//! database's clear secrets are sealed when it is opened, and a wrong key is refused at
//! once with a message that says what to do.

use std::os::unix::fs::PermissionsExt as _;

use vigie_access::{Role, Scope};
use vigie_store::{NewUser, Store, StoreError};

const SECRET: &str = "JBSWY3DPEHPK3PXP";

fn analyst(email: &str) -> NewUser {
    NewUser {
        email: email.to_owned(),
        display_name: "Analyste".to_owned(),
        role: Role::Analyst,
        scope: Scope::Cert,
        password_hash: None,
    }
}

fn at() -> jiff::Timestamp {
    "2024-11-28T08:00:00Z".parse().unwrap()
}

async fn raw_secret(url: &str, email: &str) -> Option<String> {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let raw = sqlx::query_scalar("SELECT totp_secret FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    raw
}

async fn raw_update(url: &str, sql: &str, values: &[&str]) {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for v in values {
        query = query.bind(*v);
    }
    query.execute(&pool).await.unwrap();
    pool.close().await;
}

#[tokio::test]
async fn totp_secrets_are_sealed_with_a_key_kept_beside_not_inside() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vigie.db");
    let url = format!("sqlite:{}", file.display());
    let store = Store::open(&url).await.unwrap();
    let ana = store
        .create_user(&analyst("ana@cert.example"), at())
        .await
        .unwrap();
    let bob = store
        .create_user(&analyst("bob@cert.example"), at())
        .await
        .unwrap();
    store.set_totp(ana, Some(SECRET)).await.unwrap();
    store.set_totp(bob, Some("KRSXG5CTMVRXEZLU")).await.unwrap();
    assert_eq!(
        store
            .user(ana)
            .await
            .unwrap()
            .unwrap()
            .totp_secret
            .as_deref(),
        Some(SECRET)
    );
    let (source, fingerprint) = store.secret_key();
    let key_file = dir.path().join("vigie.db.key");
    assert_eq!(source, key_file.display().to_string());
    assert_eq!(fingerprint.len(), 12);
    store.close().await;

    // The file holds neither the secret nor the key; both files are the owner's alone.
    let sealed = raw_secret(&url, "ana@cert.example").await.unwrap();
    assert!(
        sealed.starts_with("v1.") && !sealed.contains(SECRET),
        "{sealed}"
    );
    let bytes = std::fs::read(&file).unwrap();
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert!(!bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));
    assert!(!bytes.windows(64).any(|w| w == key.trim().as_bytes()));
    for path in [&file, &key_file] {
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }

    // Bob's sealed secret copied onto Ana's row does not open as hers.
    let bobs = raw_secret(&url, "bob@cert.example").await.unwrap();
    raw_update(
        &url,
        "UPDATE users SET totp_secret = $1 WHERE email = 'ana@cert.example'",
        &[&bobs],
    )
    .await;
    let Err(StoreError::SecretKey(message)) = Store::open(&url).await else {
        panic!("a secret moved to another row opened");
    };
    assert!(message.contains("account 1"), "{message}");
    raw_update(
        &url,
        "UPDATE users SET totp_secret = $1 WHERE email = 'ana@cert.example'",
        &[&sealed],
    )
    .await;
    let store = Store::open(&url).await.unwrap();
    assert_eq!(
        store
            .user(ana)
            .await
            .unwrap()
            .unwrap()
            .totp_secret
            .as_deref(),
        Some(SECRET)
    );
    store.close().await;

    // Another key: refused at opening, saying which key was tried and what to give.
    std::fs::write(&key_file, format!("{}\n", "0a".repeat(32))).unwrap();
    let Err(StoreError::SecretKey(message)) = Store::open(&url).await else {
        panic!("a wrong key opened the database");
    };
    assert!(message.contains("vigie.db.key"), "{message}");
    assert!(message.contains("VIGIE_SECRET_KEY_FILE"), "{message}");
    std::fs::write(&key_file, "not a key").unwrap();
    let Err(StoreError::SecretKey(message)) = Store::open(&url).await else {
        panic!("a malformed key opened the database");
    };
    assert!(message.contains("64 hexadecimal digits"), "{message}");
}

#[tokio::test]
async fn secrets_an_older_version_kept_in_clear_are_sealed_on_opening() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("vigie.db").display());
    let store = Store::open(&url).await.unwrap();
    let ana = store
        .create_user(&analyst("ana@cert.example"), at())
        .await
        .unwrap();
    store.close().await;
    raw_update(&url, "UPDATE users SET totp_secret = $1", &[SECRET]).await;
    assert_eq!(
        raw_secret(&url, "ana@cert.example").await.as_deref(),
        Some(SECRET)
    );

    let store = Store::open(&url).await.unwrap();
    let sealed = raw_secret(&url, "ana@cert.example").await.unwrap();
    assert!(sealed.starts_with("v1."), "{sealed}");
    assert_eq!(
        store
            .user(ana)
            .await
            .unwrap()
            .unwrap()
            .totp_secret
            .as_deref(),
        Some(SECRET)
    );
    store.close().await;
}
