using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using AlliancePipeline.Core.Instruments;
using NCrontab;
using YamlDotNet.RepresentationModel;

namespace AlliancePipeline.Core.Studies;

/// <summary>
/// Reads one study file: walks the YAML nodes with their paths, collects every problem with its line, then checks the
/// cross-references. Used through <see cref="StudyFile.Parse"/>.
/// </summary>
internal sealed class StudyFileReader(string source, Func<string, string?> readRelativeFile)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly List<StudyFileError> _errors = [];
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal) { [""] = (1, 1) };

    // Ids declared under arms, sites and raters, even by entries with problems elsewhere: a reference to them is not
    // reported as unknown on top of the entry's own problem.
    private readonly HashSet<string> _arms = new(StringComparer.Ordinal);
    private readonly HashSet<string> _sites = new(StringComparer.Ordinal);
    private readonly HashSet<string> _raters = new(StringComparer.Ordinal);

    // Roles named under instruments, whether or not their instrument loaded.
    private readonly HashSet<string> _instrumentRolesNamed = new(StringComparer.Ordinal);

    /// <summary>A mapping whose field names were checked against its shape; values that are null count as absent.</summary>
    private sealed class Fields(string path, YamlMappingNode node, Dictionary<string, YamlNode> values)
    {
        public string Path { get; } = path;

        public YamlMappingNode Node { get; } = node;

        public string PathOf(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

        public bool TryGet(string name, out YamlNode value) => values.TryGetValue(name, out value!);

        public bool Has(string name) => values.ContainsKey(name);
    }

    /// <summary>An item read from a list, with its path (e.g. <c>dyads[3]</c>).</summary>
    private sealed record At<T>(T Value, string Path);

    public StudyFileResult Read(string text)
    {
        var loaded = YamlValues.Load(text);
        if (loaded.Root is null)
        {
            _errors.Add(new StudyFileError(source, loaded.Line, loaded.Column, "", loaded.Problem!));
            return Result(null);
        }

        var root = Open(loaded.Root, "", StudyFile.Study);
        if (root is null)
        {
            return Result(null);
        }

        var id = Id(root, "id", "study");
        var name = Text(root, "name");
        var instruments = Instruments(root);
        var meetings = Meetings(root);
        var arms = List(root, "arms", 1, "arm", Arm);
        var sites = List(root, "sites", 1, "site", Site);
        var raters = List(root, "raters", 0, "rater", Rater);
        var dyads = List(root, "dyads", 0, "dyad", Dyad);
        var reminders = Reminders(root);
        var reports = Reports(root);
        var alerts = Alerts(root, instruments);
        var lifetime = Integer(root, "linkLifetimeDays", 1, StudyFile.MaxLinkLifetimeDays);

        Unique(arms, a => a.Id, "arm");
        Unique(sites, s => s.Id, "site");
        Unique(raters, r => r.Id, "rater");
        Unique(dyads, d => d.Id, "dyad");
        CheckRaters(raters, instruments);
        CheckDyads(dyads, raters);

        if (_errors.Count > 0 || id is null || name is null || meetings is null || reminders is null ||
            !instruments.ContainsKey(RaterRoles.Practitioner) || (root.Has("reports") && reports is null))
        {
            return Result(null);
        }

        return Result(new StudyDefinition(id, name, instruments, meetings.Value,
            arms.Select(a => a.Value).ToImmutableArray(), sites.Select(s => s.Value).ToImmutableArray(),
            raters.Select(r => r.Value).ToImmutableArray(), dyads.Select(d => d.Value).ToImmutableArray(),
            reminders, reports, alerts, lifetime));
    }

    private StudyFileResult Result(StudyDefinition? definition) =>
        new(source, definition, _errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToImmutableArray(), _positions);

    // ---- errors and positions ----

    private void Error(YamlNode node, string field, string message) =>
        _errors.Add(new StudyFileError(source, (int)node.Start.Line, (int)node.Start.Column, field, message));

    private void ErrorAt(string field, string message)
    {
        var (line, column) = _positions.TryGetValue(field, out var p) ? p : (1, 1);
        _errors.Add(new StudyFileError(source, line, column, field, message));
    }

    private string LineOf(string field) =>
        (_positions.TryGetValue(field, out var p) ? p.Line : 1).ToString(CultureInfo.InvariantCulture);

    // ---- generic readers ----

    private Fields? Open(YamlNode node, string path, ObjectShape shape)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, path, $"must be {shape.Name}: a mapping of fields (name: value), not {YamlValues.Kind(node)}");
            return null;
        }

        var values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var allowed = shape.Allowed.ToHashSet(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name })
            {
                Error(keyNode, path, "a field name must be a single word, not a list or a mapping");
                continue;
            }

            var fieldPath = path.Length == 0 ? name : $"{path}.{name}";
            if (!allowed.Contains(name))
            {
                Error(keyNode, fieldPath, $"'{name}' is not a field of {shape.Name}; the fields are: {string.Join(", ", shape.Allowed)}");
                continue;
            }

            _positions[fieldPath] = ((int)keyNode.Start.Line, (int)keyNode.Start.Column);
            if (YamlValues.IsNull(value))
            {
                if (shape.Required.Contains(name))
                {
                    Error(keyNode, fieldPath, "has no value");
                }

                continue;
            }

            values[name] = value;
        }

        foreach (var name in shape.Required.Where(n => !values.ContainsKey(n) && !map.Children.Any(c => c.Key is YamlScalarNode { Value: var k } && k == n)))
        {
            Error(map, path.Length == 0 ? name : $"{path}.{name}", $"'{name}' is missing from {shape.Name}");
        }

        return new Fields(path, map, values);
    }

    private YamlScalarNode? Scalar(Fields fields, string name)
    {
        if (!fields.TryGet(name, out var value))
        {
            return null;
        }

        if (value is YamlScalarNode scalar)
        {
            return scalar;
        }

        Error(value, fields.PathOf(name), $"must be a single value, not {YamlValues.Kind(value)}");
        return null;
    }

    private string? Text(Fields fields, string name)
    {
        var scalar = Scalar(fields, name);
        if (scalar is null)
        {
            return null;
        }

        var text = (scalar.Value ?? "").Trim();
        if (text.Length == 0)
        {
            Error(scalar, fields.PathOf(name), "must not be empty");
            return null;
        }

        return text;
    }

    /// <summary>A text value that must pass <paramref name="ok"/>; else <paramref name="problem"/> of the text is reported.</summary>
    private string? Checked(Fields fields, string name, Func<string, bool> ok, Func<string, string> problem)
    {
        var text = Text(fields, name);
        if (text is null || ok(text))
        {
            return text;
        }

        Error(Scalar(fields, name)!, fields.PathOf(name), problem(text));
        return null;
    }

    private string? Id(Fields fields, string name, string what) => Checked(fields, name, StudyIds.IsValid,
        text => $"'{text}' is not a valid {what} id: use 1–63 lower-case letters, digits and hyphens, not starting or ending with a hyphen");

    private string? Email(Fields fields, string name) =>
        Checked(fields, name, StudyRules.IsEmail, text => $"'{text}' is not an email address");

    private string? Language(Fields fields, string name) => Checked(fields, name, StudyRules.IsLanguageTag,
        text => $"'{text}' is not a language tag: use a BCP 47 tag such as en, fr or fr-CA");

    private DateOnly? Date(Fields fields, string name) =>
        Checked(fields, name, text => ParseDate(text) is not null, text => $"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31")
            is { } valid ? ParseDate(valid) : null;

    private static DateOnly? ParseDate(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    /// <summary>A bare scalar read by <paramref name="read"/> (null = not of that type, reported as needing <paramref name="expected"/>).</summary>
    private T? Typed<T>(Fields fields, string name, Func<YamlScalarNode, T?> read, string expected)
        where T : struct
    {
        var scalar = Scalar(fields, name);
        if (scalar is null)
        {
            return null;
        }

        var value = read(scalar);
        if (value is null)
        {
            Error(scalar, fields.PathOf(name), $"must be {expected}, not '{scalar.Value}'");
        }

        return value;
    }

    private int? Integer(Fields fields, string name, int min, int max)
    {
        var value = Typed(fields, name, YamlValues.AsInteger, $"a whole number from {min} to {max}");
        if (value is null)
        {
            return null;
        }

        if (value < min || value > max)
        {
            Error(Scalar(fields, name)!, fields.PathOf(name), $"must be from {min} to {max}, not {value}");
            return null;
        }

        return (int)value.Value;
    }

    private double? Number(Fields fields, string name) => Typed(fields, name, YamlValues.AsNumber, "a number such as 1 or 0.75");

    private bool? Boolean(Fields fields, string name) => Typed(fields, name, YamlValues.AsBoolean, "true or false");

    /// <summary>Reads a list field item by item; items that have problems are reported and left out.</summary>
    private List<At<T>> List<T>(Fields fields, string name, int minCount, string what, Func<YamlNode, string, T?> item)
        where T : class
    {
        var read = new List<At<T>>();
        if (!fields.TryGet(name, out var value))
        {
            return read;
        }

        var path = fields.PathOf(name);
        if (value is not YamlSequenceNode list)
        {
            Error(value, path, $"must be a list (one '- ' line per {what}), not {YamlValues.Kind(value)}");
            return read;
        }

        if (list.Children.Count < minCount)
        {
            Error(value, path, $"must list at least {minCount} {what}");
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var node = list.Children[i];
            var itemPath = $"{path}[{i}]";
            _positions[itemPath] = ((int)node.Start.Line, (int)node.Start.Column);
            if (item(node, itemPath) is { } entry)
            {
                read.Add(new At<T>(entry, itemPath));
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
            if (!first.TryAdd(key, item.Path))
            {
                ErrorAt($"{item.Path}.id", $"{what} id '{key}' is used twice (first on line {LineOf(first[key] + ".id")})");
            }
        }
    }

    private void UniqueEmails(List<At<StudyContact>> contacts, string what)
    {
        var first = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var contact in contacts)
        {
            if (!first.TryAdd(contact.Value.Email, contact.Path))
            {
                ErrorAt($"{contact.Path}.email", $"{what} '{contact.Value.Email}' is listed twice (first on line {LineOf(first[contact.Value.Email] + ".email")})");
            }
        }
    }

    // ---- the study's parts ----

    private ImmutableSortedDictionary<string, StudyInstrument> Instruments(Fields root)
    {
        var byRole = ImmutableSortedDictionary.CreateBuilder<string, StudyInstrument>(StringComparer.Ordinal);
        if (!root.TryGet("instruments", out var node) || Open(node, "instruments", StudyFile.Instruments) is not { } fields)
        {
            return byRole.ToImmutable();
        }

        var catalog = InstrumentCatalog.Shipped;
        foreach (var role in RaterRoles.All)
        {
            if (!fields.TryGet(role, out var value))
            {
                continue;
            }

            _instrumentRolesNamed.Add(role);
            if (Instrument(role, value, fields.PathOf(role)) is not { } instrument)
            {
                continue;
            }

            if (instrument.Json is not null)
            {
                try
                {
                    catalog = catalog.WithStudyInstrument(instrument.Json, $"{source}: instruments.{role}");
                }
                catch (InstrumentDefinitionException ex)
                {
                    foreach (var error in ex.Errors)
                    {
                        Error(value, fields.PathOf(role), error.Message);
                    }

                    continue;
                }
            }

            byRole[role] = instrument;
        }

        return byRole.ToImmutable();
    }

    private StudyInstrument? Instrument(string role, YamlNode value, string path)
    {
        StudyInstrument? instrument;
        switch (value)
        {
            case YamlScalarNode scalar:
                var id = (scalar.Value ?? "").Trim();
                if (!InstrumentCatalog.Shipped.TryGet(id, out var shipped))
                {
                    Error(scalar, path, $"'{id}' is not a shipped instrument (shipped: {string.Join(", ", InstrumentCatalog.Shipped.ShippedIds.Order(StringComparer.Ordinal))}); " +
                                        "give the study's own instrument as file: path, or write it out here");
                    return null;
                }

                instrument = new StudyInstrument(role, InstrumentSourceKind.Shipped, null, shipped, null);
                break;
            case YamlMappingNode map when map.Children.Keys.Any(k => k is YamlScalarNode { Value: "file" }):
                instrument = InstrumentFile(role, map, path);
                break;
            case YamlMappingNode map:
                instrument = InlineInstrument(role, map, path);
                break;
            default:
                Error(value, path, "must be a shipped instrument id, file: path, or an instrument written out here, not a list");
                return null;
        }

        if (instrument is not null && instrument.Definition.RaterRole != role)
        {
            Error(value, path, $"instrument '{instrument.InstrumentId}' is for raters in role '{instrument.Definition.RaterRole}', not '{role}'");
            return null;
        }

        return instrument;
    }

    private StudyInstrument? InstrumentFile(string role, YamlMappingNode map, string path)
    {
        if (Open(map, path, StudyFile.InstrumentFile) is not { } fields || Text(fields, "file") is not { } file)
        {
            return null;
        }

        var field = fields.PathOf("file");
        var at = Scalar(fields, "file")!;
        if (file.StartsWith('/') || file.Contains('\\', StringComparison.Ordinal) || file.Contains(':', StringComparison.Ordinal) ||
            file.Split('/').Any(segment => segment is ".." or ""))
        {
            Error(at, field, $"'{file}' must be a path relative to the study file, with '/' between folders, not absolute and without '..'");
            return null;
        }

        var text = readRelativeFile(file);
        if (text is null)
        {
            Error(at, field, $"there is no instrument file '{file}' (the path is relative to the study file)");
            return null;
        }

        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            Error(at, field, string.Create(CultureInfo.InvariantCulture,
                $"instrument file '{file}' is not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1})"));
            return null;
        }

        try
        {
            return new StudyInstrument(role, InstrumentSourceKind.File, file, InstrumentLoader.Parse(text, file), text);
        }
        catch (InstrumentDefinitionException ex)
        {
            var fileRoot = YamlValues.Load(text).Root;
            foreach (var error in ex.Errors)
            {
                var where = fileRoot is null ? "" : $" line {YamlValues.Locate(fileRoot, error.Path).Start.Line}";
                Error(at, field, $"instrument file '{file}'{where}, {error.Path}: {error.Message}");
            }

            return null;
        }
    }

    private StudyInstrument? InlineInstrument(string role, YamlMappingNode map, string path)
    {
        var json = YamlValues.ToJson(map)!.ToJsonString(Indented);
        try
        {
            return new StudyInstrument(role, InstrumentSourceKind.Inline, null, InstrumentLoader.Parse(json, $"{source}: {path}"), json);
        }
        catch (InstrumentDefinitionException ex)
        {
            foreach (var error in ex.Errors)
            {
                Error(YamlValues.Locate(map, error.Path), path + error.Path.TrimStart('$'), error.Message);
            }

            return null;
        }
    }

    private ImmutableArray<MeetingSchedule>? Meetings(Fields root)
    {
        var meetings = List(root, "meetings", 1, "meeting", Meeting);
        if (root.TryGet("meetings", out var list) && list is YamlSequenceNode { Children.Count: > StudyFile.MaxMeetings })
        {
            Error(list, "meetings", $"lists {((YamlSequenceNode)list).Children.Count} meetings; at most {StudyFile.MaxMeetings} are allowed");
        }

        var ok = meetings.Count > 0;
        for (var i = 0; i < meetings.Count; i++)
        {
            var (meeting, path) = (meetings[i].Value, meetings[i].Path);
            if (meeting.Number != i + 1)
            {
                ErrorAt($"{path}.number", $"meetings must be numbered 1, 2, 3… in order: this one should be {i + 1}, not {meeting.Number}");
                ok = false;
            }

            if (i > 0 && meeting.ExpectedDay <= meetings[i - 1].Value.ExpectedDay)
            {
                ErrorAt($"{path}.expectedDay", $"must be later than meeting {meetings[i - 1].Value.Number}'s day ({meetings[i - 1].Value.ExpectedDay})");
                ok = false;
            }
        }

        return ok ? meetings.Select(m => m.Value).ToImmutableArray() : null;
    }

    private MeetingSchedule? Meeting(YamlNode node, string path)
    {
        if (Open(node, path, StudyFile.Meeting) is not { } f)
        {
            return null;
        }

        var number = Integer(f, "number", 1, StudyFile.MaxMeetings);
        var day = Integer(f, "expectedDay", 0, StudyFile.MaxExpectedDay);
        var window = Integer(f, "windowDays", 0, StudyFile.MaxWindowDays);
        return number is null || day is null || window is null ? null : new MeetingSchedule(number.Value, day.Value, window.Value);
    }

    private StudyArm? Arm(YamlNode node, string path)
    {
        if (Open(node, path, StudyFile.Arm) is not { } f)
        {
            return null;
        }

        var id = Declare(_arms, Id(f, "id", "arm"));
        var name = Text(f, "name");
        return id is null || name is null ? null : new StudyArm(id, name);
    }

    private StudyContact? Contact(YamlNode node, string path)
    {
        if (Open(node, path, StudyFile.Contact) is not { } f)
        {
            return null;
        }

        var email = Email(f, "email");
        var language = Language(f, "language");
        return email is null || language is null ? null : new StudyContact(email, language);
    }

    private static string? Declare(HashSet<string> declared, string? id)
    {
        if (id is not null)
        {
            declared.Add(id);
        }

        return id;
    }

    private StudySite? Site(YamlNode node, string path)
    {
        if (Open(node, path, StudyFile.Site) is not { } f)
        {
            return null;
        }

        var id = Declare(_sites, Id(f, "id", "site"));
        var name = Text(f, "name");
        var coordinators = List(f, "coordinators", 1, "coordinator", Contact);
        UniqueEmails(coordinators, "coordinator");
        return id is null || name is null || !f.Has("coordinators") ? null
            : new StudySite(id, name, coordinators.Select(c => c.Value).ToImmutableArray());
    }

    private StudyRater? Rater(YamlNode node, string path)
    {
        if (Open(node, path, StudyFile.Rater) is not { } f)
        {
            return null;
        }

        var id = Declare(_raters, Id(f, "id", "rater"));
        var role = Text(f, "role");
        if (role is not null && !RaterRoles.All.Contains(role))
        {
            Error(Scalar(f, "role")!, f.PathOf("role"), $"'{role}' is not a rater role: use {string.Join(" or ", RaterRoles.All)}");
            role = null;
        }

        var site = Id(f, "site", "site");
        var email = Email(f, "email");
        var language = Language(f, "language");
        return id is null || role is null || site is null || email is null || language is null
            ? null
            : new StudyRater(id, role, site, email, language);
    }

    private StudyDyad? Dyad(YamlNode node, string path)
    {
        if (Open(node, path, StudyFile.Dyad) is not { } f)
        {
            return null;
        }

        var id = Id(f, "id", "dyad");
        if (id is not null && id.Length > StudyFile.MaxDyadIdLength)
        {
            Error(Scalar(f, "id")!, f.PathOf("id"),
                $"dyad code '{id}' is too long: at most {StudyFile.MaxDyadIdLength} characters, so that its assessment ids stay valid keys");
            id = null;
        }

        var practitioner = Id(f, "practitioner", "rater");
        var client = f.Has("client") ? Id(f, "client", "rater") : null;
        var clientOk = !f.Has("client") || client is not null;
        var site = Id(f, "site", "site");
        var arm = Id(f, "arm", "arm");
        var enrolled = Date(f, "enrolled");
        var withdrawn = f.Has("withdrawn") ? Boolean(f, "withdrawn") : false;
        return id is null || practitioner is null || !clientOk || site is null || arm is null || enrolled is null || withdrawn is null
            ? null
            : new StudyDyad(id, practitioner, client, site, arm, enrolled.Value, withdrawn.Value);
    }

    private ReminderPolicy? Reminders(Fields root)
    {
        if (!root.TryGet("reminders", out var node) || Open(node, "reminders", StudyFile.Reminders) is not { } f)
        {
            return null;
        }

        var first = Integer(f, "firstAfterDays", 1, ReminderPolicy.MaxDays);
        var every = Integer(f, "everyDays", 1, ReminderPolicy.MaxDays);
        var max = Integer(f, "maxCount", 1, ReminderPolicy.MaxReminders);
        return first is null || every is null || max is null ? null : new ReminderPolicy(first.Value, every.Value, max.Value);
    }

    private ReportSchedule? Reports(Fields root)
    {
        if (!root.TryGet("reports", out var node) || Open(node, "reports", StudyFile.Reports) is not { } f)
        {
            return null;
        }

        var schedule = Text(f, "schedule");
        if (schedule is not null && CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            Error(Scalar(f, "schedule")!, f.PathOf("schedule"),
                $"'{schedule}' is not a six-field NCRONTAB schedule (second minute hour day month day-of-week, in UTC), e.g. '0 0 6 * * 1' for Mondays at 06:00");
            schedule = null;
        }

        var recipients = List(f, "recipients", 0, "recipient", Contact);
        UniqueEmails(recipients, "recipient");
        return schedule is null || !f.Has("recipients") ? null
            : new ReportSchedule(schedule, recipients.Select(r => r.Value).ToImmutableArray());
    }

    private ImmutableSortedDictionary<string, AlertThresholds> Alerts(Fields root, ImmutableSortedDictionary<string, StudyInstrument> instruments)
    {
        var byRole = ImmutableSortedDictionary.CreateBuilder<string, AlertThresholds>(StringComparer.Ordinal);
        if (!root.TryGet("alerts", out var node) || Open(node, "alerts", StudyFile.Alerts) is not { } fields)
        {
            return byRole.ToImmutable();
        }

        foreach (var role in RaterRoles.All)
        {
            if (!fields.TryGet(role, out var value) || Open(value, fields.PathOf(role), StudyFile.AlertRule) is not { } f)
            {
                continue;
            }

            var drop = Number(f, "drop");
            var cutoff = Number(f, "cutoff");
            var notify = f.Has("notifyRater") ? Boolean(f, "notifyRater") : false;
            if (!f.Has("drop") && !f.Has("cutoff"))
            {
                Error(value, f.Path, "give drop, cutoff or both");
                continue;
            }

            if (!instruments.TryGetValue(role, out var instrument))
            {
                // Without the role's instrument its scale is unknown. An instrument named but refused is reported there already.
                if (!_instrumentRolesNamed.Contains(role))
                {
                    Error(value, f.Path, $"there is no instrument for role '{role}' under instruments, so its responses cannot alert");
                }

                continue;
            }

            var scale = instrument.Definition.Scale;
            var width = scale.Max - scale.Min;
            var ok = (!f.Has("drop") || drop is not null) && (!f.Has("cutoff") || cutoff is not null) && notify is not null;
            if (drop is { } d && (d <= 0 || d > width))
            {
                Error(Scalar(f, "drop")!, f.PathOf("drop"), string.Create(CultureInfo.InvariantCulture,
                    $"must be more than 0 and at most {width}, the width of the {scale.Min}–{scale.Max} scale of '{instrument.InstrumentId}', not {d}"));
                ok = false;
            }

            if (cutoff is { } c && (c <= scale.Min || c > scale.Max))
            {
                Error(Scalar(f, "cutoff")!, f.PathOf("cutoff"), string.Create(CultureInfo.InvariantCulture,
                    $"must be above {scale.Min} and at most {scale.Max} (the scale of '{instrument.InstrumentId}'), not {c}"));
                ok = false;
            }

            if (!ok)
            {
                continue;
            }

            byRole[role] = new AlertThresholds(drop, cutoff, notify!.Value);
        }

        return byRole.ToImmutable();
    }

    // ---- cross-references ----

    private void CheckRaters(List<At<StudyRater>> raters, ImmutableSortedDictionary<string, StudyInstrument> instruments)
    {
        foreach (var (rater, path) in raters)
        {
            if (!_sites.Contains(rater.SiteId))
            {
                ErrorAt($"{path}.site", $"site '{rater.SiteId}' is not listed under sites");
            }

            if (!instruments.TryGetValue(rater.Role, out var instrument))
            {
                if (!_instrumentRolesNamed.Contains(rater.Role))
                {
                    ErrorAt($"{path}.role", $"raters in role '{rater.Role}' need an instrument: add instruments.{rater.Role}");
                }
            }
            else if (!StudyRules.Serves(instrument.Definition, rater.Language))
            {
                ErrorAt($"{path}.language",
                    $"language '{rater.Language}' is not one of the languages of instrument '{instrument.InstrumentId}' ({string.Join(", ", instrument.Definition.Languages)})");
            }
        }
    }

    private void CheckDyads(List<At<StudyDyad>> dyads, List<At<StudyRater>> raters)
    {
        var raterById = raters.GroupBy(r => r.Value.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        var clientOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (dyad, path) in dyads)
        {
            if (!_sites.Contains(dyad.SiteId))
            {
                ErrorAt($"{path}.site", $"site '{dyad.SiteId}' is not listed under sites");
            }

            if (!_arms.Contains(dyad.ArmId))
            {
                ErrorAt($"{path}.arm", $"arm '{dyad.ArmId}' is not listed under arms");
            }

            CheckDyadRater(dyad, path, "practitioner", dyad.PractitionerId, RaterRoles.Practitioner, raterById);
            if (dyad.ClientId is { } client)
            {
                CheckDyadRater(dyad, path, "client", client, RaterRoles.Client, raterById);
                if (!dyad.Withdrawn && !clientOf.TryAdd(client, dyad.Id))
                {
                    ErrorAt($"{path}.client", $"client rater '{client}' is already the client of dyad '{clientOf[client]}'");
                }
            }
        }
    }

    private void CheckDyadRater(StudyDyad dyad, string path, string field, string raterId, string role, Dictionary<string, StudyRater> raterById)
    {
        if (!raterById.TryGetValue(raterId, out var rater))
        {
            if (!_raters.Contains(raterId))
            {
                ErrorAt($"{path}.{field}", $"rater '{raterId}' is not listed under raters");
            }
        }
        else if (rater.Role != role)
        {
            ErrorAt($"{path}.{field}", $"rater '{raterId}' is a {rater.Role} rater, not a {role}");
        }
        else if (rater.SiteId != dyad.SiteId && _sites.Contains(rater.SiteId))
        {
            ErrorAt($"{path}.{field}", $"rater '{raterId}' is at site '{rater.SiteId}', not at the dyad's site '{dyad.SiteId}'");
        }
    }
}
