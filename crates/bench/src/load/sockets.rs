//! Idle-but-live WebSocket clients (the notification socket every open page holds),
//! kept open during the mixed workload to measure the server's memory with them.

use futures::StreamExt;
use futures::stream;
use tokio::task::JoinHandle;

pub struct OpenSockets {
    readers: Vec<JoinHandle<()>>,
}

impl OpenSockets {
    pub fn count(&self) -> usize {
        self.readers.len()
    }

    pub async fn close(self) {
        for reader in self.readers {
            reader.abort();
            let _ = reader.await;
        }
    }
}

/// Opens `count` notification sockets, spread over the tokens, 50 at a time.
pub async fn open(base: &str, tokens: &[String], count: usize) -> anyhow::Result<OpenSockets> {
    let ws_base = base.replacen("http://", "ws://", 1);
    let urls: Vec<String> = (0..count)
        .map(|i| {
            let token = tokens.get(i % tokens.len().max(1)).cloned().unwrap_or_default();
            format!("{ws_base}/api/v1/notifications/ws?token={token}")
        })
        .collect();
    let sockets: Vec<_> = stream::iter(urls)
        .map(|url| async move { tokio_tungstenite::connect_async(url).await })
        .buffer_unordered(50)
        .collect()
        .await;
    let mut readers = Vec::with_capacity(count);
    for socket in sockets {
        let (socket, _) = socket?;
        // Read and drop every frame, as a browser tab would.
        readers.push(tokio::spawn(async move {
            let (_, mut read) = socket.split();
            while let Some(Ok(_)) = read.next().await {}
        }));
    }
    Ok(OpenSockets { readers })
}
