//! digisos-loadgen: realistic command load for the store — the example contract and
//! register, and a driver that walks incidents through their lifecycle. Used by the
//! crash-safety process (`digisos-crashload`) and the storage benchmarks
//! (`digisos-storebench`); not part of the product.

pub mod bench;
pub mod driver;
pub mod httpbench;
pub mod scenario;

pub use driver::{Driver, Step};
pub use scenario::{Limits, LoadError, set_up};
