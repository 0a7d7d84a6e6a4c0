//! Errors raised while loading watch lists or screening input.

use std::path::PathBuf;

/// Everything that can go wrong in this crate. Each variant names the file and, where it
/// applies, the line, so that an analyst can find the offending record.
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    /// A file could not be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The format of a list file could not be recognised from its content.
    #[error("{path}: unrecognised watch-list format ({reason})")]
    UnknownFormat {
        /// The file concerned.
        path: PathBuf,
        /// What was seen instead.
        reason: String,
    },
    /// A record in a list or input file is malformed.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file concerned.
        path: PathBuf,
        /// The 1-based line number of the record, or 0 when unknown.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// Writing results failed.
    #[error("cannot write screening output: {0}")]
    Output(#[source] std::io::Error),
}

impl ScreenError {
    pub(crate) fn parse(path: &std::path::Path, line: u64, message: impl Into<String>) -> Self {
        ScreenError::Parse {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        ScreenError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
