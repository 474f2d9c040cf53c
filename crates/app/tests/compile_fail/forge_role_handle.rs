// A manager handle made by hand instead of by `policy::manager`.
use kindred_app::Actor;
use kindred_app::policy::Manager;

fn promote(actor: &Actor) -> Manager<'_> {
    Manager { actor }
}

fn main() {}
