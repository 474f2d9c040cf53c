//! `kindred export fhir (--program ID | --participant ID) --recipient NAME --purpose CODE
//! --out FILE --org SLUG --as EMAIL`: the FHIR R4 Bundle the API serves, written to a file.

use std::process::ExitCode;

use anyhow::{Context, anyhow};
use kindred_app::fhir::{FhirBundle, FhirRequestInput};
use kindred_app::{App, Clock, policy};
use kindred_domain::ids::{ParticipantId, ProgramId};

use crate::cli::{DatabaseArgs, FhirExportArgs};

pub async fn fhir(database: &DatabaseArgs, args: &FhirExportArgs) -> anyhow::Result<ExitCode> {
    let whose = Whose::parse(args)?;
    let request = FhirRequestInput {
        recipient: Some(args.recipient.clone()),
        purpose: Some(args.purpose.clone()),
    };
    let app = App::open(&database.deployment()?, Clock::system()).await?;
    let export = async {
        let actor = app.operator_acting_as(&args.organisation, &args.as_email).await?;
        match whose {
            Whose::Program(id) => {
                app.program_fhir(&policy::program_exporter(&actor)?, id, &request).await
            }
            Whose::Participant(id) => app.participant_fhir(&actor, id, &request).await,
        }
    }
    .await;
    app.close().await;
    let FhirBundle { bundle, resources, participants, left_out } =
        export.map_err(|e| anyhow!(e))?;
    let text = serde_json::to_string_pretty(&bundle).context("writing the bundle as JSON")?;
    std::fs::write(&args.out, text)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let held: Vec<String> = resources.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    println!(
        "Wrote {}: a FHIR R4 bundle for {} of {participants} participant{} ({}).",
        args.out.display(),
        args.recipient.trim(),
        if participants == 1 { "" } else { "s" },
        if held.is_empty() { "nothing".to_owned() } else { held.join(", ") }
    );
    if left_out > 0 {
        println!(
            "Left out {left_out} participant{} of the program: no current consent to disclose to {} for {}.",
            if left_out == 1 { "" } else { "s" },
            args.recipient.trim(),
            args.purpose.trim()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A program or one participant, by id.
enum Whose {
    Program(ProgramId),
    Participant(ParticipantId),
}

impl Whose {
    fn parse(args: &FhirExportArgs) -> anyhow::Result<Self> {
        match (&args.program, &args.participant) {
            (Some(program), _) => program
                .trim()
                .parse()
                .map(Whose::Program)
                .map_err(|_| anyhow!("{program} is not a program id")),
            (None, Some(participant)) => participant
                .trim()
                .parse()
                .map(Whose::Participant)
                .map_err(|_| anyhow!("{participant} is not a participant id")),
            (None, None) => Err(anyhow!("name a --program or a --participant")),
        }
    }
}
