//! The chromedriver child process: started on a port the OS picks, stopped together
//! with the Chromium processes it launched.

use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// How long chromedriver may take to listen (it is quick; a loaded CI machine is not).
const START_TIMEOUT: Duration = Duration::from_secs(15);
/// How long its `/shutdown` (which quits its browsers first) may take before we kill it.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// A running chromedriver listening on 127.0.0.1; stopped on drop.
pub(super) struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Driver {
    /// Starts `binary --port=0` and waits for the line in which it names the port it bound.
    ///
    /// `--port=0` lets the OS choose: picking a free port ourselves and handing it over
    /// races with every other test doing the same, and a chromedriver that lost the race
    /// exits while ours would happily talk to the winner.
    pub(super) async fn start(binary: &Path, dir: &Path) -> Result<Driver> {
        let log = dir.join("chromedriver.log");
        let out = File::create(&log).with_context(|| format!("create {}", log.display()))?;
        let err = out.try_clone()?;
        let child = Command::new(binary)
            // Only local connections are accepted by default; keep it that way.
            .args(["--port=0", "--log-level=WARNING"])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        let mut driver = Driver { child, port: 0, log };
        driver.port = driver.wait_for_port().await?;
        Ok(driver)
    }

    pub(super) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The driver's own output (startup failures, crashed browsers).
    pub(super) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_for_port(&mut self) -> Result<u16> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(port) = announced_port(&self.log()) {
                return Ok(port);
            }
            if let Some(status) = self.child.try_wait()? {
                bail!("chromedriver exited ({status}) before listening:\n{}", self.log());
            }
            if Instant::now() > deadline {
                bail!("chromedriver did not listen within {START_TIMEOUT:?}:\n{}", self.log());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Asks chromedriver to quit its sessions and exit, then kills it if it has not.
    ///
    /// Blocking on purpose: it runs from `Drop`, also while a failed test unwinds, when
    /// no async work is going to finish. Killing chromedriver alone would orphan its
    /// Chromium processes; `/shutdown` quits them first.
    fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = http_get(self.port, "/shutdown");
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The port in chromedriver's "ChromeDriver was started successfully on port N." line.
fn announced_port(log: &str) -> Option<u16> {
    let rest = log.split("started successfully on port ").nth(1)?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?; // None: the line is still being written
    rest.get(..digits)?.parse().ok()
}

/// A bare HTTP/1.1 GET with short timeouts (no async runtime needed).
fn http_get(port: u16, path: &str) -> std::io::Result<()> {
    let timeout = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout)?;
    stream.set_read_timeout(Some(STOP_TIMEOUT))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::announced_port;

    #[test]
    fn reads_the_announced_port() {
        let log = "Starting ChromeDriver 156.0 on port 0\nOnly local connections are allowed.\n\
                   ChromeDriver was started successfully on port 43573.\n";
        assert_eq!(announced_port(log), Some(43573));
        assert_eq!(announced_port("Starting ChromeDriver 156.0 on port 0\n"), None);
        assert_eq!(announced_port("ChromeDriver was started successfully on port 435"), None);
    }
}
