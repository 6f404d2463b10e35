using System.Globalization;
using System.Text.Json;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Functions.Reports;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace AlliancePipeline.Functions.Exports;

/// <summary>
/// FHIR R4 export with the Firely SDK (Hl7.Fhir.R4): each instrument as a <see cref="Questionnaire"/> (one <c>choice</c> item
/// per statement, <c>linkId</c> <c>item-{n}</c> as the form names them, its answer options with their anchors and ordinal
/// values, its subscale and reverse scoring as item codes, the text in the instrument's default language with the other
/// languages as <c>translation</c> extensions, the copyright; and read-only decimal items for the subscale and global
/// scores), and each response as a <see cref="QuestionnaireResponse"/> pointing at its questionnaire's canonical URL and
/// version, with the dyad and rater by pseudonymous identifier only (no name, no address), its meeting and its provenance
/// (<see cref="ProvenanceExtension"/>) as extensions. No I/O.
/// </summary>
public static class FhirExport
{
    /// <summary>The base of canonical URLs and identifier systems of this app's FHIR resources.</summary>
    public const string Base = "urn:alliance-pipeline:fhir";

    /// <summary>The FHIR extension that gives a text in another language.</summary>
    public const string TranslationExtension = "http://hl7.org/fhir/StructureDefinition/translation";

    /// <summary>The FHIR extension that gives an answer's ordinal value.</summary>
    public const string OrdinalValueExtension = "http://hl7.org/fhir/StructureDefinition/ordinalValue";

    /// <summary>Our extension holding the meeting number of a response.</summary>
    public const string MeetingExtension = Base + ":StructureDefinition:meeting";

    /// <summary>
    /// Our extension holding how a response's answers came, a code: <c>rater-link</c> (the link mailed to the rater) or
    /// <c>hand-over</c> (a link a coordinator was handed).
    /// </summary>
    public const string ProvenanceExtension = Base + ":StructureDefinition:provenance";

    /// <summary>The canonical URL of an instrument's questionnaire.</summary>
    public static string CanonicalUrl(string instrumentId) => $"{Base}:Questionnaire:{instrumentId}";

    /// <summary>JSON options of the Firely SDK for R4 (System.Text.Json), indented.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).Pretty();

    /// <summary>The questionnaire of an instrument.</summary>
    public static Questionnaire ToQuestionnaire(InstrumentDefinition instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var lang = instrument.DefaultLanguage;
        var q = new Questionnaire
        {
            Id = instrument.Id,
            Url = CanonicalUrl(instrument.Id),
            Version = instrument.Version,
            Name = string.Concat(instrument.Id.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..])),
            Status = PublicationStatus.Active,
            Language = lang,
            SubjectType = [ResourceType.Group],
            Description = new Markdown(instrument.Source),
            Copyright = new Markdown(instrument.Copyright.Get(lang)),
        };
        q.TitleElement = Translated(instrument.Title, lang);
        q.Extension.Add(new Extension(Base + ":StructureDefinition:raterRole", new Code(instrument.RaterRole)));
        foreach (var item in instrument.Items)
        {
            var question = new Questionnaire.ItemComponent
            {
                LinkId = LinkId(item.Number),
                Type = Questionnaire.QuestionnaireItemType.Choice,
                Required = true,
                Code = [new Coding(Base + ":subscale", item.Subscale)],
            };
            if (item.Reverse) question.Code.Add(new Coding(Base + ":scoring", "reverse", "Reverse scored: min + max − answer"));
            question.TextElement = Translated(item.Text, lang);
            for (var value = instrument.Scale.Min; value <= instrument.Scale.Max; value++)
            {
                var anchor = instrument.Scale.Anchors.FirstOrDefault(a => a.Value == value);
                var coding = new Coding(AnswerSystem(instrument.Id), value.ToString(CultureInfo.InvariantCulture), anchor?.Label.Get(lang));
                if (anchor is not null) coding.DisplayElement = Translated(anchor.Label, lang);
                coding.Extension.Add(new Extension(OrdinalValueExtension, new FhirDecimal(value)));
                question.AnswerOption.Add(new Questionnaire.AnswerOptionComponent { Value = coding });
            }
            q.Item.Add(question);
        }
        foreach (var s in instrument.Subscales)
            q.Item.Add(ScoreItem("score-" + s.Id, s.Label, lang));
        q.Item.Add(ScoreItem("score-global", instrument.Global.Label, lang));
        return q;
    }

    /// <summary>
    /// The response as a <see cref="QuestionnaireResponse"/> of <paramref name="instrument"/>: one answer per item (as given,
    /// before reverse scoring; none for an item the stored response lacks) and the scores of the instrument's subscales
    /// (<c>score-{id}</c>, read from the subscale's column) and global score; subject the dyad and author the rater, by
    /// pseudonymous identifier.
    /// </summary>
    public static QuestionnaireResponse ToQuestionnaireResponse(StoredResponse response, InstrumentDefinition instrument, string? raterId)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(instrument);
        var lang = instrument.DefaultLanguage;
        var qr = new QuestionnaireResponse
        {
            Id = response.AssessmentId,
            Identifier = new Identifier($"{Base}:assessment:{response.StudyId}", response.AssessmentId),
            Questionnaire = $"{CanonicalUrl(instrument.Id)}|{instrument.Version}",
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Authored = response.SubmittedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Subject = new ResourceReference { Identifier = new Identifier($"{Base}:dyad:{response.StudyId}", response.DyadId), Display = "dyad " + response.DyadId },
            Language = lang,
        };
        if (raterId is not null)
            qr.Author = new ResourceReference { Identifier = new Identifier($"{Base}:rater:{response.StudyId}", raterId), Display = response.RaterRole };
        qr.Extension.Add(new Extension(MeetingExtension, new Integer(response.Meeting)));
        qr.Extension.Add(new Extension(ProvenanceExtension, new Code(response.Provenance)));
        foreach (var item in instrument.Items.Where(i => i.Number <= response.Items.Count))
        {
            var answer = response.Items[item.Number - 1];
            var anchor = instrument.Scale.Anchors.FirstOrDefault(a => a.Value == answer);
            qr.Item.Add(new QuestionnaireResponse.ItemComponent
            {
                LinkId = LinkId(item.Number),
                Text = item.Text.Get(lang),
                Answer = [new QuestionnaireResponse.AnswerComponent { Value = new Coding(AnswerSystem(instrument.Id), answer.ToString(CultureInfo.InvariantCulture), anchor?.Label.Get(lang)) }],
            });
        }
        foreach (var s in instrument.Subscales.Where(s => response.Scores.ContainsKey(s.Column)))
            qr.Item.Add(ScoreAnswer("score-" + s.Id, response.Scores[s.Column]));
        qr.Item.Add(ScoreAnswer("score-global", response.Global));
        return qr;
    }

    /// <summary>
    /// A collection bundle of a study: the questionnaire of each instrument its roles answer, then one
    /// questionnaire response per stored response whose role's instrument is known (in dyad, meeting, role order).
    /// </summary>
    public static Bundle Study(ReportInput input)
    {
        var lookups = ResponseRowLookups.Of(input);
        var bundle = Header(lookups);
        bundle.Entry.AddRange(Questionnaires(lookups).Select(q => new Bundle.EntryComponent { Resource = q }));
        foreach (var row in ResponseRowLookups.Rows(input))
        {
            if (Response(row, lookups) is { } qr) bundle.Entry.Add(new Bundle.EntryComponent { Resource = qr });
        }
        return bundle;
    }

    /// <summary>
    /// The JSON of <see cref="Study"/>, byte for byte, written to <paramref name="destination"/> as it is made: each
    /// resource is made and serialized in turn, sent whenever <see cref="JsonStream.FlushBytes"/> have gathered, so neither the bundle nor its text is
    /// ever held whole; <paramref name="onResponse"/> is called after each questionnaire response.
    /// </summary>
    public static System.Threading.Tasks.Task WriteStudyAsync(ReportInput input, Stream destination, Action onResponse, CancellationToken ct) =>
        WriteStudyAsync(ResponseRowLookups.Of(input), ResponseRowLookups.Rows(input).ToAsyncEnumerable(), destination, onResponse, ct);

    /// <summary>
    /// The bundle of <paramref name="rows"/> (given in <see cref="ResponseRowLookups.Order"/>) as <see cref="Study"/> makes
    /// it, each resource made, serialized and sent as it comes; <paramref name="onResponse"/> is called after each
    /// questionnaire response.
    /// </summary>
    public static async System.Threading.Tasks.Task WriteStudyAsync(ResponseRowLookups lookups, IAsyncEnumerable<ResponseRow> rows, Stream destination, Action onResponse, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lookups);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(onResponse);
        // The bundle's own elements as the SDK writes them (entry comes after identifier, type and timestamp, and is last).
        using var header = JsonDocument.Parse(ToJson(Header(lookups)));
        using var json = new JsonStream(destination, new JsonWriterOptions { Indented = JsonOptions.WriteIndented, Encoder = JsonOptions.Encoder });
        var writer = json.Writer;
        writer.WriteStartObject();
        foreach (var property in header.RootElement.EnumerateObject()) property.WriteTo(writer);
        var first = true;
        async System.Threading.Tasks.Task WriteAsync(Resource resource)
        {
            if (first) writer.WriteStartArray("entry");
            first = false;
            writer.WriteStartObject();
            writer.WritePropertyName("resource");
            JsonSerializer.Serialize(writer, resource, resource.GetType(), JsonOptions);
            writer.WriteEndObject();
            if (resource is QuestionnaireResponse) onResponse();
            await json.SendAsync(ct).ConfigureAwait(false);
        }
        foreach (var questionnaire in Questionnaires(lookups)) await WriteAsync(questionnaire).ConfigureAwait(false);
        await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
        {
            if (Response(row, lookups) is { } qr) await WriteAsync(qr).ConfigureAwait(false);
        }
        if (!first) writer.WriteEndArray();
        writer.WriteEndObject();
        await json.SendAsync(ct, all: true).ConfigureAwait(false);
    }

    private static Bundle Header(ResponseRowLookups lookups) => new()
    {
        Type = Bundle.BundleType.Collection,
        Identifier = new Identifier($"{Base}:export", lookups.StudyId),
        Timestamp = lookups.GeneratedAt,
    };

    /// <summary>The questionnaire of each instrument, in id order, each made when it is asked for.</summary>
    private static IEnumerable<Questionnaire> Questionnaires(ResponseRowLookups lookups) =>
        lookups.Instruments.Values.DistinctBy(i => i.Id).OrderBy(i => i.Id, StringComparer.Ordinal).Select(ToQuestionnaire);

    /// <summary>A row's questionnaire response, null when its role's instrument is not known.</summary>
    private static QuestionnaireResponse? Response(ResponseRow row, ResponseRowLookups lookups) =>
        lookups.Instruments.TryGetValue(row.Response.RaterRole, out var instrument) ? ToQuestionnaireResponse(row.Response, instrument, row.RaterId) : null;

    /// <summary>A resource as FHIR JSON.</summary>
    public static string ToJson(Resource resource) => JsonSerializer.Serialize(resource, resource.GetType(), JsonOptions);

    private static string LinkId(int number) => string.Create(CultureInfo.InvariantCulture, $"item-{number}");

    private static string AnswerSystem(string instrumentId) => $"{Base}:answer:{instrumentId}";

    private static Questionnaire.ItemComponent ScoreItem(string linkId, LocalizedText label, string lang)
    {
        var item = new Questionnaire.ItemComponent { LinkId = linkId, Type = Questionnaire.QuestionnaireItemType.Decimal, ReadOnly = true, Required = false };
        item.TextElement = Translated(label, lang);
        return item;
    }

    private static QuestionnaireResponse.ItemComponent ScoreAnswer(string linkId, double value) => new()
    {
        LinkId = linkId,
        Answer = double.IsFinite(value) ? [new QuestionnaireResponse.AnswerComponent { Value = new FhirDecimal((decimal)value) }] : [],
    };

    /// <summary>The text in <paramref name="lang"/>, the other languages as translation extensions.</summary>
    private static FhirString Translated(LocalizedText text, string lang)
    {
        var value = new FhirString(text.Get(lang));
        foreach (var other in text.Languages.Where(l => l != lang).Order(StringComparer.Ordinal))
        {
            value.Extension.Add(new Extension
            {
                Url = TranslationExtension,
                Extension = [new Extension("lang", new Code(other)), new Extension("content", new FhirString(text.Get(other)))],
            });
        }
        return value;
    }
}
