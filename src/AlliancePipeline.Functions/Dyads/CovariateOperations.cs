using System.Collections.Immutable;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using AlliancePipeline.Functions.Studies;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Dyads;

/// <summary>Covariates recorded for a dyad: its values after the write (all of them, not only those sent).</summary>
/// <param name="StudyId">The study.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Values">Covariate name → number or level.</param>
public sealed record CovariatesRecorded(string StudyId, string DyadId, IReadOnlyDictionary<string, object> Values);

/// <summary>The covariates a study declares and the values recorded for one dyad (its console page's form).</summary>
/// <param name="Declared">The study file's covariates, in file order.</param>
/// <param name="Values">Covariate name → value recorded; a covariate not recorded is absent.</param>
public sealed record DyadCovariateValues(IReadOnlyList<StudyCovariate> Declared, IReadOnlyDictionary<string, CovariateValue> Values);

/// <summary>Covariates imported from CSV.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="Imported">Lines read.</param>
/// <param name="Changed">Dyads whose values changed.</param>
/// <param name="Unchanged">Dyads already recorded as given.</param>
public sealed record CovariatesImported(string StudyId, int Imported, int Changed, int Unchanged);

/// <summary>
/// Records dyad covariates (<c>covariates</c> of the study file), one dyad from the API or the console, or a CSV import;
/// the one writer of <c>Covariates</c>. Values are checked by Core (<see cref="CovariateInputs"/>,
/// <see cref="StudyCsv.ParseCovariates"/>) against the study as the caller may see it, as outcomes are: another site's
/// dyad is a dyad the study does not have (404). The values given replace those stored for the same covariates; the
/// others stay. A changed row is written under the ETag it was read with and gets an <c>Audit</c> row
/// (<c>covariates.recorded</c>, before and after); one recorded as given is no change.
/// </summary>
public sealed class CovariateOperations(StudyStore store, TableServiceClient tables, AuditLog audit, TimeProvider clock)
{
    private TableClient Table => tables.GetTableClient(StorageNames.CovariatesTable);

    /// <summary>Records one dyad's covariates; <paramref name="source"/> (<c>api</c>, <c>console</c>) is stored with them.</summary>
    public async Task<Outcome<CovariatesRecorded>> RecordAsync(string studyId, string dyadId, Func<StudyDefinition, Outcome<DyadCovariates>> read, string source,
        Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return DyadOperations.NoStudy(studyId);
        var visible = DyadOperations.Visible(study.Definition, caller);
        if (visible.FindDyad(dyadId) is null) return DyadOperations.NoDyad(visible, dyadId);
        var given = read(visible);
        if (given.IsRefused) return given.Refusal;
        if (CovariateInputs.Check(visible, given.Value) is { } wrong) return Refusal.Invalid("Covariates refused", wrong);
        await SaveAsync(studyId, [given.Value], source, caller.Actor, ct).ConfigureAwait(false);
        var stored = await Table.GetEntityIfExistsAsync<CovariateEntity>(studyId, dyadId, cancellationToken: ct).ConfigureAwait(false);
        return new CovariatesRecorded(studyId, dyadId, Read(stored.HasValue ? stored.Value!.Values : "{}")
            .ToDictionary(v => v.Key, v => v.Value.Level is { } level ? (object)level : v.Value.Number!.Value, StringComparer.Ordinal));
    }

    /// <summary>
    /// The covariates the study declares and those recorded for <paramref name="dyadId"/>, for the console page of a dyad
    /// the caller was already let see (<see cref="DyadSchedules.ReadAsync"/>); null when the study declares none.
    /// </summary>
    public async Task<DyadCovariateValues?> ReadAsync(string studyId, string dyadId, CancellationToken ct)
    {
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study || study.Definition.Covariates.IsDefaultOrEmpty) return null;
        var stored = await Table.GetEntityIfExistsAsync<CovariateEntity>(studyId, dyadId, cancellationToken: ct).ConfigureAwait(false);
        return new DyadCovariateValues(study.Definition.Covariates, Read(stored.HasValue ? stored.Value!.Values : "{}"));
    }

    /// <summary>Imports covariates from CSV (<c>dyad</c> and a column per covariate); a bad line records nothing.</summary>
    public async Task<Outcome<CovariatesImported>> ImportAsync(string studyId, Outcome<string> csv, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return DyadOperations.NoStudy(studyId);
        if (csv.IsRefused) return csv.Refusal;
        var import = StudyCsv.ParseCovariates(csv.Value, DyadOperations.Visible(study.Definition, caller));
        if (!import.IsValid) return Refusal.OfImport("Covariates refused", import);
        var (changed, unchanged) = await SaveAsync(studyId, import.Rows, "csv", caller.Actor, ct).ConfigureAwait(false);
        await audit.WriteAsync(studyId, caller.Actor, "covariates.imported", studyId,
            $"{import.Rows.Length} line(s): {changed} changed, {unchanged} unchanged", ct).ConfigureAwait(false);
        return new CovariatesImported(studyId, import.Rows.Length, changed, unchanged);
    }

    /// <summary>The values of a row (<see cref="CovariateEntity.Values"/>): name → level (a JSON string) or number.</summary>
    public static ImmutableSortedDictionary<string, CovariateValue> Read(string json)
    {
        var values = ImmutableSortedDictionary.CreateBuilder<string, CovariateValue>(StringComparer.Ordinal);
        if (JsonNode.Parse(string.IsNullOrEmpty(json) ? "{}" : json) is not JsonObject o) return values.ToImmutable();
        foreach (var (name, node) in o)
        {
            if (node is JsonValue v && v.TryGetValue<string>(out var level)) values[name] = CovariateValue.OfLevel(level);
            else if (node is JsonValue n && n.TryGetValue<double>(out var number)) values[name] = CovariateValue.OfNumber(number);
        }

        return values.ToImmutable();
    }

    /// <summary>The values as stored: a JSON object in name order.</summary>
    public static string Write(IReadOnlyDictionary<string, CovariateValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var o = new JsonObject();
        foreach (var (name, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
            o[name] = value.Level is { } level ? JsonValue.Create(level) : JsonValue.Create(value.Number!.Value);
        return o.ToJsonString();
    }

    /// <summary>
    /// Stores the values (the last line of a dyad's, when it is given twice) over those stored; a row that changes is added
    /// or replaced under its ETag, in transactions of up to 100, each followed by its audit rows. Answers the dyads changed
    /// and unchanged.
    /// </summary>
    private async Task<(int Changed, int Unchanged)> SaveAsync(string studyId, IReadOnlyList<DyadCovariates> given, string source, string actor, CancellationToken ct)
    {
        var latest = given.GroupBy(c => c.DyadId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var changed = 0;
        for (var attempt = 0; ; attempt++)
        {
            var stored = new Dictionary<string, CovariateEntity>(StringComparer.Ordinal);
            await foreach (var row in Table.QueryAsync<CovariateEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
                stored[row.RowKey] = row;
            var now = clock.GetUtcNow();
            var writing = new List<(TableTransactionAction Action, AuditChange Change)>();
            foreach (var c in latest)
            {
                var before = stored.GetValueOrDefault(c.DyadId);
                var values = before is null ? c.Values : Read(before.Values).SetItems(c.Values);
                var json = Write(values);
                if (before is not null && before.Values == json) continue;
                var entity = new CovariateEntity { PartitionKey = studyId, RowKey = c.DyadId, Values = json, RecordedAt = now, Source = source };
                writing.Add((before is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, before.ETag),
                    AuditChange.Between(StorageNames.CovariatesTable, before, entity)!));
            }

            try
            {
                foreach (var chunk in writing.Chunk(100))
                {
                    await Table.SubmitTransactionAsync(chunk.Select(w => w.Action), ct).ConfigureAwait(false);
                    await audit.WriteAllAsync(chunk.Select(w => audit.Row(studyId, actor, "covariates.recorded", w.Action.Entity.RowKey, $"source {source}", w.Change)), ct).ConfigureAwait(false);
                    changed += chunk.Length;
                }

                return (changed, latest.Count - changed);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 3)
            {
                // Written meanwhile: read again, decide again.
            }
        }
    }

    private Task<AppliedStudy?> FindStudyAsync(string studyId, CancellationToken ct) =>
        StudyIds.IsValid(studyId) ? store.LoadAsync(studyId, ct) : Task.FromResult<AppliedStudy?>(null);
}
