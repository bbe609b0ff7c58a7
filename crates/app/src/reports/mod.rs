//! STAND-IN — replaced at merge by the real reports module (issue 19, item 1).
//!
//! Only what the sign-off mail needs, with the real module's signatures: a minimal,
//! valid one-page PDF naming the checklist, under the original's file name. Nothing
//! else of the mail feature lives here, so the merge swaps this file alone.

use uuid::Uuid;

use sentinelops_domain::shift::ShiftType;
use sentinelops_store::repo::checklists;

use crate::App;
use crate::error::{AppResult, not_found};

/// A rendered report and the name it is offered under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPdf {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl App {
    /// For the system (the sign-off mail): no caller, no scoping.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn shift_report_pdf_unscoped(&self, instance_id: Uuid) -> AppResult<RenderedPdf> {
        let instance = checklists::find_instance(self.store.reader(), instance_id)
            .await?
            .ok_or_else(|| not_found("Checklist instance not found"))?;
        let shift = match instance.shift.get() {
            ShiftType::Morning => "Morning",
            ShiftType::Afternoon => "Afternoon",
            ShiftType::Night => "Night",
        };
        let filename = format!("SentinelOps_{shift}_Shift_{}.pdf", instance.checklist_date.format("%d_%m_%Y"));
        let title = format!("{} - {} - {}", instance.template_name, instance.shift, instance.checklist_date);
        Ok(RenderedPdf { filename, bytes: one_page_pdf(&title) })
    }
}

/// A one-page A4 PDF showing `title` in Helvetica (non-ASCII becomes `?`).
fn one_page_pdf(title: &str) -> Vec<u8> {
    let text: String = title
        .chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' })
        .flat_map(|c| if matches!(c, '(' | ')' | '\\') { vec!['\\', c] } else { vec![c] })
        .collect();
    let content = format!("BT /F1 14 Tf 56 780 Td (SentinelOps shift report: {text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (number, body) in (1..).zip(&objects) {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{number} 0 obj\n{body}\nendobj\n").as_bytes());
    }
    let xref = pdf.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        table.push_str(&format!("{offset:010} 00000 n \n"));
    }
    table.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    pdf.extend_from_slice(table.as_bytes());
    pdf
}
