namespace AlliancePipeline.Core.Links;

/// <summary>
/// The outcome of verifying a link token. Only <see cref="Valid"/> may let a request through; the caller then checks
/// revocation against storage with <see cref="Valid.IsCurrent"/>.
/// </summary>
public abstract record LinkVerification
{
    private LinkVerification()
    {
    }

    /// <summary>Authentication tag good, key known, not expired.</summary>
    /// <param name="AssessmentId">The one assessment the link is bound to.</param>
    /// <param name="LinkVersion">The assessment's link version when the link was issued.</param>
    /// <param name="ExpiresAt">The instant from which the link is refused (whole seconds, UTC).</param>
    /// <param name="KeyId">The key that sealed it.</param>
    public sealed record Valid(string AssessmentId, int LinkVersion, DateTimeOffset ExpiresAt, string KeyId) : LinkVerification
    {
        /// <summary>
        /// Revocation check, done by the caller against the stored assessment: the link is current only if it is for
        /// <paramref name="assessmentId"/> and its link version equals the stored one. Reissuing a link increments the
        /// stored version, which revokes every earlier link; withdrawing or completing the assessment is checked from its state.
        /// </summary>
        public bool IsCurrent(string assessmentId, int storedLinkVersion) =>
            string.Equals(AssessmentId, assessmentId, StringComparison.Ordinal) && LinkVersion == storedLinkVersion;
    }

    /// <summary>Not a token of this format (bad characters, wrong length, non-canonical encoding, bad fields, or a token of format 1).</summary>
    /// <param name="Reason">What is wrong, for logs (contains nothing from the token).</param>
    public sealed record Malformed(string Reason) : LinkVerification;

    /// <summary>The token names a key that is not (or no longer) in the settings.</summary>
    /// <param name="KeyId">The key id the token names.</param>
    public sealed record UnknownKey(string KeyId) : LinkVerification;

    /// <summary>
    /// The authentication tag does not match (the name is from format 1, when it was a signature): the token was
    /// altered or forged, sealed with another secret under the same key id, or is a token of another
    /// <see cref="LinkTokenKind"/>.
    /// </summary>
    public sealed record BadSignature : LinkVerification;

    /// <summary>The authentication tag is good but the link has expired.</summary>
    /// <param name="AssessmentId">The assessment the link was for (so the page can offer to ask for a new link).</param>
    /// <param name="ExpiredAt">When it expired.</param>
    public sealed record Expired(string AssessmentId, DateTimeOffset ExpiredAt) : LinkVerification;
}
