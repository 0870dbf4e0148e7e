//! Errors: the API error envelope content, and failures to start the emulator.

use std::net::SocketAddr;

pub(crate) use tencentcloud::redact::excerpt;

/// An API error as it goes into `Response.Error`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    /// Dotted code such as `InvalidParameter.LBIdNotFound`.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

/// Longest `Error.Message`, in characters. Messages quote what the request held (parameter
/// names, IDs), so without a bound a request could make its reply and log line as large as itself.
pub(crate) const MAX_MESSAGE_CHARS: usize = 512;

impl ApiFailure {
    /// Builds a failure with the given code and message (cut at [`MAX_MESSAGE_CHARS`]).
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ApiFailure {
            code,
            message: excerpt(message.into(), MAX_MESSAGE_CHARS),
        }
    }
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The listen address is not loopback; the emulator never exposes itself to a network.
    #[error("refusing to listen on {0}: only loopback addresses are allowed")]
    NotLoopback(SocketAddr),
    /// Binding the socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Requested address.
        addr: SocketAddr,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The seed or state is inconsistent.
    #[error("invalid world: {0}")]
    InvalidWorld(String),
    /// The state file could not be read or written.
    #[error("state file {path}: {message}")]
    StateFile {
        /// File concerned.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Bad configuration value.
    #[error("invalid configuration: {0}")]
    Config(String),
}
