//! The loopback SMTP server, spoken to line by line as a client would.

use std::time::Duration;

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
};
use vigie_test_support::{Received, SmtpServer};

/// A client that sends lines and reads whole (multi-line) replies.
struct Client {
    stream: BufReader<TcpStream>,
}

impl Client {
    async fn connect(server: &SmtpServer) -> Client {
        let stream = TcpStream::connect(server.addr()).await.unwrap();
        let mut client = Client {
            stream: BufReader::new(stream),
        };
        assert!(client.reply().await.starts_with("220 "));
        client
    }

    /// The last line of the next reply.
    async fn reply(&mut self) -> String {
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).await.unwrap();
            assert!(line.ends_with("\r\n"), "reply line {line:?}");
            if line.as_bytes().get(3) != Some(&b'-') {
                return line.trim_end().to_owned();
            }
        }
    }

    /// Sends raw text and returns the code of the reply.
    async fn send(&mut self, text: &str) -> String {
        self.stream
            .get_mut()
            .write_all(text.as_bytes())
            .await
            .unwrap();
        self.reply().await.chars().take(3).collect()
    }
}

#[tokio::test]
async fn a_message_is_delivered_dot_unstuffed() {
    let server = SmtpServer::start().await;
    assert!(server.addr().ip().is_loopback());
    assert_eq!(
        server.url(),
        format!("smtp://127.0.0.1:{}", server.addr().port())
    );

    let mut client = Client::connect(&server).await;
    assert_eq!(client.send("EHLO client.test\r\n").await, "250");
    assert_eq!(
        client
            .send("MAIL FROM:<cert@vigie.test> BODY=8BITMIME\r\n")
            .await,
        "250"
    );
    assert_eq!(client.send("RCPT TO:<rssi@ch.test>\r\n").await, "250");
    assert_eq!(client.send("rcpt to:<dpo@ch.test>\r\n").await, "250");
    assert_eq!(client.send("DATA\r\n").await, "354");
    let data = "Subject: essai\r\n\r\n..ligne qui commence par un point\r\n.\r\n";
    assert_eq!(client.send(data).await, "250");
    assert_eq!(client.send("QUIT\r\n").await, "221");

    let messages = server.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(
        messages,
        [Received {
            from: "cert@vigie.test".to_owned(),
            to: vec!["rssi@ch.test".to_owned(), "dpo@ch.test".to_owned()],
            data: b"Subject: essai\r\n\r\n.ligne qui commence par un point\r\n".to_vec(),
        }]
    );
}

#[tokio::test]
async fn refused_recipients_and_commands_out_of_order() {
    let server = SmtpServer::start().await;
    server.reject("Absent@CH.test");
    server.defer("plein@ch.test");

    let mut client = Client::connect(&server).await;
    assert_eq!(client.send("HELO client.test\r\n").await, "250");
    assert_eq!(client.send("RCPT TO:<rssi@ch.test>\r\n").await, "503");
    assert_eq!(client.send("DATA\r\n").await, "503");
    assert_eq!(client.send("MAIL FROM:<>\r\n").await, "250");
    assert_eq!(client.send("MAIL FROM:<cert@vigie.test>\r\n").await, "503");
    assert_eq!(client.send("RCPT TO:<absent@ch.test>\r\n").await, "550");
    assert_eq!(client.send("RCPT TO:<plein@ch.test>\r\n").await, "450");
    assert_eq!(client.send("DATA\r\n").await, "503");
    assert_eq!(client.send("RSET\r\n").await, "250");
    assert_eq!(client.send("STARTTLS\r\n").await, "502");
    assert_eq!(client.send("NOOP\r\n").await, "250");
    assert_eq!(client.send("QUIT\r\n").await, "221");
    assert!(server.messages().is_empty());
}

#[tokio::test]
#[should_panic(expected = "received 0 message(s)")]
async fn waiting_for_a_message_that_never_comes_fails() {
    let server = SmtpServer::start().await;
    server.wait_for(1, Duration::from_millis(50)).await;
}

#[tokio::test]
async fn the_server_stops_when_dropped() {
    let server = SmtpServer::start().await;
    let addr = server.addr();
    let mut client = Client::connect(&server).await;
    drop(server);
    // The open session is closed and the port no longer accepts connections.
    let mut line = String::new();
    let read = tokio::time::timeout(Duration::from_secs(5), client.stream.read_line(&mut line));
    assert!(matches!(read.await, Ok(Ok(0)) | Ok(Err(_))));
    assert!(TcpStream::connect(addr).await.is_err());
}
