//! Programs an organisation delivers: the program row (eligibility, caseload target, hourly
//! cost), its components, its protocol steps and its per-contact costs. A definition is
//! written whole: changing a program replaces its lists.

use kindred_domain::ids::ProgramId;
use kindred_domain::programs::{
    Component, CostSettings, EligibilityRules, ProgramDefinition, ProtocolStep,
};
use kindred_domain::vocabulary::Vocabulary;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{decode_code, decode_optional_code};
use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

/// A program as listed (for choosing one).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Program {
    #[sqlx(try_from = "Uuid")]
    pub id: ProgramId,
    pub name: String,
    pub description: String,
    pub template_code: Option<String>,
    pub active: bool,
}

/// A line of the programs page: the program and how much is in it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProgramOverview {
    #[sqlx(flatten)]
    pub program: Program,
    pub target_caseload: Option<i32>,
    pub step_count: i64,
    /// Participants active or stepped down in it.
    pub participant_count: i64,
}

/// A program with everything that defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProgram {
    pub id: ProgramId,
    pub definition: ProgramDefinition,
}

#[derive(sqlx::FromRow)]
struct ProgramRow {
    name: String,
    description: String,
    template_code: Option<String>,
    active: bool,
    target_caseload: Option<i32>,
    min_months_in_recovery: Option<i32>,
    requires_certification: bool,
    min_training_hours: Option<i32>,
    hourly_staff_cost_cents: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    code: String,
    name: String,
    description: String,
    anchor: String,
    appointment_kind: Option<String>,
    target_day: i32,
    window_start_day: i32,
    window_end_day: i32,
    activity: Option<String>,
}

impl StepRow {
    fn into_step(self) -> Result<ProtocolStep> {
        Ok(ProtocolStep {
            anchor: decode_code(&self.anchor)?,
            appointment_kind: decode_optional_code(self.appointment_kind.as_deref())?,
            activity: decode_optional_code(self.activity.as_deref())?,
            code: self.code,
            name: self.name,
            description: self.description,
            target_day: self.target_day,
            window_start_day: self.window_start_day,
            window_end_day: self.window_end_day,
        })
    }
}

impl<M> Session<M> {
    /// Every program, by name.
    pub async fn programs(&mut self) -> Result<Vec<Program>> {
        Ok(on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT id, name, description, template_code, active FROM programs
                 WHERE org_id = $1 ORDER BY name",
            )
            .fetch_all(&mut *c)
            .await?
        }))
    }

    pub async fn program(&mut self, id: ProgramId) -> Result<Option<Program>> {
        Ok(on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT id, name, description, template_code, active FROM programs
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
        }))
    }

    /// Every program with its step and participant counts, by name.
    pub async fn program_overviews(&mut self) -> Result<Vec<ProgramOverview>> {
        Ok(on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT g.id, g.name, g.description, g.template_code, g.active, g.target_caseload,
                    (SELECT COUNT(*) FROM protocol_steps s
                     WHERE s.org_id = g.org_id AND s.program_id = g.id) AS step_count,
                    (SELECT COUNT(*) FROM participants p
                     WHERE p.org_id = g.org_id AND p.program_id = g.id
                       AND p.status IN ('active', 'stepped_down')) AS participant_count
                 FROM programs g WHERE g.org_id = $1 ORDER BY g.name",
            )
            .fetch_all(&mut *c)
            .await?
        }))
    }

    /// A program with its components, protocol and costs.
    pub async fn program_definition(&mut self, id: ProgramId) -> Result<Option<StoredProgram>> {
        let found = on_conn!(self.conn(), c => {
            let row: Option<ProgramRow> = c.query_as(
                "SELECT name, description, template_code, active, target_caseload,
                        min_months_in_recovery, requires_certification, min_training_hours,
                        hourly_staff_cost_cents
                 FROM programs WHERE org_id = $1 AND id = $2",
            )
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?;
            match row {
                None => None,
                Some(row) => {
                    let components: Vec<(String, String)> = c.query_as(
                        "SELECT name, description FROM program_components
                         WHERE org_id = $1 AND program_id = $2 ORDER BY position",
                    )
                    .bind(id.0)
                    .fetch_all(&mut *c)
                    .await?;
                    let steps: Vec<StepRow> = c.query_as(
                        "SELECT code, name, description, anchor, appointment_kind, target_day,
                                window_start_day, window_end_day, activity
                         FROM protocol_steps WHERE org_id = $1 AND program_id = $2 ORDER BY position",
                    )
                    .bind(id.0)
                    .fetch_all(&mut *c)
                    .await?;
                    let costs: Vec<(String, i64)> = c.query_as(
                        "SELECT mode, cost_cents FROM program_contact_costs
                         WHERE org_id = $1 AND program_id = $2",
                    )
                    .bind(id.0)
                    .fetch_all(&mut *c)
                    .await?;
                    Some((row, components, steps, costs))
                }
            }
        });
        let Some((row, components, steps, costs)) = found else { return Ok(None) };
        let mut per_contact = costs
            .into_iter()
            .map(|(mode, cents)| Ok((decode_code(&mode)?, cents)))
            .collect::<Result<Vec<(kindred_domain::vocabulary::ContactMode, i64)>>>()?;
        per_contact.sort_by_key(|(mode, _)| {
            kindred_domain::vocabulary::ContactMode::ALL.iter().position(|m| m == mode)
        });
        let definition = ProgramDefinition {
            name: row.name,
            description: row.description,
            template_code: row.template_code,
            active: row.active,
            target_caseload: row.target_caseload,
            eligibility: EligibilityRules {
                min_months_in_recovery: row.min_months_in_recovery,
                requires_certification: row.requires_certification,
                min_training_hours: row.min_training_hours,
            },
            costs: CostSettings {
                hourly_staff_cost_cents: row.hourly_staff_cost_cents,
                per_contact,
            },
            components: components
                .into_iter()
                .map(|(name, description)| Component { name, description })
                .collect(),
            protocol: steps.into_iter().map(StepRow::into_step).collect::<Result<_>>()?,
        };
        Ok(Some(StoredProgram { id, definition }))
    }

    /// A program's protocol steps, in order.
    pub async fn protocol_steps(&mut self, program: ProgramId) -> Result<Vec<ProtocolStep>> {
        let rows: Vec<StepRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT code, name, description, anchor, appointment_kind, target_day,
                        window_start_day, window_end_day, activity
                 FROM protocol_steps WHERE org_id = $1 AND program_id = $2 ORDER BY position",
            )
            .bind(program.0)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(StepRow::into_step).collect()
    }

    /// A program's name and peer eligibility rules.
    pub async fn eligibility_rules(
        &mut self,
        program: ProgramId,
    ) -> Result<Option<(String, EligibilityRules)>> {
        let row: Option<(String, Option<i32>, bool, Option<i32>)> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT name, min_months_in_recovery, requires_certification, min_training_hours
                 FROM programs WHERE org_id = $1 AND id = $2",
            )
            .bind(program.0)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(row.map(|(name, months, certification, hours)| {
            let rules = EligibilityRules {
                min_months_in_recovery: months,
                requires_certification: certification,
                min_training_hours: hours,
            };
            (name, rules)
        }))
    }
}

impl Session<Write> {
    /// Creates a program with just a name and description (the operator's quick path).
    pub async fn insert_program(&mut self, program: &Program, now: OffsetDateTime) -> Result<()> {
        let definition = ProgramDefinition {
            name: program.name.clone(),
            description: program.description.clone(),
            template_code: program.template_code.clone(),
            active: program.active,
            ..Default::default()
        };
        self.insert_program_definition(program.id, &definition, now).await
    }

    /// Creates a program with everything that defines it. A name already in use is a
    /// conflict.
    pub async fn insert_program_definition(
        &mut self,
        id: ProgramId,
        definition: &ProgramDefinition,
        now: OffsetDateTime,
    ) -> Result<()> {
        let d = definition;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO programs (org_id, id, name, description, created_at, template_code,
                    active, target_caseload, min_months_in_recovery, requires_certification,
                    min_training_hours, hourly_staff_cost_cents)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(id.0)
            .bind(&d.name)
            .bind(&d.description)
            .bind(Timestamp(now))
            .bind(d.template_code.as_deref())
            .bind(d.active)
            .bind(d.target_caseload)
            .bind(d.eligibility.min_months_in_recovery)
            .bind(d.eligibility.requires_certification)
            .bind(d.eligibility.min_training_hours)
            .bind(d.costs.hourly_staff_cost_cents)
            .execute(&mut *c)
            .await?;
        });
        self.write_program_lists(id, definition).await
    }

    /// Saves a changed program: the row, and its lists replaced whole.
    pub async fn update_program_definition(
        &mut self,
        id: ProgramId,
        definition: &ProgramDefinition,
    ) -> Result<()> {
        let d = definition;
        let updated = on_conn!(self.conn(), c => {
            let updated = c.query(
                "UPDATE programs SET name = $3, description = $4, active = $5,
                    target_caseload = $6, min_months_in_recovery = $7,
                    requires_certification = $8, min_training_hours = $9,
                    hourly_staff_cost_cents = $10
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(id.0)
            .bind(&d.name)
            .bind(&d.description)
            .bind(d.active)
            .bind(d.target_caseload)
            .bind(d.eligibility.min_months_in_recovery)
            .bind(d.eligibility.requires_certification)
            .bind(d.eligibility.min_training_hours)
            .bind(d.costs.hourly_staff_cost_cents)
            .execute(&mut *c)
            .await?
            .rows_affected();
            for delete in [
                "DELETE FROM program_components WHERE org_id = $1 AND program_id = $2",
                "DELETE FROM protocol_steps WHERE org_id = $1 AND program_id = $2",
                "DELETE FROM program_contact_costs WHERE org_id = $1 AND program_id = $2",
            ] {
                c.query(delete).bind(id.0).execute(&mut *c).await?;
            }
            updated
        });
        if updated != 1 {
            return Err(StorageError::NotFound);
        }
        self.write_program_lists(id, definition).await
    }

    async fn write_program_lists(
        &mut self,
        id: ProgramId,
        definition: &ProgramDefinition,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            for (position, component) in (0i32..).zip(&definition.components) {
                c.query(
                    "INSERT INTO program_components (org_id, program_id, position, name, description)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id.0)
                .bind(position)
                .bind(&component.name)
                .bind(&component.description)
                .execute(&mut *c)
                .await?;
            }
            for (position, step) in (0i32..).zip(&definition.protocol) {
                c.query(
                    "INSERT INTO protocol_steps (org_id, program_id, code, position, name,
                        description, anchor, appointment_kind, target_day, window_start_day,
                        window_end_day, activity)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(id.0)
                .bind(&step.code)
                .bind(position)
                .bind(&step.name)
                .bind(&step.description)
                .bind(step.anchor.code())
                .bind(step.appointment_kind.map(|k| k.code()))
                .bind(step.target_day)
                .bind(step.window_start_day)
                .bind(step.window_end_day)
                .bind(step.activity.map(|a| a.code()))
                .execute(&mut *c)
                .await?;
            }
            for (mode, cents) in &definition.costs.per_contact {
                c.query(
                    "INSERT INTO program_contact_costs (org_id, program_id, mode, cost_cents)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id.0)
                .bind(mode.code())
                .bind(*cents)
                .execute(&mut *c)
                .await?;
            }
        });
        Ok(())
    }
}
