using AlliancePipeline.Core.Links;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Questionnaires;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>The public addresses mails link to, under the app's public address (<see cref="PublicAddressOptions"/>).</summary>
public sealed class MailLinks(IOptions<PublicAddressOptions> address)
{
    private readonly string _base = address.Value.BaseUrl.AbsoluteUri.TrimEnd('/');

    /// <summary>An address under the app's public address: <c>{PublicBaseUrl}/{path}</c>.</summary>
    public Uri Absolute(string path) => new($"{_base}/{path.TrimStart('/')}");

    /// <summary>A questionnaire link, <c>/api/q/{token}</c> (the token from <see cref="ILinkTokens.Issue"/>).</summary>
    public Uri Questionnaire(string token) => Absolute($"api/q/{token}");

    /// <summary>A study's coordinator dashboard, <c>/api/studies/{studyId}/dashboard</c>.</summary>
    public Uri Dashboard(string studyId) => Absolute($"api/studies/{studyId}/dashboard");
}

/// <summary>What a valid pause token names.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="AssessmentId">The assessment whose reminders it pauses.</param>
/// <param name="LinkVersion">The assessment's link version it was mailed with (0 in tokens issued before issue 17, which were format 1 and are now refused).</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record PauseClaims(string StudyId, string AssessmentId, int LinkVersion, DateTimeOffset ExpiresAt)
{
    /// <summary>
    /// Whether it is the pause link of the assessment's current link: issued with <paramref name="storedLinkVersion"/>
    /// (a reissue, or a study file that changes the rater or the rater's address, raises it, and the older pause links
    /// answer 410). A token from before pause tokens carried the version (0) counts only while the assessment is at its
    /// first version (1), that is, while no link of it was ever replaced.
    /// </summary>
    public bool IsCurrent(int storedLinkVersion) => LinkVersion == storedLinkVersion || (LinkVersion == 0 && storedLinkVersion == 1);
}

/// <summary>
/// The "pause reminders of this assessment" link of invitations and reminders, <c>/api/reminders/pause/{token}</c>. The
/// token is Core's <see cref="LinkTokens"/> of kind <see cref="LinkTokenKind.Pause"/> (AES-256-GCM under a key derived
/// from the link signing keys, opaque, expiring, tamper-evident) over <c>{studyId}:{assessmentId}</c>: the kind has its
/// own derived key, so a pause token never opens a questionnaire and a questionnaire token never pauses anything.
/// The token carries the assessment's link version, so the pause link goes with the questionnaire link it was mailed
/// with: when that one is revoked, so is it (<see cref="PauseClaims.IsCurrent"/>). It carries no personal data, and
/// whoever sees it cannot read which study, dyad or rater it is for. Give it the expiry of the questionnaire link it
/// travels with: reminders stop when that link expires.
/// </summary>
public sealed class PauseLinks(LinkSigningKeys keys, MailLinks links)
{
    private readonly LinkTokens _tokens = new(keys, LinkTokenKind.Pause);

    /// <summary>A pause token for one assessment at its link version <paramref name="linkVersion"/>.</summary>
    /// <exception cref="ArgumentException">The ids are not valid ids.</exception>
    public string Issue(string studyId, string assessmentId, int linkVersion, DateTimeOffset expiresAt)
    {
        if (!StudyIds.IsValid(studyId)) throw new ArgumentException($"'{studyId}' is not a valid study id.", nameof(studyId));
        if (!StudyIds.IsValid(assessmentId)) throw new ArgumentException($"'{assessmentId}' is not a valid assessment id.", nameof(assessmentId));
        return _tokens.Issue($"{studyId}:{assessmentId}", linkVersion, expiresAt);
    }

    /// <summary>The pause link of one assessment at its link version: <c>{PublicBaseUrl}/api/reminders/pause/{token}</c>.</summary>
    public Uri Link(string studyId, string assessmentId, int linkVersion, DateTimeOffset expiresAt) =>
        links.Absolute($"api/reminders/pause/{Issue(studyId, assessmentId, linkVersion, expiresAt)}");

    /// <summary>The claims of a genuine, unexpired pause token; otherwise null and why.</summary>
    public PauseClaims? Validate(string? token, DateTimeOffset now, out LinkProblem problem)
    {
        switch (_tokens.Verify(token, now))
        {
            case LinkVerification.Valid v when v.AssessmentId.Split(':') is [var study, var assessment] && StudyIds.IsValid(study) && StudyIds.IsValid(assessment):
                problem = LinkProblem.None;
                return new PauseClaims(study, assessment, v.LinkVersion, v.ExpiresAt);
            case LinkVerification.Expired:
                problem = LinkProblem.Expired;
                return null;
            default:
                problem = LinkProblem.NotValid;
                return null;
        }
    }
}
