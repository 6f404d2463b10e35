using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Studies;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>An assessment and its questionnaire link token.</summary>
public sealed record SeededLink(Assessment Assessment, string Token);

/// <summary>
/// Seeds a small synthetic study (no real people): one site, some dyads, meetings 1..n, practitioner raters; returns
/// each assessment with a valid link token, written straight into the tables for tests of what follows a study's
/// application (the application itself is tested through study files).
/// </summary>
public sealed class TestStudySeeder(StudyStore store, TableServiceClient tables, ILinkTokens tokens, TimeProvider clock, IOptions<LinkOptions> linkOptions)
{
    /// <summary>Writes the study and its assessments; idempotent for the same arguments.</summary>
    public async Task<IReadOnlyList<SeededLink>> SeedAsync(string studyId, int dyads = 3, int meetings = 3, CancellationToken ct = default, string instrumentId = "wai-s-practitioner", string language = "en")
    {
        if (!StudyIds.IsValid(studyId)) throw new ArgumentException($"'{studyId}' is not a valid study id.", nameof(studyId));
        var study = new Study(studyId, $"Demo study {studyId}", instrumentId, ["site-a"]);
        await store.SaveStudyAsync(study, ct).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var assessments = tables.GetTableClient(StorageNames.AssessmentsTable);
        var links = new List<SeededLink>();
        for (var d = 1; d <= dyads; d++)
        {
            for (var m = 1; m <= meetings; m++)
            {
                var dyadId = $"dyad-{d:00}";
                var assessment = new Assessment(
                    EnrolmentPlan.AssessmentId(dyadId, m, "practitioner"), studyId, "site-a", dyadId, m, "practitioner",
                    $"rater-{d:00}", now.AddDays(7 * m), AssessmentStatus.Pending, 1, language);
                await assessments.UpsertEntityAsync(AssessmentEntity.From(assessment), TableUpdateMode.Replace, ct).ConfigureAwait(false);
                links.Add(new SeededLink(assessment, tokens.Issue(new LinkClaims(studyId, assessment.Id, 1, now + linkOptions.Value.ValidFor))));
            }
        }
        return links;
    }
}

/// <summary>Makes a <see cref="TestStudySeeder"/> from an app's services.</summary>
public static class TestStudySeederExtensions
{
    /// <summary>A seeder over <paramref name="services"/>' tables, link tokens, clock and link lifetime.</summary>
    public static TestStudySeeder StudySeeder(this IServiceProvider services) => ActivatorUtilities.CreateInstance<TestStudySeeder>(services);
}
