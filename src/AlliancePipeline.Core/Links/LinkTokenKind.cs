namespace AlliancePipeline.Core.Links;

/// <summary>
/// What a link token opens. Each kind encrypts under its own key, derived from the link signing key secret with its own
/// HKDF label (<see cref="LinkTokens"/>), so a token of one kind never verifies as a token of another: it is refused as
/// <see cref="LinkVerification.BadSignature"/>.
/// </summary>
public enum LinkTokenKind
{
    /// <summary>A questionnaire link, <c>/api/q/{token}</c>.</summary>
    Questionnaire = 1,

    /// <summary>A "pause the reminders of this assessment" link, <c>/api/reminders/pause/{token}</c>.</summary>
    Pause = 2,
}
