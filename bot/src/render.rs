//! Diagram rendering for the bot (replaced by the in-process renderer when it is merged).

use aiops_core::diagram::Diagram;

pub fn png(_d: &Diagram, _family: Option<&str>) -> Result<Vec<u8>, String> {
    Err("the diagram renderer is not part of this build".into())
}
