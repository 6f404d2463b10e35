using System.Collections.Immutable;
using System.Globalization;
using AlliancePipeline.Core.Schemas;
using NCrontab;
using YamlDotNet.RepresentationModel;

namespace AlliancePipeline.Core.Studies;

/// <summary>
/// Reads one study file in three stages: <see cref="YamlTree"/> reads the text into nodes that know their lines;
/// <see cref="StudyFileSchema"/> validates them against the schema, each problem with its line and field; this class
/// maps what the schema accepted to the model and checks the cross-references a schema cannot express (unique ids,
/// ids that must exist, instruments, meeting order, alert thresholds on the instrument's scale…). Every problem of
/// every stage is reported at once, in file order. Used through <see cref="StudyFile.Parse"/>.
/// </summary>
internal sealed partial class StudyFileReader
{
    private const int MappingRank = 3;

    private readonly string _source;
    private readonly Func<string, string?> _readRelativeFile;
    private readonly YamlTree _tree;
    private readonly StudyFileSchema _schema;
    private readonly List<StudyFileError> _errors = [];

    // Ids declared under arms, sites and raters, even by entries with problems elsewhere: a reference to them is not
    // reported as unknown on top of the entry's own problem.
    private readonly HashSet<string> _arms = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sites = new(StringComparer.Ordinal);
    private readonly HashSet<string> _raters = new(StringComparer.Ordinal);

    /// <summary>A mapping of the file and its place (a JSON Pointer: <c>/dyads/3</c>).</summary>
    private sealed record Fields(YamlMappingNode Node, string Pointer)
    {
        public string PointerOf(string name) => JsonPointerText.Append(Pointer, name);
    }

    /// <summary>An entry read from a list, with its place.</summary>
    private sealed record At<T>(T Value, string Pointer);

    private StudyFileReader(string source, Func<string, string?> readRelativeFile, YamlTree tree, StudyFileSchema schema)
    {
        _source = source;
        _readRelativeFile = readRelativeFile;
        _tree = tree;
        _schema = schema;
    }

    /// <summary>Reads, validates and maps a study file.</summary>
    public static StudyFileResult Read(string text, string source, Func<string, string?> readRelativeFile)
    {
        var tree = YamlTree.Read(text, source);
        if (tree.Refusal is { } refusal)
        {
            return new StudyFileResult(source, null, [refusal], _ => (1, 1));
        }

        var schema = StudyFileSchema.Check(tree, source);
        var reader = new StudyFileReader(source, readRelativeFile, tree, schema);
        var definition = reader.Map();
        var errors = tree.Problems.Select(e => (Error: e, Rank: StudyFileSchema.ReadingRank))
            .Concat(schema.Errors)
            .Concat(reader._errors.Select(e => (Error: e, Rank: MappingRank)))
            .OrderBy(e => e.Error.Line).ThenBy(e => e.Error.Column).ThenBy(e => e.Rank)
            .Select(e => e.Error)
            .ToImmutableArray();
        return new StudyFileResult(source, definition, errors, field => tree.PositionOf(YamlTree.PointerOf(field)));
    }

    /// <summary>The message for a report schedule that is not six-field NCRONTAB.</summary>
    internal static string NotASchedule(string schedule) =>
        $"'{schedule}' is not a six-field NCRONTAB schedule (second minute hour day month day-of-week, in UTC), e.g. '0 0 6 * * 1' for Mondays at 06:00";

    private StudyDefinition? Map()
    {
        if (_tree.Root is not YamlMappingNode rootNode)
        {
            return null;
        }

        var root = new Fields(rootNode, "");
        var id = Text(root, "id");
        var (name, names) = StudyName(root);
        var instruments = Instruments(root);
        var meetings = Meetings(root);
        var arms = List(root, "arms", Arm);
        var sites = List(root, "sites", Site);
        var raters = List(root, "raters", Rater);
        var dyads = List(root, "dyads", Dyad);
        var reminders = Reminders(root);
        var reports = Reports(root);
        var alerts = Alerts(root, instruments);
        var lifetime = Integer(root, "linkLifetimeDays");
        var digests = Digests(root);
        var handOver = Text(root, "handOver") == "allowed";
        var analysis = Analysis(root);
        var covariates = Covariates(root);

        Unique(arms, a => a.Id, "arm");
        Unique(sites, s => s.Id, "site");
        Unique(raters, r => r.Id, "rater");
        Unique(dyads, d => d.Id, "dyad");
        CheckRaters(raters, instruments);
        CheckDyads(dyads, raters);

        if (_errors.Count > 0 || _schema.Errors.Count > 0 || _tree.Problems.Count > 0 || id is null || name is null || meetings is null ||
            reminders is null || !instruments.ContainsKey(RaterRoles.Practitioner) || (Has(root, "reports") && reports is null))
        {
            return null;
        }

        return new StudyDefinition(id, name, instruments, meetings.Value,
            arms.Select(a => a.Value).ToImmutableArray(), sites.Select(s => s.Value).ToImmutableArray(),
            raters.Select(r => r.Value).ToImmutableArray(), dyads.Select(d => d.Value).ToImmutableArray(),
            reminders, reports, alerts, lifetime, handOver)
        {
            Digests = digests,
            Names = names,
            Analysis = analysis,
            Covariates = covariates,
        };
    }

    /// <summary>The study's name: one (text), or one per language (then the English one, else the first in the file, and all of them).</summary>
    private (string? Name, ImmutableSortedDictionary<string, string> Names) StudyName(Fields root) => PerLanguage(root, "name");

    /// <summary>A text given once or per language (a study's name, a covariate's label): the English one, else the first in the file, and all of them.</summary>
    private (string? Name, ImmutableSortedDictionary<string, string> Names) PerLanguage(Fields root, string field)
    {
        var none = ImmutableSortedDictionary<string, string>.Empty;
        if (Value(root, field) is not YamlMappingNode map) return (Text(root, field), none);
        if (_schema.Refused(root.PointerOf(field))) return (null, none);
        var fields = new Fields(map, root.PointerOf(field));
        var names = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        string? first = null;
        foreach (var entry in map.Children)
        {
            if (entry.Key is not YamlScalarNode { Value: { Length: > 0 } language } || Text(fields, language) is not { Length: > 0 } text) continue;
            names[language] = text;
            first ??= text;
        }
        return first is null ? (null, none) : (names.GetValueOrDefault("en") ?? first, names.ToImmutable());
    }

    // ---- errors ----

    private void Error(YamlNode node, string pointer, string message) => ErrorInField(node, _tree.FieldPath(pointer), message);

    private void ErrorInField(YamlNode node, string field, string message) =>
        _errors.Add(new StudyFileError(_source, (int)node.Start.Line, (int)node.Start.Column, field, message));

    private void ErrorAt(string pointer, string message)
    {
        var (line, column) = _tree.PositionOf(pointer);
        _errors.Add(new StudyFileError(_source, line, column, _tree.FieldPath(pointer), message));
    }

    private string LineOf(string pointer) => _tree.PositionOf(pointer).Line.ToString(CultureInfo.InvariantCulture);

    // ---- values the schema accepted ----

    /// <summary>A field's value, when it is there and not empty (an empty value counts as absent).</summary>
    private YamlNode? Value(Fields fields, string name) =>
        _tree.Entry(fields.Node, name)?.Value is { } value && !(value is YamlScalarNode scalar && YamlValues.IsNull(scalar)) ? value : null;

    private bool Has(Fields fields, string name) => Value(fields, name) is not null;

    private Fields? Open(YamlNode? node, string pointer) => node is YamlMappingNode map ? new Fields(map, pointer) : null;

    /// <summary>A single value the schema accepted, or null (absent, or refused: the schema has said why).</summary>
    private YamlScalarNode? Scalar(Fields fields, string name) =>
        Value(fields, name) is YamlScalarNode scalar && !_schema.Refused(fields.PointerOf(name)) ? scalar : null;

    private string? Text(Fields fields, string name) => Scalar(fields, name) is { } scalar ? (scalar.Value ?? "").Trim() : null;

    private int? Integer(Fields fields, string name) => Scalar(fields, name) is { } scalar ? (int?)YamlValues.AsInteger(scalar) : null;

    private double? Number(Fields fields, string name) => Scalar(fields, name) is { } scalar ? YamlValues.AsNumber(scalar) : null;

    private bool? Boolean(Fields fields, string name) => Scalar(fields, name) is { } scalar ? YamlValues.AsBoolean(scalar) : null;

    private DateOnly? Date(Fields fields, string name) =>
        Text(fields, name) is { } text && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    /// <summary>Reads a list field entry by entry; entries that have problems are left out.</summary>
    private List<At<T>> List<T>(Fields fields, string name, Func<YamlNode, string, T?> item)
        where T : class
    {
        var read = new List<At<T>>();
        if (Value(fields, name) is not YamlSequenceNode list)
        {
            return read;
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var pointer = JsonPointerText.Append(fields.PointerOf(name), i.ToString(CultureInfo.InvariantCulture));
            if (item(list.Children[i], pointer) is { } entry)
            {
                read.Add(new At<T>(entry, pointer));
            }
        }

        return read;
    }

    private void Unique<T>(List<At<T>> items, Func<T, string> id, string what)
    {
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var key = id(item.Value);
            if (!first.TryAdd(key, item.Pointer))
            {
                ErrorAt(JsonPointerText.Append(item.Pointer, "id"),
                    $"{what} id '{key}' is used twice (first on line {LineOf(JsonPointerText.Append(first[key], "id"))})");
            }
        }
    }

    private void UniqueEmails(List<At<StudyContact>> contacts, string what)
    {
        var first = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var contact in contacts)
        {
            if (!first.TryAdd(contact.Value.Email, contact.Pointer))
            {
                ErrorAt(JsonPointerText.Append(contact.Pointer, "email"),
                    $"{what} '{contact.Value.Email}' is listed twice (first on line {LineOf(JsonPointerText.Append(first[contact.Value.Email], "email"))})");
            }
        }
    }

    private static string? Declare(HashSet<string> declared, string? id)
    {
        if (id is not null)
        {
            declared.Add(id);
        }

        return id;
    }

    // ---- the study's parts ----

    private ImmutableArray<MeetingSchedule>? Meetings(Fields root)
    {
        var meetings = List(root, "meetings", Meeting);
        var ok = meetings.Count > 0;
        for (var i = 0; i < meetings.Count; i++)
        {
            var (meeting, pointer) = (meetings[i].Value, meetings[i].Pointer);
            if (meeting.Number != i + 1)
            {
                ErrorAt(JsonPointerText.Append(pointer, "number"), $"meetings must be numbered 1, 2, 3… in order: this one should be {i + 1}, not {meeting.Number}");
                ok = false;
            }

            if (i > 0 && meeting.ExpectedDay <= meetings[i - 1].Value.ExpectedDay)
            {
                ErrorAt(JsonPointerText.Append(pointer, "expectedDay"),
                    $"must be later than meeting {meetings[i - 1].Value.Number}'s day ({meetings[i - 1].Value.ExpectedDay})");
                ok = false;
            }
        }

        return ok ? meetings.Select(m => m.Value).ToImmutableArray() : null;
    }

    private MeetingSchedule? Meeting(YamlNode node, string pointer) =>
        Open(node, pointer) is { } f && Integer(f, "number") is { } number && Integer(f, "expectedDay") is { } day && Integer(f, "windowDays") is { } window
            ? new MeetingSchedule(number, day, window)
            : null;

    private StudyArm? Arm(YamlNode node, string pointer)
    {
        if (Open(node, pointer) is not { } f)
        {
            return null;
        }

        var id = Declare(_arms, Text(f, "id"));
        var name = Text(f, "name");
        return id is null || name is null ? null : new StudyArm(id, name);
    }

    private StudyContact? Contact(YamlNode node, string pointer) =>
        Open(node, pointer) is { } f && Text(f, "email") is { } email && Text(f, "language") is { } language ? new StudyContact(email, language) : null;

    private StudySite? Site(YamlNode node, string pointer)
    {
        if (Open(node, pointer) is not { } f)
        {
            return null;
        }

        var id = Declare(_sites, Text(f, "id"));
        var name = Text(f, "name");
        var coordinators = List(f, "coordinators", Contact);
        UniqueEmails(coordinators, "coordinator");
        return id is null || name is null || !Has(f, "coordinators") ? null
            : new StudySite(id, name, coordinators.Select(c => c.Value).ToImmutableArray());
    }

    private StudyRater? Rater(YamlNode node, string pointer)
    {
        if (Open(node, pointer) is not { } f)
        {
            return null;
        }

        var id = Declare(_raters, Text(f, "id"));
        var role = Text(f, "role");
        var site = Text(f, "site");
        var email = Text(f, "email");
        var language = Text(f, "language");
        return id is null || role is null || site is null || email is null || language is null
            ? null
            : new StudyRater(id, role, site, email, language);
    }

    private StudyDyad? Dyad(YamlNode node, string pointer)
    {
        if (Open(node, pointer) is not { } f)
        {
            return null;
        }

        var id = Text(f, "id");
        var practitioner = Text(f, "practitioner");
        var client = Text(f, "client");
        var clientOk = !Has(f, "client") || client is not null;
        var site = Text(f, "site");
        var arm = Text(f, "arm");
        var enrolled = Date(f, "enrolled");
        var withdrawn = Has(f, "withdrawn") ? Boolean(f, "withdrawn") : false;
        return id is null || practitioner is null || !clientOk || site is null || arm is null || enrolled is null || withdrawn is null
            ? null
            : new StudyDyad(id, practitioner, client, site, arm, enrolled.Value, withdrawn.Value);
    }

    private ReminderPolicy? Reminders(Fields root) =>
        Open(Value(root, "reminders"), root.PointerOf("reminders")) is { } f &&
        Integer(f, "firstAfterDays") is { } first && Integer(f, "everyDays") is { } every && Integer(f, "maxCount") is { } max
            ? new ReminderPolicy(first, every, max)
            : null;

    private DigestPolicy Digests(Fields root) =>
        Open(Value(root, "digests"), root.PointerOf("digests")) is { } f && Has(f, "whenNothingOverdue") && Boolean(f, "whenNothingOverdue") is { } when
            ? new DigestPolicy(when)
            : DigestPolicy.Default;

    private StudyAnalysis Analysis(Fields root)
    {
        var analysis = StudyAnalysis.Default;
        if (Open(Value(root, "analysis"), root.PointerOf("analysis")) is not { } f)
        {
            return analysis;
        }

        analysis = analysis with
        {
            Deviation = Text(f, "scores") == "deviation",
            Missing = Text(f, "missingMeetings") == "assign" ? MissingMeetings.Assign : MissingMeetings.Complete,
            PrimaryTest = PrimaryTests.Parse(Text(f, "primaryTest")),
        };
        if (Open(Value(f, "clusters"), f.PointerOf("clusters")) is { } c)
        {
            analysis = analysis with
            {
                FixedK = Integer(c, "k"),
                Rule = Text(c, "rule") == "absolute" ? ClusterRule.Absolute : ClusterRule.Relative,
                MinClusterShare = Number(c, "minShare") ?? analysis.MinClusterShare,
                MinK = Integer(c, "minK") ?? analysis.MinK,
                MaxK = Integer(c, "maxK") ?? analysis.MaxK,
            };
            if (analysis.FixedK is not null && Has(c, "rule"))
            {
                Error(Value(c, "rule")!, c.PointerOf("rule"), "give either k (a fixed number of clusters) or rule (k chosen from the agglomeration coefficient), not both");
            }

            if (analysis.MinK > analysis.MaxK)
            {
                Error(Value(c, "maxK") ?? Value(c, "minK")!, c.PointerOf(Has(c, "maxK") ? "maxK" : "minK"),
                    $"the k range is empty: minK ({analysis.MinK}) is above maxK ({analysis.MaxK})");
            }
        }

        if (Open(Value(f, "followUp"), f.PointerOf("followUp")) is { } u && Integer(u, "days") is { } days)
        {
            analysis = analysis with { FollowUp = new FollowUp(days, Text(u, "from") == "firstMeeting" ? FollowUpOrigin.FirstMeeting : FollowUpOrigin.Enrolment) };
        }

        if (analysis.PrimaryTest == PrimaryTest.TimeToJob && analysis.FollowUp is null && !Has(f, "followUp"))
        {
            Error(Value(f, "primaryTest")!, f.PointerOf("primaryTest"), "timeToJob needs a follow-up (analysis.followUp): without one the report runs no log-rank test");
        }

        return analysis;
    }

    /// <summary>
    /// The covariates (<c>covariates[]</c>): what the schema cannot say is checked here, at the field: a categorical
    /// covariate needs its levels and a numeric one has none; levels once each (any case), min at most max, names
    /// once each (any case: they are CSV columns) and not <c>dyad</c>.
    /// </summary>
    private ImmutableArray<StudyCovariate> Covariates(Fields root)
    {
        var read = List(root, "covariates", Covariate);
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (covariate, pointer) in read)
        {
            if (!seen.TryAdd(covariate.Name, pointer))
            {
                ErrorAt(JsonPointerText.Append(pointer, "name"), $"covariate '{covariate.Name}' is already named at line {LineOf(seen[covariate.Name])} (names are CSV columns: letter case does not tell them apart)");
            }
        }

        return [.. read.Select(c => c.Value)];
    }

    private StudyCovariate? Covariate(YamlNode node, string pointer)
    {
        if (Open(node, pointer) is not { } f || Text(f, "name") is not { } name || Text(f, "type") is not { } type)
        {
            return null;
        }

        var ok = true;
        if (!StudyCovariate.IsValidName(name))
        {
            Error(Value(f, "name")!, f.PointerOf("name"), $"'{name}' cannot be a covariate's name: 'dyad' is the CSV's dyad column");
            ok = false;
        }

        var levels = ImmutableArray<string>.Empty;
        if (type == "categorical")
        {
            if (Value(f, "levels") is YamlSequenceNode list)
            {
                var texts = list.Children.OfType<YamlScalarNode>().Select(l => (l.Value ?? "").Trim()).ToList();
                levels = [.. texts];
                foreach (var twice in texts.GroupBy(l => l, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
                {
                    Error(list, f.PointerOf("levels"), $"level '{twice.Key}' of covariate '{name}' is listed twice (letter case does not tell levels apart)");
                    ok = false;
                }

                ok &= !_schema.Refused(f.PointerOf("levels"));
            }
            else
            {
                Error(node, pointer, $"categorical covariate '{name}' needs its levels: add levels: [..] (2 to 20)");
                ok = false;
            }

            foreach (var numeric in new[] { "min", "max" }.Where(n => Has(f, n)))
            {
                Error(Value(f, numeric)!, f.PointerOf(numeric), $"covariate '{name}' is categorical: {numeric} is for a numeric covariate");
                ok = false;
            }
        }
        else if (Has(f, "levels"))
        {
            Error(Value(f, "levels")!, f.PointerOf("levels"), $"covariate '{name}' is numeric: levels are for a categorical covariate (or give min and max)");
            ok = false;
        }

        var min = Number(f, "min");
        var max = Number(f, "max");
        if (min is { } lo && max is { } hi && lo > hi)
        {
            Error(Value(f, "max")!, f.PointerOf("max"), string.Create(CultureInfo.InvariantCulture, $"max ({hi}) of covariate '{name}' is below its min ({lo})"));
            ok = false;
        }

        var (label, labels) = PerLanguage(f, "label");

        return ok && !_schema.Refused(pointer)
            ? new StudyCovariate(name, type == "numeric" ? CovariateType.Numeric : CovariateType.Categorical, levels, type == "numeric" ? min : null, type == "numeric" ? max : null) { Label = label, Labels = labels }
            : null;
    }

    private ReportSchedule? Reports(Fields root)
    {
        if (Open(Value(root, "reports"), root.PointerOf("reports")) is not { } f)
        {
            return null;
        }

        var schedule = Text(f, "schedule");
        if (schedule is not null && CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            Error(Value(f, "schedule")!, f.PointerOf("schedule"), NotASchedule(schedule));
            schedule = null;
        }

        var recipients = List(f, "recipients", Contact);
        UniqueEmails(recipients, "recipient");
        return schedule is null || !Has(f, "recipients") ? null
            : new ReportSchedule(schedule, recipients.Select(r => r.Value).ToImmutableArray());
    }

    private ImmutableSortedDictionary<string, AlertThresholds> Alerts(Fields root, ImmutableSortedDictionary<string, StudyInstrument> instruments)
    {
        var byRole = ImmutableSortedDictionary.CreateBuilder<string, AlertThresholds>(StringComparer.Ordinal);
        if (Open(Value(root, "alerts"), root.PointerOf("alerts")) is not { } fields)
        {
            return byRole.ToImmutable();
        }

        foreach (var role in RaterRoles.All)
        {
            var value = Value(fields, role);
            if (Open(value, fields.PointerOf(role)) is not { } f || (!Has(f, "drop") && !Has(f, "cutoff")))
            {
                continue; // not thresholds, or neither threshold: the schema has said so
            }

            if (!instruments.TryGetValue(role, out var instrument))
            {
                // Without the role's instrument its scale is unknown. An instrument named but refused is reported there already.
                if (!_instrumentRolesNamed.Contains(role))
                {
                    Error(value!, f.Pointer, $"there is no instrument for role '{role}' under instruments, so its responses cannot alert");
                }

                continue;
            }

            var drop = Number(f, "drop");
            var cutoff = Number(f, "cutoff");
            var notify = Has(f, "notifyRater") ? Boolean(f, "notifyRater") : false;
            var scale = instrument.Definition.Scale;
            var width = scale.Max - scale.Min;
            var ok = (!Has(f, "drop") || drop is not null) && (!Has(f, "cutoff") || cutoff is not null) && notify is not null;
            if (drop is { } d && (d <= 0 || d > width))
            {
                Error(Value(f, "drop")!, f.PointerOf("drop"), string.Create(CultureInfo.InvariantCulture,
                    $"must be more than 0 and at most {width}, the width of the {scale.Min}–{scale.Max} scale of '{instrument.InstrumentId}', not {d}"));
                ok = false;
            }

            if (cutoff is { } c && (c <= scale.Min || c > scale.Max))
            {
                Error(Value(f, "cutoff")!, f.PointerOf("cutoff"), string.Create(CultureInfo.InvariantCulture,
                    $"must be above {scale.Min} and at most {scale.Max} (the scale of '{instrument.InstrumentId}'), not {c}"));
                ok = false;
            }

            if (ok)
            {
                byRole[role] = new AlertThresholds(drop, cutoff, notify!.Value);
            }
        }

        return byRole.ToImmutable();
    }

    // ---- cross-references ----

    private void CheckRaters(List<At<StudyRater>> raters, ImmutableSortedDictionary<string, StudyInstrument> instruments)
    {
        foreach (var (rater, pointer) in raters)
        {
            if (!_sites.Contains(rater.SiteId))
            {
                ErrorAt(JsonPointerText.Append(pointer, "site"), $"site '{rater.SiteId}' is not listed under sites");
            }

            if (!instruments.TryGetValue(rater.Role, out var instrument))
            {
                if (!_instrumentRolesNamed.Contains(rater.Role))
                {
                    ErrorAt(JsonPointerText.Append(pointer, "role"), $"raters in role '{rater.Role}' need an instrument: add instruments.{rater.Role}");
                }
            }
            else if (!StudyRules.Serves(instrument.Definition, rater.Language))
            {
                ErrorAt(JsonPointerText.Append(pointer, "language"),
                    $"language '{rater.Language}' is not one of the languages of instrument '{instrument.InstrumentId}' ({string.Join(", ", instrument.Definition.Languages)})");
            }
        }
    }

    private void CheckDyads(List<At<StudyDyad>> dyads, List<At<StudyRater>> raters)
    {
        var raterById = raters.GroupBy(r => r.Value.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        var clientOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (dyad, pointer) in dyads)
        {
            if (!_sites.Contains(dyad.SiteId))
            {
                ErrorAt(JsonPointerText.Append(pointer, "site"), $"site '{dyad.SiteId}' is not listed under sites");
            }

            if (!_arms.Contains(dyad.ArmId))
            {
                ErrorAt(JsonPointerText.Append(pointer, "arm"), $"arm '{dyad.ArmId}' is not listed under arms");
            }

            CheckDyadRater(dyad, pointer, "practitioner", dyad.PractitionerId, RaterRoles.Practitioner, raterById);
            if (dyad.ClientId is { } client)
            {
                CheckDyadRater(dyad, pointer, "client", client, RaterRoles.Client, raterById);
                if (!dyad.Withdrawn && !clientOf.TryAdd(client, dyad.Id))
                {
                    ErrorAt(JsonPointerText.Append(pointer, "client"), $"client rater '{client}' is already the client of dyad '{clientOf[client]}'");
                }
            }
        }
    }

    private void CheckDyadRater(StudyDyad dyad, string pointer, string field, string raterId, string role, Dictionary<string, StudyRater> raterById)
    {
        var at = JsonPointerText.Append(pointer, field);
        if (!raterById.TryGetValue(raterId, out var rater))
        {
            if (!_raters.Contains(raterId))
            {
                ErrorAt(at, $"rater '{raterId}' is not listed under raters");
            }
        }
        else if (rater.Role != role)
        {
            ErrorAt(at, $"rater '{raterId}' is a {rater.Role} rater, not a {role}");
        }
        else if (rater.SiteId != dyad.SiteId && _sites.Contains(rater.SiteId))
        {
            ErrorAt(at, $"rater '{raterId}' is at site '{rater.SiteId}', not at the dyad's site '{dyad.SiteId}'");
        }
    }
}
