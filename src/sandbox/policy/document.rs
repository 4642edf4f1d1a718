//! A RAM policy document (`{"Version": "1", "Statement": [...]}`) as the
//! sandbox evaluates it. Parsing checks the grammar, so an account file with
//! a malformed document is refused when it loads, with its line.
//!
//! The wire form (`Raw*`) keeps RAM's spellings: `Action` or `NotAction`, as
//! one string or a list; the checked form keeps only what evaluation needs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The only `Version` RAM policy documents have.
pub const VERSION: &str = "1";

/// A checked policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawDocument", into = "RawDocument")]
pub struct PolicyDocument {
    statements: Vec<Statement>,
}

/// One statement of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Effect`.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub actions: Actions,
    /// `Resource`: ARN patterns, `*` for all.
    pub resources: Vec<String>,
    /// `Condition`, kept but not evaluated: a statement with one never applies.
    pub condition: Option<Value>,
}

/// `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Grants, unless a Deny also applies.
    Allow,
    /// Refuses, whatever else allows.
    Deny,
}

/// Which actions a statement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actions {
    /// `Action`: the actions matching any of these patterns.
    Listed(Vec<String>),
    /// `NotAction`: every action matching none of these patterns.
    AllBut(Vec<String>),
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentProblem {
    /// `Version` is not `"1"`.
    #[error("the policy Version is {0:?}; RAM policy documents have Version \"1\"")]
    Version(String),
    /// A statement has both `Action` and `NotAction`, or neither.
    #[error("statement {0} must have exactly one of Action and NotAction")]
    ActionOrNotAction(usize),
    /// A statement lists no action or no resource.
    #[error("statement {index} has an empty {field}; list at least one pattern")]
    Empty {
        /// 1-based.
        index: usize,
        /// `Action`, `NotAction` or `Resource`.
        field: &'static str,
    },
}

impl PolicyDocument {
    /// Parses and checks a document's JSON text.
    pub fn parse(text: &str) -> Result<PolicyDocument, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

/// One string or a list of them, as RAM accepts for `Action` and `Resource`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RawDocument {
    version: String,
    statement: Vec<RawStatement>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RawStatement {
    effect: Effect,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action: Option<OneOrMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not_action: Option<OneOrMany>,
    resource: OneOrMany,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    condition: Option<Value>,
}

impl TryFrom<RawDocument> for PolicyDocument {
    type Error = DocumentProblem;

    fn try_from(raw: RawDocument) -> Result<Self, Self::Error> {
        if raw.version != VERSION {
            return Err(DocumentProblem::Version(raw.version));
        }
        let statements = raw
            .statement
            .into_iter()
            .enumerate()
            .map(|(index, statement)| checked(index + 1, statement))
            .collect::<Result<_, _>>()?;
        Ok(Self { statements })
    }
}

/// A statement's raw form, checked; `index` is 1-based, for messages.
fn checked(index: usize, raw: RawStatement) -> Result<Statement, DocumentProblem> {
    let actions = match (raw.action, raw.not_action) {
        (Some(listed), None) => Actions::Listed(non_empty(index, "Action", listed)?),
        (None, Some(all_but)) => Actions::AllBut(non_empty(index, "NotAction", all_but)?),
        _ => return Err(DocumentProblem::ActionOrNotAction(index)),
    };
    Ok(Statement {
        effect: raw.effect,
        actions,
        resources: non_empty(index, "Resource", raw.resource)?,
        condition: raw.condition,
    })
}

fn non_empty(
    index: usize,
    field: &'static str,
    patterns: OneOrMany,
) -> Result<Vec<String>, DocumentProblem> {
    let patterns = patterns.into_vec();
    if patterns.is_empty() {
        return Err(DocumentProblem::Empty { index, field });
    }
    Ok(patterns)
}

impl From<PolicyDocument> for RawDocument {
    fn from(document: PolicyDocument) -> Self {
        Self {
            version: VERSION.to_owned(),
            statement: document.statements.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<Statement> for RawStatement {
    fn from(statement: Statement) -> Self {
        let (action, not_action) = match statement.actions {
            Actions::Listed(listed) => (Some(OneOrMany::Many(listed)), None),
            Actions::AllBut(all_but) => (None, Some(OneOrMany::Many(all_but))),
        };
        Self {
            effect: statement.effect,
            action,
            not_action,
            resource: OneOrMany::Many(statement.resources),
            condition: statement.condition,
        }
    }
}
