//! A private PostgreSQL server for tests that stop and start it (the shared server
//! is used by every other test at the same time and must not be restarted).
//!
//! Debian's binaries (`/usr/lib/postgresql/15/bin`, or `SENTINELOPS_PG_BIN`) run on a
//! data directory in a temp folder and a free loopback port. `initdb` and `postgres`
//! refuse to run as root, and CI runs as root: there they run as the `postgres` user
//! (through `runuser`), in a folder that user owns.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A PostgreSQL cluster of its own, stopped and removed on drop.
pub struct PrivateCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl PrivateCluster {
    /// `initdb` (trust authentication, user `postgres`) and start; `None` when the
    /// PostgreSQL binaries are not installed.
    pub fn start() -> Option<PrivateCluster> {
        let bin = std::env::var_os("SENTINELOPS_PG_BIN")
            .map_or_else(|| PathBuf::from("/usr/lib/postgresql/15/bin"), PathBuf::from);
        if !bin.join("initdb").exists() {
            return None;
        }
        let as_postgres = is_root();
        let dir = tempfile::Builder::new().prefix("sentinelops-pg-").tempdir().expect("temp dir for PostgreSQL");
        if as_postgres {
            run(Command::new("chown").arg("postgres:").arg(dir.path()), "chown the PostgreSQL folder");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let cluster = PrivateCluster { bin, dir, port, as_postgres };
        let data = cluster.data_dir();
        cluster.pg(
            "initdb",
            &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
        );
        cluster.start_again();
        Some(cluster)
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`: an admin URL, as the test
    /// harness's own `SENTINELOPS_TEST_DATABASE_URL`.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl stop -m immediate`: every backend ends at once, as when the server
    /// crashes or its machine restarts; the next start recovers from the WAL.
    pub fn stop_immediately(&self) {
        self.pg("pg_ctl", &["-D", &self.data_dir(), "-m", "immediate", "-w", "stop"]);
    }

    /// Starts the stopped server again on the same port (waits until it accepts connections).
    pub fn start_again(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        let log = log.to_string_lossy();
        self.pg("pg_ctl", &["-D", &self.data_dir(), "-l", &log, "-o", &options, "-w", "start"]);
    }

    fn data_dir(&self) -> String {
        self.dir.path().join("data").to_string_lossy().into_owned()
    }

    /// Runs a PostgreSQL program as the right user; panics with its output on failure.
    fn pg(&self, program: &str, args: &[&str]) -> Output {
        let path = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        command.args(args);
        run(&mut command, program)
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let path = self.bin.join("pg_ctl");
        let data = self.data_dir();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser").args(["-u", "postgres", "--"]).arg(&path).args(args).output()
        } else {
            Command::new(&path).args(args).output()
        };
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(command: &mut Command, what: &str) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
