//! Snapshots of a SQLite log on disk are plain files in a directory next to the database,
//! `<database>-snapshots.d/`, one file per snapshot:
//!
//! ```text
//! <position, 20 digits>.snap:
//!   {"magic":"digisos-snapshot","position":…,"format":…,"event_hash":"…",
//!    "length":…,"sha256":"…"}\n          one line of JSON (the header)
//!   <length bytes of state>              the encoded snapshot (see `crate::snapshot`)
//! ```
//!
//! Why files and not a SQLite table: a snapshot of a large programme is a hundred
//! megabytes and more. Through SQLite it passed the snapshot file's WAL and a
//! checkpoint, so it was written two or three times, and the whole of it became dirty in
//! the page cache at once; the fsync that followed (and every fsync of the log's WAL
//! that the file system's journal tied to it) then waited for all of it. Here the state
//! is written once, in chunks of [`CHUNK`] bytes, each made durable before the next is
//! written, so the disk never has more than one chunk of a snapshot to flush when the
//! log's writer syncs a commit.
//!
//! A file is written as `….snap.tmp`, synced, renamed and the directory synced: a
//! `.snap` file is always complete. It is used only if its header parses, its length and
//! checksum match the state, and the event at its position in the log has the hash it
//! was taken with. The newest [`SNAPSHOTS_KEPT`] files are kept.

use crate::error::StoreError;
use crate::migrate::SNAPSHOTS_KEPT;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Bytes written between two syncs of a snapshot file.
pub(crate) const CHUNK: usize = 8 << 20;

/// The header's `magic`.
const MAGIC: &str = "digisos-snapshot";

/// The longest header line read.
const MAX_HEADER: u64 = 4096;

/// The first line of a snapshot file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    magic: String,
    position: u64,
    format: u32,
    event_hash: String,
    length: u64,
    /// SHA-256 of the state, hex.
    sha256: String,
}

/// The snapshot directory next to the database at `database`.
pub(crate) fn dir_for(database: &Path) -> PathBuf {
    let mut p = database.as_os_str().to_owned();
    p.push("-snapshots.d");
    PathBuf::from(p)
}

fn file_name(position: u64) -> String {
    format!("{position:020}.snap")
}

fn io_error<'a>(
    context: &'static str,
    path: &'a Path,
) -> impl Fn(std::io::Error) -> StoreError + 'a {
    move |e| StoreError::Backend {
        context,
        detail: format!("{}: {e}", path.display()),
    }
}

/// Syncs a directory, so that a file created or renamed in it is durable.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error("syncing the snapshot directory", dir))
}

/// Keeps `state` as the snapshot at `position` (format `format`) with the hash of the
/// log's event there, replacing one at that position; only the newest
/// [`SNAPSHOTS_KEPT`] are kept. `Ok(false)` if the log has no event at `position`.
pub(crate) fn save(
    database: &Path,
    position: u64,
    format: u32,
    state: &[u8],
) -> Result<bool, StoreError> {
    let Some(event_hash) = super::snapshot_file::event_hash(database, position)? else {
        return Ok(false);
    };
    let dir = dir_for(database);
    if !dir.is_dir() {
        std::fs::create_dir_all(&dir).map_err(io_error("creating the snapshot directory", &dir))?;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
    }
    let header = Header {
        magic: MAGIC.into(),
        position,
        format,
        event_hash,
        length: state.len() as u64,
        sha256: hex::encode(Sha256::digest(state)),
    };
    let mut line = serde_json::to_vec(&header).map_err(|e| StoreError::InvalidEvent {
        reason: format!("cannot encode a snapshot header: {e}"),
    })?;
    line.push(b'\n');

    let path = dir.join(file_name(position));
    let tmp = path.with_extension("snap.tmp");
    let written = write_synced(&tmp, &line, state);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &path).map_err(io_error("renaming a snapshot file", &path))?;
    sync_dir(&dir)?;
    prune(&dir)?;
    Ok(true)
}

/// Writes `header` and `state` to a new file at `path`, syncing after every [`CHUNK`].
fn write_synced(path: &Path, header: &[u8], state: &[u8]) -> Result<(), StoreError> {
    let err = io_error("writing a snapshot file", path);
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(&err)?;
    file.write_all(header).map_err(&err)?;
    for chunk in state.chunks(CHUNK) {
        file.write_all(chunk).map_err(&err)?;
        file.sync_data().map_err(&err)?;
    }
    file.sync_all().map_err(&err)
}

/// The snapshot files in `dir` as `(position, path)`, newest first; leftover `.tmp`
/// files are not among them.
fn listed(dir: &Path) -> Result<Vec<(u64, PathBuf)>, StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error("listing the snapshot directory", dir)(e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_error("listing the snapshot directory", dir))?;
        let name = entry.file_name();
        let Some(position) = name
            .to_str()
            .and_then(|n| n.strip_suffix(".snap"))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        found.push((position, entry.path()));
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    Ok(found)
}

/// Deletes all but the newest [`SNAPSHOTS_KEPT`] snapshot files, and leftover `.tmp`
/// files of interrupted writes.
fn prune(dir: &Path) -> Result<(), StoreError> {
    let err = io_error("deleting an old snapshot file", dir);
    for (_, path) in listed(dir)?.into_iter().skip(SNAPSHOTS_KEPT as usize) {
        std::fs::remove_file(path).map_err(&err)?;
    }
    for entry in std::fs::read_dir(dir).map_err(&err)? {
        let path = entry.map_err(&err)?.path();
        if path.extension().is_some_and(|e| e == "tmp") {
            std::fs::remove_file(path).map_err(&err)?;
        }
    }
    Ok(())
}

/// The newest snapshot in `format` in the directory whose header, length, checksum and
/// event hash all match, as `(position, state)`; `None` if there is none.
pub(crate) fn load(database: &Path, format: u32) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
    for (position, path) in listed(&dir_for(database))? {
        if let Some(state) = read_if_usable(database, position, format, &path)? {
            return Ok(Some((position, state)));
        }
    }
    Ok(None)
}

/// The state in the snapshot file at `path` if it is usable (see [`load`]); a file that
/// is not is skipped (`Ok(None)`), only a failure to read the log is an error.
fn read_if_usable(
    database: &Path,
    position: u64,
    format: u32,
    path: &Path,
) -> Result<Option<Vec<u8>>, StoreError> {
    let skip = |why: &dyn std::fmt::Display| {
        tracing::warn!(file = %path.display(), reason = %why, "snapshot file not used");
        Ok(None)
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return skip(&e),
    };
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    if let Err(e) = (&mut reader).take(MAX_HEADER).read_until(b'\n', &mut line) {
        return skip(&e);
    }
    let header: Header = match serde_json::from_slice(&line) {
        Ok(h) => h,
        Err(e) => return skip(&format_args!("header: {e}")),
    };
    if header.magic != MAGIC || header.position != position {
        return skip(&"not a snapshot of this position");
    }
    if header.format != format {
        return Ok(None); // another format: not an error, just not ours
    }
    let current = super::snapshot_file::event_hash(database, position)?;
    if current.as_deref() != Some(header.event_hash.as_str()) {
        return skip(&"another log's (the event at its position differs)");
    }
    let Ok(length) = usize::try_from(header.length) else {
        return skip(&"too long");
    };
    let mut state = Vec::with_capacity(length);
    if let Err(e) = reader.take(header.length + 1).read_to_end(&mut state) {
        return skip(&e);
    }
    if state.len() != length {
        return skip(&format_args!(
            "{} bytes of state, the header says {length}",
            state.len()
        ));
    }
    if hex::encode(Sha256::digest(&state)) != header.sha256 {
        return skip(&"the checksum does not match");
    }
    Ok(Some(state))
}
