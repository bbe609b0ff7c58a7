//! Reads PDFs the way a person would, with poppler's tools (`pdftotext`, `pdfinfo`,
//! `pdftoppm`; Debian's `poppler-utils`, installed by `.ci/run`): the text on the
//! pages, how many pages; and it keeps the file and its first page as a picture for CI.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// A PDF written to a temporary file for poppler to read.
pub struct Pdf {
    file: tempfile::NamedTempFile,
}

impl Pdf {
    pub fn new(bytes: &[u8]) -> Pdf {
        assert!(bytes.starts_with(b"%PDF-"), "not a PDF: {:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(64)]));
        let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
        file.write_all(bytes).expect("writing the PDF");
        Pdf { file }
    }

    fn run(&self, tool: &str, args: &[&str]) -> String {
        let output = Command::new(tool)
            .args(args)
            .arg(self.file.path())
            .args(if tool == "pdfinfo" { &[][..] } else { &["-"][..] })
            .output()
            .unwrap_or_else(|e| panic!("{tool} (poppler-utils) must be installed: {e}"));
        assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The text of every page in reading order, pages separated by form feeds.
    pub fn text(&self) -> String {
        self.run("pdftotext", &["-layout", "-enc", "UTF-8"])
    }

    /// The words in reading order, one space between them: a sentence that wraps
    /// across lines, or a table cell's text, reads as one phrase.
    pub fn words(&self) -> String {
        self.run("pdftotext", &["-enc", "UTF-8"]).split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub fn pages(&self) -> u32 {
        let info = self.run("pdfinfo", &[]);
        info.lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("pdfinfo gave no page count: {info}"))
    }

    /// Keeps the PDF as `<stem>.pdf` and its first page as `<stem>.png` (CI artifacts
    /// to look at).
    pub fn keep(&self, stem: &Path) {
        if let Some(dir) = stem.parent() {
            std::fs::create_dir_all(dir).expect("the artifact directory");
        }
        std::fs::copy(self.file.path(), stem.with_extension("pdf")).expect("keeping the PDF");
        let status = Command::new("pdftoppm")
            .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
            .arg(self.file.path())
            .arg(stem)
            .status()
            .unwrap_or_else(|e| panic!("pdftoppm (poppler-utils) must be installed: {e}"));
        assert!(status.success(), "pdftoppm failed");
    }
}
