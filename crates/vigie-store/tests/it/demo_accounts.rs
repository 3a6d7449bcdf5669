//! Demo accounts, marked as such, and what tells a demo database from real data.

use vigie_access::{Role, Scope};
use vigie_store::{NewUser, Store};

async fn story(store: &Store) {
    let now = jiff::Timestamp::UNIX_EPOCH;
    assert!(store.non_demo_data().await.unwrap().is_empty());
    assert_eq!(store.demo_accounts().await.unwrap(), 0);
    let user = |email: &str| NewUser {
        email: email.into(),
        display_name: "Démo".into(),
        role: Role::Analyst,
        scope: Scope::Cert,
        password_hash: None,
    };
    let demo = store
        .create_user(&user("analyste@demo.vigie"), now)
        .await
        .unwrap();
    // Until it is marked, an account is real data.
    assert_eq!(store.non_demo_data().await.unwrap().len(), 1);
    store.mark_demo(demo).await.unwrap();
    assert!(store.user(demo).await.unwrap().unwrap().demo);
    assert!(store.non_demo_data().await.unwrap().is_empty());
    assert_eq!(store.demo_accounts().await.unwrap(), 1);
    // A real account is named; a disabled demo account no longer counts as one.
    let real = store.create_user(&user("rssi@ch.fr"), now).await.unwrap();
    assert!(!store.user(real).await.unwrap().unwrap().demo);
    let foreign = store.non_demo_data().await.unwrap();
    assert_eq!(foreign, ["1 account(s) not created by the demo"]);
    store
        .disable_user(demo, &vigie_store::Actor::System, now)
        .await
        .unwrap();
    assert_eq!(store.demo_accounts().await.unwrap(), 0);
}

#[tokio::test]
async fn demo_accounts_on_sqlite() {
    let db = crate::engines::Sqlite::new().await;
    story(&db.store).await;
}

#[tokio::test]
async fn demo_accounts_on_postgres() {
    let Some(db) = crate::engines::Postgres::new().await else {
        return;
    };
    story(&db.store).await;
    db.drop().await;
}
