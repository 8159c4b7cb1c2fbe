//! The source layout ARCHITECTURE.md promises: one concept per file, so no file in `src/`
//! grows past 800 lines (split it by concept when it would).

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 800;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("read a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_file_over_800_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 50,
        "found only {} files under src/",
        files.len()
    );
    let mut long: Vec<(usize, String)> = files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read a source file");
            (text.lines().count(), p.display().to_string())
        })
        .filter(|(n, _)| *n > MAX_LINES)
        .collect();
    long.sort();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines (split them by concept): {long:?}"
    );
}
