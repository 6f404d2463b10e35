using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Studies;
using Azure.Data.Tables;

namespace AlliancePipeline.Load;

/// <summary>
/// Synthetic studies of pending assessments (no real people: dyad codes <c>d-00001</c>…, one site, practitioner
/// raters, meeting 1), written straight to <c>Studies</c> and <c>Assessments</c> (entity group transactions of 100),
/// each with its signed link issued with the worker's own key.
/// </summary>
public sealed class LoadSeeder(StudyStore studies, TableServiceClient tables, ILinkTokens tokens)
{
    /// <summary>
    /// Writes <paramref name="count"/> assessments in studies of at most <paramref name="studySize"/> each
    /// (<c>{prefix}-01</c>, <c>{prefix}-02</c>, …); returns one link per assessment, the studies taking turns (as
    /// submissions from several studies arrive).
    /// </summary>
    public async Task<IReadOnlyList<Target>> SeedAsync(string prefix, int count, int studySize, CancellationToken ct)
    {
        var studyCount = (count + studySize - 1) / studySize;
        var perStudy = new List<IReadOnlyList<Target>>();
        for (var s = 0; s < studyCount; s++)
            perStudy.Add(await SeedStudyAsync(studyCount == 1 ? prefix : $"{prefix}-{s + 1:00}", Math.Min(studySize, count - s * studySize), ct).ConfigureAwait(false));
        var targets = new List<Target>(count);
        for (var i = 0; targets.Count < count; i++)
            targets.AddRange(perStudy.Where(p => i < p.Count).Select(p => p[i]));
        return targets;
    }

    private async Task<IReadOnlyList<Target>> SeedStudyAsync(string studyId, int count, CancellationToken ct)
    {
        await studies.SaveStudyAsync(new Study(studyId, $"Load study {studyId}", "wai-s-practitioner", ["site-a"]), ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var assessments = Enumerable.Range(1, count)
            .Select(i => new Assessment($"d-{i:00000}-m1-practitioner", studyId, "site-a", $"d-{i:00000}", 1, "practitioner", $"r-{i % 50:00}", now.AddDays(7), AssessmentStatus.Pending, 1, "en"))
            .ToList();
        var table = tables.GetTableClient(StorageNames.AssessmentsTable);
        await Parallel.ForEachAsync(assessments.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (chunk, token) =>
        {
            var actions = chunk.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, AssessmentEntity.From(a))).ToList();
            await table.SubmitTransactionAsync(actions, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return [.. assessments.Select(a => new Target($"/api/q/{tokens.Issue(new LinkClaims(studyId, a.Id, 1, now.AddDays(30)))}", studyId, a.Id))];
    }

    /// <summary>Twelve answers on the 1–7 scale, the same for the same index.</summary>
    public static string Body(int index)
    {
        var random = new Random(index);
        return "{\"items\":[" + string.Join(',', Enumerable.Range(0, 12).Select(_ => random.Next(1, 8))) + "]}";
    }
}
