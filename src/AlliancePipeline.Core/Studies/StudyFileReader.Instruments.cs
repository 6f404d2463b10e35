using System.Collections.Immutable;
using System.Text.Json;
using AlliancePipeline.Core.Instruments;
using YamlDotNet.RepresentationModel;

namespace AlliancePipeline.Core.Studies;

/// <summary>The study's instruments: shipped ones by id, the study's own from a file or written out, each checked by the instrument loader.</summary>
internal sealed partial class StudyFileReader
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    // Roles named under instruments, whether or not their instrument loaded.
    private readonly HashSet<string> _instrumentRolesNamed = new(StringComparer.Ordinal);

    private ImmutableSortedDictionary<string, StudyInstrument> Instruments(Fields root)
    {
        var byRole = ImmutableSortedDictionary.CreateBuilder<string, StudyInstrument>(StringComparer.Ordinal);
        if (Open(Value(root, "instruments"), root.PointerOf("instruments")) is not { } fields)
        {
            return byRole.ToImmutable();
        }

        var catalog = InstrumentCatalog.Shipped;
        foreach (var role in RaterRoles.All)
        {
            if (Value(fields, role) is not { } value)
            {
                continue;
            }

            _instrumentRolesNamed.Add(role);
            var pointer = fields.PointerOf(role);
            if (_schema.Refused(pointer) || Instrument(role, value, pointer) is not { } instrument)
            {
                continue;
            }

            if (instrument.Json is not null)
            {
                try
                {
                    catalog = catalog.WithStudyInstrument(instrument.Json, $"{_source}: instruments.{role}");
                }
                catch (InstrumentDefinitionException ex)
                {
                    foreach (var error in ex.Errors)
                    {
                        Error(value, pointer, error.Message);
                    }

                    continue;
                }
            }

            byRole[role] = instrument;
        }

        return byRole.ToImmutable();
    }

    private StudyInstrument? Instrument(string role, YamlNode value, string pointer)
    {
        StudyInstrument? instrument;
        switch (value)
        {
            case YamlScalarNode scalar:
                var id = (scalar.Value ?? "").Trim();
                if (!InstrumentCatalog.Shipped.TryGet(id, out var shipped))
                {
                    Error(scalar, pointer, $"'{id}' is not a shipped instrument (shipped: {string.Join(", ", InstrumentCatalog.Shipped.ShippedIds.Order(StringComparer.Ordinal))}); " +
                                           "give the study's own instrument as file: path, or write it out here");
                    return null;
                }

                instrument = new StudyInstrument(role, InstrumentSourceKind.Shipped, null, shipped, null);
                break;
            case YamlMappingNode map when _tree.Entry(map, "file") is not null:
                instrument = InstrumentFile(role, new Fields(map, pointer));
                break;
            case YamlMappingNode map:
                instrument = InlineInstrument(role, map, pointer);
                break;
            default:
                return null; // a list: the schema has said what it must be
        }

        if (instrument is not null && instrument.Definition.RaterRole != role)
        {
            Error(value, pointer, $"instrument '{instrument.InstrumentId}' is for raters in role '{instrument.Definition.RaterRole}', not '{role}'");
            return null;
        }

        return instrument;
    }

    private StudyInstrument? InstrumentFile(string role, Fields fields)
    {
        // The schema has checked that the path stays beside the study file: nothing else is read.
        if (Text(fields, "file") is not { } file)
        {
            return null;
        }

        var at = Value(fields, "file")!;
        var pointer = fields.PointerOf("file");
        var text = _readRelativeFile(file);
        if (text is null)
        {
            Error(at, pointer, $"there is no instrument file '{file}' (the path is relative to the study file)");
            return null;
        }

        var loaded = InstrumentLoader.Load(text);
        if (loaded.NotJson is { } notJson)
        {
            Error(at, pointer, $"instrument file '{file}' is not valid JSON (line {notJson.Line}, position {notJson.Position})");
            return null;
        }

        if (loaded.Definition is null)
        {
            foreach (var error in loaded.Errors)
            {
                Error(at, pointer, $"instrument file '{file}' line {error.Line}, {error.Error.Path}: {error.Error.Message}");
            }

            return null;
        }

        return new StudyInstrument(role, InstrumentSourceKind.File, file, loaded.Definition, text);
    }

    private StudyInstrument? InlineInstrument(string role, YamlMappingNode map, string pointer)
    {
        var json = YamlValues.ToJson(map)!.ToJsonString(Indented);
        var field = _tree.FieldPath(pointer);
        try
        {
            return new StudyInstrument(role, InstrumentSourceKind.Inline, null, InstrumentLoader.Parse(json, $"{_source}: {field}"), json);
        }
        catch (InstrumentDefinitionException ex)
        {
            foreach (var error in ex.Errors)
            {
                ErrorInField(YamlValues.Locate(map, error.Path), field + error.Path.TrimStart('$'), error.Message);
            }

            return null;
        }
    }
}
