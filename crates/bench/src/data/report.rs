//! The closing report: rows and write time per table, and how to sign in.

use std::time::Duration;

use super::Args;
use super::sink::Tally;

pub fn print(args: &Args, tally: &Tally, elapsed: Duration) {
    println!();
    println!("{:<40} {:>12} {:>10}", "table", "rows", "write s");
    let mut total = 0;
    for (table, rows, took) in tally.entries() {
        total += rows;
        println!("{table:<40} {rows:>12} {:>10.1}", took.as_secs_f64());
    }
    println!("{:<40} {total:>12} {:>10.1}", "total (elapsed)", elapsed.as_secs_f64());
    println!();
    println!("Sign in with password {:?} as:", args.password);
    println!("  admins:    admin1@bench.local … admin3@bench.local (bench.admin1 … bench.admin3)");
    println!(
        "  managers:  manager.sKK@bench.local (bench.manager.sKK), KK = 01 … {:02}, manager of \"Bench Section KK\"",
        args.sections
    );
    println!("  operators: opJJ.sKK@bench.local (bench.opJJ.sKK), JJ = 01 … 08");
}
