using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>Report inputs the tests build without storage.</summary>
public static class ReportInputs
{
    extension(ReportInput)
    {
        /// <summary>An input with only a study and its responses (what a study seeded without a study file gives).</summary>
        public static ReportInput FromResponses(Study study, string runId, IReadOnlyList<StoredResponse> responses, DateTimeOffset generatedAt,
            InstrumentCatalog? catalog = null)
        {
            ArgumentNullException.ThrowIfNull(study);
            ArgumentNullException.ThrowIfNull(responses);
            var instruments = new Dictionary<string, InstrumentDefinition>(StringComparer.Ordinal);
            foreach (var role in responses.Select(r => r.RaterRole).Append(RaterRoles.Practitioner).Distinct(StringComparer.Ordinal))
            {
                if ((catalog ?? InstrumentCatalog.Shipped).TryGet(study.InstrumentIdFor(role), out var definition)) instruments[role] = definition;
            }
            return new ReportInput
            {
                StudyId = study.Id,
                StudyName = study.Name,
                RunId = runId,
                GeneratedAt = generatedAt,
                Instruments = instruments,
                Sites = study.SiteIds.Select(s => new ReportSite(s, s)).ToArray(),
                Responses = responses,
                Dyads = responses.GroupBy(r => r.DyadId, StringComparer.Ordinal).Select(g => new ReportDyad(g.Key, g.First().SiteId, null, null, false)).ToArray(),
            };
        }
    }
}
