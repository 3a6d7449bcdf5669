//! Fresh databases on each engine (see `vigie_store::testing`).

use vigie_store::testing::unreachable;
pub use vigie_store::testing::{Postgres, Sqlite};

#[tokio::test]
async fn a_refused_login_is_not_a_missing_server() {
    // Nothing listens on a port just released: that is a missing server.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let gone = sqlx::PgPool::connect(&format!("postgres://postgres@127.0.0.1:{port}/postgres"))
        .await
        .unwrap_err();
    assert!(unreachable(&gone), "{gone:?}");
    // A server that answers and refuses the role is not: the tests fail rather than skip.
    let Some(db) = Postgres::new().await else {
        return;
    };
    let slash = db.url.rfind("//").unwrap();
    let at = db.url.rfind('@').unwrap();
    let refused_url = format!(
        "{}no_such_role_vigie{}",
        &db.url[..slash + 2],
        &db.url[at..]
    );
    let refused = sqlx::PgPool::connect(&refused_url).await.unwrap_err();
    assert!(!unreachable(&refused), "{refused:?}");
    db.drop().await;
}
