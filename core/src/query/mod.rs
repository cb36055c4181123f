//! Questions about a topology: selection patterns, deps, impact, paths, single points of failure,
//! and role/owner search. Results are plain data with node ids, ready to serialise.

mod deps;
mod impact;
mod paths;
mod search;
mod select;
mod spof;
mod walk;

pub use deps::{deps, DepsEntry, Direction, Neighbor};
pub use impact::{impact, Effect, Impact, ImpactOptions, Impacted, Reach, Side};
pub use paths::paths;
pub use search::{by_owner, by_role};
pub use select::{
    nearest, select, select_explained, QueryError, Rule, Selection, MAX_PATTERN_CHARS,
};
pub(crate) use spof::spof_at;
pub use spof::{spof, Spof};
