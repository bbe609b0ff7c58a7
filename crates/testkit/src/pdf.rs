//! Reads PDFs the way a person would, with poppler's tools (`pdftotext`, `pdfinfo`,
//! `pdffonts`, `pdftoppm`; Debian's `poppler-utils`, installed by `.ci/run`): the text
//! on the pages, how many pages of what size, which fonts; and it keeps the file and its
//! first page as a picture for CI.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// A word where it is printed (`pdftotext -bbox`), in points from the page's top left.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedWord {
    pub text: String,
    pub x_min: f64,
    pub x_max: f64,
    pub y_min: f64,
}

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
            // pdftotext writes to the file named last ("-": standard output); the others print.
            .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
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
        self.info("Pages").parse().unwrap_or_else(|e| panic!("pdfinfo's page count: {e}"))
    }

    /// The words of `page` (from 1) where they are printed: left to right on the page,
    /// whatever the reading order (a right-to-left word's letters come out reversed).
    pub fn placed_words(&self, page: u32) -> Vec<PlacedWord> {
        let page = page.to_string();
        let html = self.run("pdftotext", &["-bbox", "-enc", "UTF-8", "-f", &page, "-l", &page]);
        let attribute = |tag: &str, name: &str| -> f64 {
            let value = tag.split(&format!("{name}=\"")).nth(1).and_then(|v| v.split('"').next());
            value.and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no {name} in {tag}"))
        };
        html.split("<word ")
            .skip(1)
            .filter_map(|rest| {
                let (tag, rest) = rest.split_once('>')?;
                let text =
                    rest.split("</word>").next()?.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
                Some(PlacedWord {
                    text,
                    x_min: attribute(tag, "xMin"),
                    x_max: attribute(tag, "xMax"),
                    y_min: attribute(tag, "yMin"),
                })
            })
            .collect()
    }

    /// The fonts embedded in the PDF, by name without the subset prefix
    /// ("LibertinusSerif-Regular"), as `pdffonts` lists them.
    pub fn fonts(&self) -> Vec<String> {
        let listing = self.run("pdffonts", &[]);
        listing
            .lines()
            .skip(2) // the header and its rule
            .filter_map(|line| line.split_whitespace().next())
            .map(|name| name.split_once('+').map_or(name, |(_, font)| font).to_owned())
            .collect()
    }

    /// pdfinfo's page size of the first page, e.g. "595.276 x 841.89 pts (A4)".
    pub fn page_size(&self) -> String {
        self.info("Page size")
    }

    fn info(&self, field: &str) -> String {
        let info = self.run("pdfinfo", &[]);
        info.lines()
            .find_map(|l| l.strip_prefix(field).and_then(|rest| rest.strip_prefix(':')))
            .map(|value| value.trim().to_owned())
            .unwrap_or_else(|| panic!("pdfinfo gave no {field}: {info}"))
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
