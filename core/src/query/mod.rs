//! Questions about a topology: selection patterns, deps, impact, paths, single points of failure,
//! role/owner search, and the components a free text mentions. Results are plain data with node ids, ready to serialise.

mod deps;
mod impact;
mod mentions;
mod paths;
mod search;
mod select;
mod spof;
mod walk;

pub use deps::{deps, DepsEntry, Direction, Neighbor};
pub use impact::{impact, Effect, Impact, ImpactOptions, Impacted, Reach, Side};
pub use mentions::{mentions, MAX_MENTION_TEXT_CHARS};
pub use paths::paths;
pub use search::{by_owner, by_role};
pub use select::{
    nearest, select, select_explained, QueryError, Rule, Selection, MAX_PATTERN_CHARS,
};
pub(crate) use spof::spof_at;
pub use spof::{spof, traffic_roots, Spof};
