//! The slash commands: their definitions for registration, and how each maps onto the
//! platform-neutral handlers.
//!
//! `/deps pattern [direction] [depth]`, `/impact pattern [depth] [one_node]`, `/whois name`, `/role text`,
//! `/owner team`, `/path from to`, `/spof`, `/diagram pattern [depth]`,
//! `/changes [since] [pattern]`, `/lint`, `/inventory status|reload|upload file`, `/help`,
//! `/alerts list|silence group [for]` (defined in `alerts_command.rs`).

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

fn pattern_opt(name: &str, desc: &str) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::String, name, desc)
        .required(true)
        .set_autocomplete(true)
        .max_length(200)
}

fn depth_opt() -> CreateCommandOption {
    CreateCommandOption::new(
        CommandOptionType::Integer,
        "depth",
        "How many hops to follow (1 = direct)",
    )
    .min_int_value(1)
    .max_int_value(10)
}

/// Every command, in registration order.
pub fn definitions() -> Vec<CreateCommand> {
    vec![
        CreateCommand::new("deps")
            .description("What the matched instances call and what calls them")
            .add_option(pattern_opt(
                "pattern",
                "Name, glob (web-*), re:REGEX or resource name",
            ))
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "direction",
                    "Which side to show",
                )
                .add_string_choice("up", "up")
                .add_string_choice("down", "down")
                .add_string_choice("both", "both"),
            )
            .add_option(depth_opt()),
        CreateCommand::new("impact")
            .description("If this fails: are customers hit, who breaks, who is cut off")
            .add_option(pattern_opt("pattern", "What fails"))
            .add_option(depth_opt())
            .add_option(CreateCommandOption::new(
                CommandOptionType::Boolean,
                "one_node",
                "Lose one node of each pool (capacity) instead of the whole pool",
            )),
        CreateCommand::new("whois")
            .description("What is this box: role, owner, pool size, neighbours")
            .add_option(pattern_opt("name", "Instance or resource")),
        CreateCommand::new("role")
            .description("Which boxes play this role")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "text",
                    "Role words, e.g. 撮合 or Kafka",
                )
                .required(true)
                .max_length(100),
            ),
        CreateCommand::new("owner")
            .description("Which boxes a team owns")
            .add_option(
                CreateCommandOption::new(CommandOptionType::String, "team", "Owner or team name")
                    .required(true)
                    .max_length(100),
            ),
        CreateCommand::new("path")
            .description("Dependency paths between two components")
            .add_option(pattern_opt("from", "Start"))
            .add_option(pattern_opt("to", "End")),
        CreateCommand::new("spof").description("Single points of failure, ranked"),
        CreateCommand::new("diagram")
            .description("A diagram of the neighbourhood of a component")
            .add_option(pattern_opt("pattern", "Centre of the diagram"))
            .add_option(depth_opt()),
        CreateCommand::new("changes")
            .description("What changed in the inventory recently")
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "since",
                    "7d, 12h, 30m or a version id",
                )
                .max_length(20),
            )
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::String,
                    "pattern",
                    "Only near this component",
                )
                .set_autocomplete(true)
                .max_length(200),
            ),
        CreateCommand::new("lint").description("What the team should fix in the sheet"),
        CreateCommand::new("reconcile").description(
            "The sheet against what runs in EC2: missing, unlisted, pool sizes, zones",
        ),
        CreateCommand::new("inventory")
            .description("The inventory in force")
            .add_option(CreateCommandOption::new(
                CommandOptionType::SubCommand,
                "status",
                "Version, load time, diagnostics, last error",
            ))
            .add_option(CreateCommandOption::new(
                CommandOptionType::SubCommand,
                "reload",
                "Re-read the inventory file (admins)",
            ))
            .add_option(
                CreateCommandOption::new(
                    CommandOptionType::SubCommand,
                    "upload",
                    "Replace the inventory with a workbook (admins)",
                )
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Attachment,
                        "file",
                        "The new workbook",
                    )
                    .required(true),
                ),
            ),
        CreateCommand::new("help").description("How to use aiops"),
        super::alerts_command::definition(),
    ]
}

/// The names of all commands, for tests and help.
pub const NAMES: [&str; 14] = [
    "deps",
    "impact",
    "whois",
    "role",
    "owner",
    "path",
    "spof",
    "diagram",
    "changes",
    "lint",
    "reconcile",
    "inventory",
    "help",
    "alerts",
];
