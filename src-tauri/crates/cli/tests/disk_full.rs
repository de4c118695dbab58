//! A full disk. The data directory is a small tmpfs, mounted by the test in a mount namespace of
//! its own (`unshare`; every `hearth` runs inside it through `nsenter`), then filled: adding a
//! document and asking a question fail with a clear "disk is full" error and exit status 6,
//! and once space is freed everything works, with nothing saved before lost.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// A tmpfs of `size` at a temporary directory, visible only to commands run through it.
struct SmallDisk {
    namespace: Child,
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let mut namespace = Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
            .arg(r#"mount -t tmpfs -o size="$1" tmpfs "$2" && echo mounted && exec sleep 600"#)
            .args(["sh", size])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("unshare (util-linux) runs");
        let mut line = String::new();
        BufReader::new(namespace.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "mounted", "this test needs a tmpfs in a mount namespace of its own (unshare -rm)");
        SmallDisk { namespace, dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `program args` inside the namespace, where the tmpfs is mounted.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        Command::new("nsenter")
            .args(["--preserve-credentials", "--user", "--mount", "--target"])
            .arg(self.namespace.id().to_string())
            .arg(program)
            .args(args)
            .env("HEARTH_DATA_DIR", self.path())
            .output()
            .expect("nsenter runs")
    }

    fn hearth(&self, args: &[&str]) -> Output {
        self.run(env!("CARGO_BIN_EXE_hearth"), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.hearth(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Fills what is left with one file (dd stops at "No space left on device").
    fn fill(&self) -> PathBuf {
        let filler = self.path().join("filler");
        self.run("dd", &["if=/dev/zero", &format!("of={}", filler.display()), "bs=64k"]);
        let free = self.run("df", &["--output=avail", "-B1", self.path().to_str().unwrap()]);
        let free = String::from_utf8(free.stdout).unwrap();
        assert_eq!(free.lines().nth(1).map(str::trim), Some("0"), "the disk is full: {free}");
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = self.namespace.kill();
        let _ = self.namespace.wait();
    }
}

fn disk_full(out: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{what}: exit status 6 (disk full); {stderr}");
    assert!(stderr.contains("The disk is full: free some space, then try again"), "{what}: {stderr}");
}

#[test]
fn a_full_disk_fails_clearly_and_after_space_is_freed_nothing_is_lost() {
    let disk = SmallDisk::mount("24m");
    let files = tempfile::tempdir().unwrap();
    let notes = files.path().join("notes.txt");
    std::fs::write(&notes, "Queen bees lay up to two thousand eggs a day in spring. ".repeat(40)).unwrap();
    // A document large enough to need fresh pages: thousands of distinct words.
    let big = files.path().join("big.txt");
    let words: Vec<String> = (0..6_000).map(|i| format!("word{i} hive{} comb{}", i % 97, i % 89)).collect();
    std::fs::write(&big, words.join(" ")).unwrap();

    let session = disk.ok(&["sessions", "create", "--name", "Bees", "--json"]);
    let session: serde_json::Value = serde_json::from_str(&session).unwrap();
    let session = session["id"].as_str().unwrap().to_owned();
    disk.ok(&["docs", "add", notes.to_str().unwrap()]);
    disk.ok(&["chat", &session, "How many eggs does a queen lay?"]);

    // Full to the last byte: the library does not even open, and says why.
    let filler = disk.fill();
    disk_full(&disk.hearth(&["docs", "add", big.to_str().unwrap()]), "adding a document");
    disk_full(&disk.hearth(&["chat", &session, "When do bees swarm?"]), "asking");
    // Nearly full: the library opens, and storing the document's passages runs out of space.
    disk.run("truncate", &["-s", "-160K", filler.to_str().unwrap()]);
    disk_full(&disk.hearth(&["docs", "add", big.to_str().unwrap()]), "storing a document's passages");
    let docs = disk.ok(&["docs", "list"]);
    assert!(docs.contains("big.txt") && docs.contains("failed"), "marked failed, to retry: {docs}");
    disk.run("rm", &[filler.to_str().unwrap()]);

    // Nothing saved before was lost, and nothing half-saved was left.
    let messages: serde_json::Value =
        serde_json::from_str(&disk.ok(&["messages", "list", &session, "--json"])).unwrap();
    let contents: Vec<&str> = messages.as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap()).collect();
    assert_eq!(contents.len(), 2, "the first turn, whole: {contents:?}");
    assert_eq!(contents[0], "How many eggs does a queen lay?");
    assert!(contents[1].contains("two thousand eggs"), "{contents:?}");
    let docs = disk.ok(&["docs", "list"]);
    assert!(docs.contains("notes.txt") && docs.contains("ready"), "{docs}");

    // And everything works again: adding the document again retries it, the question is answered.
    disk.ok(&["docs", "add", big.to_str().unwrap()]);
    let docs = disk.ok(&["docs", "list"]);
    assert!(docs.contains("big.txt") && !docs.contains("failed"), "{docs}");
    disk.ok(&["chat", &session, "When do bees swarm?"]);
    let messages: serde_json::Value =
        serde_json::from_str(&disk.ok(&["messages", "list", &session, "--json"])).unwrap();
    assert_eq!(messages.as_array().unwrap().len(), 4);
    let doctor: serde_json::Value = serde_json::from_str(&disk.ok(&["doctor", "--json"])).unwrap();
    assert_eq!(doctor["database"]["sessions"], 1, "{doctor}");
}
