//! Typed errors for loading reference data.
//!
//! Lookups never fail: bad input yields a result that says it is invalid.
//! Only loading can fail, and every error names the file (and the line,
//! where the format has lines) so that an operator can fix the data.

use std::path::PathBuf;

/// An error while loading intel configuration or one of its sources.
#[derive(Debug, thiserror::Error)]
pub enum IntelError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TOML configuration is malformed or has unknown fields.
    #[error("invalid intel configuration {path}: {message}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A line of a text or CSV source could not be parsed.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The source file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with the line.
        message: String,
    },
    /// An MMDB file is corrupt or of an unsupported schema.
    #[error("invalid MMDB file {path}: {message}")]
    Mmdb {
        /// The MMDB file.
        path: PathBuf,
        /// The reader's error or the schema problem.
        message: String,
    },
    /// A source failed to load; wraps the cause with the source's name.
    #[error("intel source '{name}' failed to load: {source}")]
    Source {
        /// The source name from the configuration.
        name: String,
        /// The cause.
        #[source]
        source: Box<IntelError>,
    },
    /// More distinct (class, source, label) combinations than the
    /// classification bitset can hold.
    #[error(
        "too many distinct network classification tags (at most {max}); merge labels or sources"
    )]
    TooManyTags {
        /// The maximum number of tags.
        max: usize,
    },
}

impl IntelError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn parse(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Self::Parse {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn mmdb(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Self {
        Self::Mmdb {
            path: path.into(),
            message: message.to_string(),
        }
    }
}
