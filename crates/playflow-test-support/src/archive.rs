//! ZIP archives for build uploads.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Write `dir/name`, a ZIP with the given entries stored uncompressed, and return its path.
pub fn zip_file(dir: &Path, name: &str, entries: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).expect("create the archive");
    let mut zip = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (entry, data) in entries {
        zip.start_file(*entry, options).expect("start an entry");
        zip.write_all(data).expect("write an entry");
    }
    zip.finish().expect("finish the archive");
    path
}
