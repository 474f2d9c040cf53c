//! Terms of the follow-up engine: reaching participants again at fixed time points.

use super::vocabulary;

vocabulary! {
    /// Why a time point is excluded from the follow-up rate.
    AdministrativeReason, "administrative_reason", "Administrative reason" {
        Deceased => "deceased", "Deceased", "The participant has died.";
        Incarcerated => "incarcerated", "Incarcerated", "In jail or prison and not reachable for the interview.";
        Hospitalised => "hospitalised", "Hospitalised", "In hospital or residential care for the whole window.";
        WithdrewConsent => "withdrew_consent", "Withdrew consent", "Asked not to be followed up.";
        MovedAway => "moved_away", "Moved away", "Moved beyond reach of the program, with no way to follow up.";
        Other => "other", "Other", "Another reason the funder accepts; the note says which.";
    }
}

vocabulary! {
    /// How an attempt to reach a participant was made.
    AttemptChannel, "attempt_channel", "Channel" {
        Phone => "phone", "Phone call", "A call to a number on the locator record.";
        Text => "text", "Text message", "A text or chat message.";
        Email => "email", "Email", "An email.";
        Letter => "letter", "Letter", "A letter to an address on the locator record.";
        InPerson => "in_person", "In person", "Looking for the person where they are known to be.";
        ThroughContact => "through_contact", "Through a locator contact",
            "Asking a person named on the locator record (with consent) to pass on a message.";
    }
}

vocabulary! {
    /// What an attempt to reach a participant came to.
    AttemptOutcome, "attempt_outcome", "Outcome" {
        Reached => "reached", "Reached", "Spoke with the participant.";
        Scheduled => "scheduled", "Interview scheduled", "Reached and booked the follow-up interview.";
        LeftMessage => "left_message", "Left a message", "Left a voicemail or message.";
        NoAnswer => "no_answer", "No answer", "No reply.";
        WrongNumber => "wrong_number", "Wrong or dead number", "The number or address no longer reaches them.";
        Declined => "declined", "Declined", "The participant declined this follow-up.";
    }
}

vocabulary! {
    /// A way to reach a participant, or someone who knows how to.
    LocatorKind, "locator_kind", "Locator entry" {
        Phone => "phone", "Phone", "A phone number.";
        Email => "email", "Email", "An email address.";
        Address => "address", "Address", "A postal or street address.";
        Social => "social", "Social media", "A social media handle.";
        Person => "person", "Person who knows how to reach them",
            "A family member, friend or worker who can pass on a message (only with consent).";
        Place => "place", "Place they are often found", "A shelter, drop-in, clinic or street location.";
    }
}
