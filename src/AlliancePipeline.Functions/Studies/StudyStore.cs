using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AlliancePipeline.Functions.Studies;

/// <summary>A study's applied file, read back and parsed: what reminders, alerts and reports work from.</summary>
/// <param name="Source">The file and its instrument files as applied.</param>
/// <param name="Definition">The study it describes.</param>
/// <param name="Version">The blob's ETag: changes whenever a changed file is applied.</param>
public sealed record AppliedStudy(StudySource Source, StudyDefinition Definition, ETag Version);

/// <summary>A study as questionnaire and scoring need it: the study, and the instruments it may use (shipped and its own).</summary>
/// <param name="Study">The study.</param>
/// <param name="Instruments">The shipped instruments plus the study's own.</param>
public sealed record StudyContext(Study Study, InstrumentCatalog Instruments)
{
    /// <summary>The instrument a rater of <paramref name="raterRole"/> answers, or null when the catalog lacks it.</summary>
    public InstrumentDefinition? InstrumentFor(string raterRole) =>
        Instruments.TryGet(Study.InstrumentIdFor(raterRole), out var definition) ? definition : null;
}

/// <summary>
/// Reads and writes what a study file becomes: the applied source (blob <c>studies/{studyId}/study.json</c>, parsed
/// again on read and cached by its ETag), the <c>Studies</c> row (name, instruments by role, the study's own instruments)
/// and the <c>Participants</c> rows. It is the one writer of <c>Studies</c> rows: the apply
/// (<see cref="SaveEntityAsync"/>), the report mailings' <c>ReportsMailedAt</c> (<see cref="RecordReportsMailedAsync"/>)
/// and a seeded study (<see cref="SaveStudyAsync"/>); others only read them.
/// </summary>
public sealed class StudyStore(TableServiceClient tables, BlobServiceClient blobs, InstrumentCatalog shipped)
{
    /// <summary>
    /// How long the hot paths (a questionnaire link, scoring, the rupture check) reuse a study they read before reading
    /// it again (<see cref="FindRecentContextAsync"/>, <see cref="LoadRecentAsync"/>). Every submission used to read the
    /// <c>Studies</c> row twice (post, scoring) and download the applied file once (alerts): three of its ~17 storage
    /// calls for data that changes only when a study file is applied. A change applied through this instance is seen at
    /// once; one applied through another instance (Azure scales out) within this time.
    /// </summary>
    public static readonly TimeSpan RecentFor = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, AppliedStudy> _applied = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ETag Version, InstrumentCatalog Catalog)> _catalogs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long ReadAt, StudyContext Context)> _recentContexts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long ReadAt, AppliedStudy? Applied)> _recentApplied = new(StringComparer.Ordinal);

    private static bool IsRecent(long readAt) => Environment.TickCount64 - readAt < (long)RecentFor.TotalMilliseconds;

    /// <summary>
    /// <see cref="FindContextAsync"/>, reusing what was read less than <see cref="RecentFor"/> ago (a study that does not
    /// exist is read again each time).
    /// </summary>
    public async Task<StudyContext?> FindRecentContextAsync(string studyId, CancellationToken ct)
    {
        if (_recentContexts.TryGetValue(studyId, out var recent) && IsRecent(recent.ReadAt)) return recent.Context;
        var readAt = Environment.TickCount64;
        var context = await FindContextAsync(studyId, ct).ConfigureAwait(false);
        if (context is null) _recentContexts.TryRemove(studyId, out _);
        else _recentContexts[studyId] = (readAt, context);
        return context;
    }

    /// <summary><see cref="LoadAsync"/>, reusing what was read (or found missing) less than <see cref="RecentFor"/> ago.</summary>
    public async Task<AppliedStudy?> LoadRecentAsync(string studyId, CancellationToken ct)
    {
        if (_recentApplied.TryGetValue(studyId, out var recent) && IsRecent(recent.ReadAt)) return recent.Applied;
        var readAt = Environment.TickCount64;
        var applied = await LoadAsync(studyId, ct).ConfigureAwait(false);
        _recentApplied[studyId] = (readAt, applied);
        return applied;
    }

    /// <summary>Forgets what the hot paths reused of a study: called when this instance writes it.</summary>
    private void Forget(string studyId)
    {
        _recentContexts.TryRemove(studyId, out _);
        _recentApplied.TryRemove(studyId, out _);
    }

    private BlobContainerClient Container => blobs.GetBlobContainerClient(StorageNames.StudiesContainer);
    private TableClient Studies => tables.GetTableClient(StorageNames.StudiesTable);
    private TableClient Participants => tables.GetTableClient(StorageNames.ParticipantsTable);

    /// <summary>The blob of a study's current source.</summary>
    public static string SourceBlob(string studyId) => $"{studyId}/study.json";

    /// <summary>The applied study, or null when no study file was applied for it.</summary>
    public async Task<AppliedStudy?> LoadAsync(string studyId, CancellationToken ct)
    {
        var blob = Container.GetBlobClient(SourceBlob(studyId));
        Response<BlobDownloadResult> download;
        var cached = _applied.GetValueOrDefault(studyId);
        try
        {
            var conditions = cached is null ? null : new BlobRequestConditions { IfNoneMatch = cached.Version };
            download = await blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = conditions }, ct).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlobNotFound || e.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            return null;
        }
        // Not modified since it was cached: the SDK answers a 304 without a body rather than throwing.
        if (cached is not null && download.GetRawResponse().Status == 304) return cached;
        var source = StudySource.TryParse(download.Value.Content.ToString(), out var problem)
            ?? throw new InvalidDataException($"The stored source of study {studyId} cannot be read: {problem}");
        var parsed = StudyFile.Parse(source.Text, source.Source, source.ReadFile);
        if (!parsed.IsValid)
            throw new InvalidDataException($"The stored study file of {studyId} no longer reads: {parsed.Errors[0]}");
        var applied = new AppliedStudy(source, parsed.Definition, download.Value.Details.ETag);
        _applied[studyId] = applied;
        return applied;
    }

    /// <summary>Keeps the source as applied: the current copy and one in the study's history.</summary>
    public async Task SaveSourceAsync(string studyId, StudySource source, DateTimeOffset appliedAt, CancellationToken ct)
    {
        var content = BinaryData.FromString(source.ToJson());
        var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } };
        var stamp = appliedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        await Container.GetBlobClient($"{studyId}/history/{stamp}.json").UploadAsync(content, options, ct).ConfigureAwait(false);
        await Container.GetBlobClient(SourceBlob(studyId)).UploadAsync(content, options, ct).ConfigureAwait(false);
        Forget(studyId);
    }

    /// <summary>The <c>Studies</c> row, or null.</summary>
    public async Task<StudyEntity?> FindEntityAsync(string studyId, CancellationToken ct)
    {
        var found = await Studies.GetEntityIfExistsAsync<StudyEntity>(StudyEntity.Partition, studyId, cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>Writes the <c>Studies</c> row of an applied definition (the last write of an apply).</summary>
    public async Task SaveEntityAsync(StudyDefinition definition, DateTimeOffset appliedAt, string appliedBy, int version, CancellationToken ct)
    {
        var entity = new StudyEntity
        {
            RowKey = definition.Id,
            Name = definition.Name,
            Names = definition.Names.Count == 0 ? "" : JsonSerializer.Serialize(definition.Names),
            InstrumentId = definition.Instruments[RaterRoles.Practitioner].InstrumentId,
            Sites = string.Join(',', definition.Sites.Select(s => s.Id)),
            InstrumentsByRole = JsonSerializer.Serialize(definition.Instruments.ToDictionary(i => i.Key, i => i.Value.InstrumentId)),
            StudyInstruments = JsonSerializer.Serialize(definition.Instruments.Values
                .Where(i => i.Json is not null)
                .GroupBy(i => i.InstrumentId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Json!)),
            AppliedAt = appliedAt,
            AppliedBy = appliedBy,
            Version = version,
        };
        // Merge: what other processes keep on the row (when reports were last mailed) stays.
        await Studies.UpsertEntityAsync(entity, TableUpdateMode.Merge, ct).ConfigureAwait(false);
        Forget(definition.Id);
    }

    /// <summary>
    /// Records when the study's report was last mailed on its schedule: <paramref name="entity"/>, the row as read, merged
    /// with <paramref name="mailedAt"/> under the ETag it was read with (a write since then answers 412).
    /// </summary>
    public async Task RecordReportsMailedAsync(StudyEntity entity, DateTimeOffset mailedAt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entity);
        entity.ReportsMailedAt = mailedAt;
        await Studies.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a study's bare <c>Studies</c> row (insert or replace), with no applied study file behind it: how the load
    /// bench and tests seed a study. An applied study file's row is written by <see cref="SaveEntityAsync"/>.
    /// </summary>
    public async Task SaveStudyAsync(Study study, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(study);
        await Studies.UpsertEntityAsync(StudyEntity.From(study), TableUpdateMode.Replace, ct).ConfigureAwait(false);
        Forget(study.Id);
    }

    /// <summary>
    /// The study with the instruments it may use: the shipped ones and its own (from its <c>Studies</c> row, cached by
    /// the row's ETag), or null when the study does not exist.
    /// </summary>
    public async Task<StudyContext?> FindContextAsync(string studyId, CancellationToken ct)
    {
        var entity = await FindEntityAsync(studyId, ct).ConfigureAwait(false);
        if (entity is null) return null;
        var catalog = shipped;
        if (!string.IsNullOrEmpty(entity.StudyInstruments) && entity.StudyInstruments != "{}")
        {
            if (_catalogs.TryGetValue(studyId, out var cached) && cached.Version == entity.ETag)
            {
                catalog = cached.Catalog;
            }
            else
            {
                foreach (var (id, json) in JsonSerializer.Deserialize<Dictionary<string, string>>(entity.StudyInstruments) ?? [])
                    catalog = catalog.WithStudyInstrument(json, $"{studyId}/{id}");
                _catalogs[studyId] = (entity.ETag, catalog);
            }
        }
        return new StudyContext(entity.ToStudy(), catalog);
    }

    /// <summary>Every <c>Participants</c> row of a study.</summary>
    public async Task<IReadOnlyList<ParticipantEntity>> ParticipantsAsync(string studyId, CancellationToken ct)
    {
        var rows = new List<ParticipantEntity>();
        await foreach (var row in Participants.QueryAsync<ParticipantEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
            rows.Add(row);
        return rows;
    }

    /// <summary>
    /// The study's dyad rows (<c>Participants</c> of kind dyad) with only their id and <paramref name="columns"/> read, page
    /// by page as they are enumerated: for a reader that needs a few columns of every dyad (an export), not the names and
    /// addresses of the others.
    /// </summary>
    public AsyncPageable<ParticipantEntity> DyadRowsAsync(string studyId, IEnumerable<string> columns, int? maxPerPage, CancellationToken ct) =>
        Participants.QueryAsync<ParticipantEntity>(e => e.PartitionKey == studyId && e.Kind == ParticipantEntity.Kinds.Dyad,
            maxPerPage: maxPerPage, select: [nameof(ParticipantEntity.Kind), nameof(ParticipantEntity.Id), .. columns], cancellationToken: ct);

    /// <summary>One participant row, or null.</summary>
    public async Task<ParticipantEntity?> FindParticipantAsync(string studyId, string kind, string id, CancellationToken ct)
    {
        var found = await Participants.GetEntityIfExistsAsync<ParticipantEntity>(studyId, ParticipantEntity.Key(kind, id), cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }
}
