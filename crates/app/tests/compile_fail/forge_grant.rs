// A grant made by hand instead of by the policy.
use kindred_storage::{Grant, ParticipantFacts, SeeWork};

fn forge(facts: ParticipantFacts) -> Grant<SeeWork> {
    Grant { facts, access: std::marker::PhantomData }
}

fn main() {}
