using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

/// <summary>
/// The study schema executed: each kind of problem JsonSchema.Net finds comes back as a message naming the line and
/// the field, in the words the file's readers know; YAML is read as YAML; hostile files are refused with their line.
/// </summary>
public class StudySchemaValidationTests
{
    [Theory]
    [InlineData("reminders: { firstAfterDays: 3, everyDays: 7, maxCount: 3 }", "reminders: weekly", 29, 12, "reminders",
        "must be reminders: a mapping of fields (name: value), not a single value")]
    [InlineData("    coordinators:\n      - { email: coord.b@example.org, language: fr }", "    coordinators: { email: coord.b@example.org, language: fr }",
        20, 19, "sites[1].coordinators", "must be a list (one '- ' line per coordinator), not a mapping of fields")]
    [InlineData("name: Test study", "name: [Test, study]", 2, 7, "name", "must be the study's name, not a list")]
    [InlineData("name: Test study", "name: { en: Test study, fr: \"  \" }", 2, 29, "name.fr", "must not be empty")]
    [InlineData("{ number: 2, expectedDay: 14, windowDays: 7 }", "{ number: 2, expectedDay: 14, windowDays: a week }", 8, 47,
        "meetings[1].windowDays", "must be a whole number from 0 to 90, not 'a week'")]
    [InlineData("{ number: 2, expectedDay: 14, windowDays: 7 }", "{ number: 2, expectedDay: 14, windowDays: 7.0 }", 8, 47,
        "meetings[1].windowDays", "must be a whole number from 0 to 90, not '7.0'")]
    [InlineData("maxCount: 3 }", "maxCount: \"3\" }", 29, 57, "reminders.maxCount", "must be a whole number from 1 to 10, not '3'")]
    [InlineData("maxCount: 3 }", "maxCount: 99999999999999999999 }", 29, 57, "reminders.maxCount",
        "must be a whole number from 1 to 10, not '99999999999999999999'")]
    [InlineData("cutoff: 4.0, notifyRater", "cutoff: \"4\", notifyRater", 35, 38, "alerts.practitioner.cutoff", "must be a number such as 1 or 0.75, not '4'")]
    [InlineData("notifyRater: true }", "notifyRater: 1 }", 35, 56, "alerts.practitioner.notifyRater", "must be true or false, not '1'")]
    [InlineData("maxCount: 3 }", "maxCount: 11 }", 29, 57, "reminders.maxCount", "must be from 1 to 10, not 11")]
    [InlineData("firstAfterDays: 3,", "firstAfterDays: -1,", 29, 30, "reminders.firstAfterDays", "must be from 1 to 60, not -1")]
    [InlineData("  - id: site-a", "  - id: Site_A", 14, 9, "sites[0].id",
        "'Site_A' is not a valid site id: use 1–63 lower-case letters, digits and hyphens, not starting or ending with a hyphen")]
    [InlineData("enrolled: 2026-03-04", "enrolled: 4 March 2026", 28, 73, "dyads[1].enrolled", "'4 March 2026' is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31")]
    [InlineData("name: Test study", "name: \"  \"", 2, 7, "name", "must not be empty")]
    [InlineData("role: client,", "role: 5,", 25, 24, "raters[2].role", "'5' is not a rater role: use practitioner or client")]
    [InlineData("role: client,", "role: \"\",", 25, 24, "raters[2].role", "must not be empty")]
    [InlineData("schedule: \"0 0 6 * * 1\"", "schedule: \"0 0 6 * * 1 2026\"", 31, 13, "reports.schedule",
        "'0 0 6 * * 1 2026' is not a six-field NCRONTAB schedule (second minute hour day month day-of-week, in UTC), e.g. '0 0 6 * * 1' for Mondays at 06:00")]
    [InlineData("  client: wai-s-client", "  client: { file: client.json, format: json }", 5, 32, "instruments.client.format",
        "'format' is not a field of an instrument file reference; the fields are: file")]
    [InlineData("  client: wai-s-client", "  client: { file: }", 5, 13, "instruments.client.file", "has no value")]
    public void Each_kind_of_schema_problem_names_its_line_and_field(string find, string replace, int line, int column, string field, string message)
    {
        var result = Parse(With(find, replace), new Dictionary<string, string> { ["client.json"] = OwnInstrument().ToJsonString() });
        Assert.False(result.IsValid);
        var error = Assert.Single(result.Errors, e => e.Field == field);
        Assert.Equal((line, column, message), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Lists_have_their_bounds()
    {
        var arms = Parse(With("arms:\n  - { id: ips, name: IPS }\n  - { id: tvs, name: TVS }", "arms: []"));
        var none = Assert.Single(arms.Errors, e => e.Field == "arms");
        Assert.Equal((10, 7, "must list at least 1 arm"), (none.Line, none.Column, none.Message));

        var meetings = string.Concat(Enumerable.Range(1, 21).Select(n => $"  - {{ number: {n}, expectedDay: {n * 7}, windowDays: 7 }}\n"));
        var tooMany = Assert.Single(Parse(With(
            "  - { number: 1, expectedDay: 0, windowDays: 7 }\n  - { number: 2, expectedDay: 14, windowDays: 7 }\n  - { number: 3, expectedDay: 28, windowDays: 7 }\n",
            meetings)).Errors, e => e.Field == "meetings");
        Assert.Equal((7, "meetings", "lists 21 meetings; at most 20 are allowed"), (tooMany.Line, tooMany.Field, tooMany.Message));
    }

    [Fact]
    public void Problems_of_every_kind_come_together_in_file_order()
    {
        var yaml = With("name: Test study", "name:");
        yaml = With("  - { id: tvs, name: TVS }", "  - { id: tvs, name: TVS, colour: red }", yaml);
        yaml = With("language: fr-CA }", "language: 5 }", yaml);
        yaml = With("arm: ips, enrolled: 2026-03-02 }", "enrolled: 2026-03-02 }", yaml);
        yaml = With("everyDays: 7,", "everyDays: [7],", yaml);
        var result = Parse(yaml);
        Assert.Equal(
        [
            "study.yaml:2:1: name: has no value",
            "study.yaml:12:27: arms[1].colour: 'colour' is not a field of an arm; the fields are: id, name",
            "study.yaml:24:88: raters[1].language: '5' is not a language tag: use a BCP 47 tag such as en, fr or fr-CA",
            "study.yaml:27:5: dyads[0].arm: 'arm' is missing from a dyad",
            "study.yaml:29:44: reminders.everyDays: must be a single value, not a list",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_plain_value_where_text_is_wanted_is_text()
    {
        var study = Valid(With("id: test-study", "id: 0017", With("name: Test study", "name: 2026", With("    name: Site A", "    name: true"))));
        Assert.Equal(("0017", "2026", "true"), (study.Id, study.Name, study.Sites[0].Name));
    }

    [Fact]
    public void Text_is_trimmed()
    {
        var study = Valid(With("name: Test study", "name: \"  Test study  \"", With("  - id: site-a", "  - id: ' site-a '")));
        Assert.Equal(("Test study", "site-a"), (study.Name, study.Sites[0].Id));
    }

    [Fact]
    public void An_empty_optional_value_is_as_if_it_were_not_written()
    {
        var study = Valid(With("client: c-001, ", "client: , ", With("notifyRater: true }", "notifyRater: }")) + "linkLifetimeDays:\n");
        Assert.Null(study.Dyads[0].ClientId);
        Assert.False(study.AlertsFor("practitioner")!.NotifyRater);
        Assert.Null(study.LinkLifetimeDays);

        var noThreshold = SingleError(Parse(With("drop: 1.0, cutoff: 4.0, notifyRater: true", "drop: ~, cutoff:")));
        Assert.Equal(("alerts.practitioner", "give drop, cutoff or both"), (noThreshold.Field, noThreshold.Message));
    }

    [Fact]
    public void A_study_is_named_once_or_once_per_language()
    {
        var one = Valid();
        Assert.Equal(("Test study", 0, "Test study"), (one.Name, one.Names.Count, one.NameIn("fr")));

        var both = Valid(With("name: Test study", "name:\n  fr: Étude test\n  en: Test study"));
        Assert.Equal("Test study", both.Name); // the English one, whatever the order
        Assert.Equal(("Étude test", "Étude test", "Test study", "Test study"), (both.NameIn("fr"), both.NameIn("fr-CA"), both.NameIn("en"), both.NameIn("de")));
        Assert.Equal("Étude test", Valid(With("name: Test study", "name: { fr: Étude test }")).Name); // no English: the first

        var changed = StudyChanges.Between(both, both with { Names = both.Names.SetItem("fr", "Autre nom") });
        Assert.Contains("name", Assert.Single(changed.Changes).Fields);

        var error = SingleError(Parse(With("name: Test study", "name: { en: Test study, French: Étude test }")));
        Assert.Equal("name", error.Field[..4]);
    }

    [Fact]
    public void Hand_over_links_are_off_unless_the_file_says_allowed()
    {
        Assert.False(Valid().HandOverAllowed);
        Assert.False(Valid(Yaml + "handOver: off\n").HandOverAllowed);
        Assert.False(Valid(Yaml + "handOver:\n").HandOverAllowed);
        Assert.True(Valid(Yaml + "handOver: allowed\n").HandOverAllowed);
        var error = SingleError(Parse(Yaml + "handOver: yes\n"));
        Assert.Equal(("handOver", Yaml.Count(c => c == '\n') + 1), (error.Field, error.Line));
        Assert.Contains("'yes'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_recursive_alias_is_refused_with_its_line()
    {
        var error = SingleError(Parse("$schema: &loop [*loop]\n" + Yaml));
        Assert.Equal((1, 17, "", "alias '*loop' repeats a list or mapping that contains it, which would never end"),
            (error.Line, error.Column, error.Field, error.Message));

        // Inside an instrument written out in the file, reading it as JSON used to recurse until the stack was gone.
        var inInstrument = SingleError(Parse(With("  client: wai-s-client", "  client: &c { id: x, again: *c }")));
        Assert.Equal((5, 30), (inInstrument.Line, inInstrument.Column));
        Assert.StartsWith("alias '*c' repeats", inInstrument.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_bomb_is_refused_with_its_line()
    {
        var bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + string.Concat("bcdefghi".Select((c, i) => $"{c}: &{c} [{string.Join(',', Enumerable.Repeat($"*{"abcdefgh"[i]}", 9))}]\n"));
        var error = SingleError(Parse(bomb));
        Assert.Equal((7, "", "the file holds more than 1,000,000 values here (an alias counts as all it repeats)"), (error.Line, error.Field, error.Message));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_with_its_line()
    {
        var error = SingleError(Parse(new string('[', 5000) + new string(']', 5000)));
        Assert.Equal((1, 65, "the file nests lists and mappings more than 64 deep here"), (error.Line, error.Column, error.Message));

        var aliased = SingleError(Parse("deep: &d " + new string('[', 40) + new string(']', 40) + "\nagain: [[[[[[[[[[[[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]]]]]]]]]]\n"));
        Assert.Equal((2, "the file nests lists and mappings more than 64 deep here (alias '*d' included)"), (aliased.Line, aliased.Message));
    }

    [Fact]
    public void A_field_name_that_is_a_list_is_refused_with_its_line_even_inside_an_instrument()
    {
        var inline = OwnInstrument(id: "inline-client").ToJsonString();
        var result = Parse(With("  client: wai-s-client", $"  client: {inline[..^1]}, [odd]: 1 }}"));
        var error = Assert.Single(result.Errors, e => e.Message.StartsWith("a field name", StringComparison.Ordinal));
        Assert.Equal((5, "instruments.client", "a field name must be a single word, not a list or a mapping"), (error.Line, error.Field, error.Message));
    }
}
