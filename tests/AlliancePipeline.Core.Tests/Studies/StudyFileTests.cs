using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

public class StudyFileTests
{
    [Fact]
    public void Reads_every_part_of_a_valid_file()
    {
        var study = Valid();
        Assert.Equal("test-study", study.Id);
        Assert.Equal("Test study", study.Name);
        Assert.Equal(["client", "practitioner"], study.Instruments.Keys);
        Assert.Equal("wai-s-practitioner", study.Instruments["practitioner"].InstrumentId);
        Assert.Equal(InstrumentSourceKind.Shipped, study.Instruments["client"].Source);
        Assert.Null(study.Instruments["client"].Json);
        Assert.Equal([new MeetingSchedule(1, 0, 7), new MeetingSchedule(2, 14, 7), new MeetingSchedule(3, 28, 7)], study.Meetings.ToArray());
        Assert.Equal([new StudyArm("ips", "IPS"), new StudyArm("tvs", "TVS")], study.Arms.ToArray());
        Assert.Equal("site-b", study.Sites[1].Id);
        Assert.Equal([new StudyContact("coord.b@example.org", "fr")], study.Sites[1].Coordinators.ToArray());
        Assert.Equal(new StudyRater("p-002", "practitioner", "site-b", "p-002@example.org", "fr-CA"), study.Raters[1]);
        Assert.Equal(new StudyDyad("d-001", "p-001", "c-001", "site-a", "ips", new DateOnly(2026, 3, 2), false), study.Dyads[0]);
        Assert.Equal(new StudyDyad("d-002", "p-002", null, "site-b", "tvs", new DateOnly(2026, 3, 4), false), study.Dyads[1]);
        Assert.Equal(new ReminderPolicy(3, 7, 3), study.Reminders);
        Assert.Equal("0 0 6 * * 1", study.Reports!.Schedule);
        Assert.Equal([new StudyContact("research@example.org", "en")], study.Reports.Recipients.ToArray());
        Assert.Equal(new AlertThresholds(1.0, 4.0, true), study.AlertsFor("practitioner"));
        Assert.Null(study.AlertsFor("client"));
        Assert.Null(study.LinkLifetimeDays);
    }

    [Fact]
    public void The_documented_example_is_accepted()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "examples", "study.example.yaml");
        var result = StudyFile.Parse(File.ReadAllText(path), "study.example.yaml", _ => null);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        var study = result.Definition;
        Assert.Equal(2, study.Sites.Length);
        Assert.Equal(2, study.Arms.Length);
        Assert.Equal(3, study.Meetings.Length);
        Assert.Equal(["client", "practitioner"], study.Instruments.Keys);
        Assert.Contains(study.Raters, r => r.Language.StartsWith("fr", StringComparison.Ordinal));
        Assert.Contains(study.Raters, r => r.Language == "en");
        Assert.Contains(study.Dyads, d => d.Withdrawn);
        Assert.All(study.Raters.Select(r => r.Email).Concat(study.Sites.SelectMany(s => s.Coordinators).Select(c => c.Email)),
            email => Assert.EndsWith("@example.org", email, StringComparison.Ordinal));
        Assert.Equal(2, study.Alerts.Count);
        Assert.Equal(60, study.LinkLifetimeDays);
    }

    [Fact]
    public void Json_is_read_like_yaml()
    {
        var json = """
            {
              "id": "json-study", "name": "JSON study",
              "instruments": { "practitioner": "wai-sr-practitioner" },
              "meetings": [ { "number": 1, "expectedDay": 0, "windowDays": 3 } ],
              "arms": [ { "id": "only", "name": "Only arm" } ],
              "sites": [ { "id": "s1", "name": "S1", "coordinators": [ { "email": "c@example.org", "language": "en" } ] } ],
              "raters": [ { "id": "p-1", "role": "practitioner", "site": "s1", "email": "p-1@example.org", "language": "fr" } ],
              "dyads": [ { "id": "d-1", "practitioner": "p-1", "site": "s1", "arm": "only", "enrolled": "2026-05-04", "withdrawn": false } ],
              "reminders": { "firstAfterDays": 1, "everyDays": 2, "maxCount": 10 },
              "linkLifetimeDays": 30
            }
            """;
        var study = Valid(json);
        Assert.Equal("wai-sr-practitioner", study.Instruments["practitioner"].InstrumentId);
        Assert.Equal(new DateOnly(2026, 5, 4), study.Dyads[0].Enrolled);
        Assert.Null(study.Reports);
        Assert.Empty(study.Alerts);
        Assert.Equal(30, study.LinkLifetimeDays);
    }

    [Fact]
    public void Json_with_a_quoted_number_is_refused_with_its_line()
    {
        var json = "{\n  \"id\": \"s\",\n  \"linkLifetimeDays\": \"30\"\n}";
        var result = Parse(json);
        var error = Assert.Single(result.Errors, e => e.Field == "linkLifetimeDays");
        Assert.Equal(3, error.Line);
        Assert.Equal("must be a whole number from 1 to 365, not '30'", error.Message);
    }

    [Fact]
    public void A_rater_not_listed_is_named_with_line_and_field()
    {
        var error = SingleError(Parse(With("practitioner: p-002, site: site-b", "practitioner: p-009, site: site-b")));
        Assert.Equal(SecondDyadLine, error.Line);
        Assert.Equal("dyads[1].practitioner", error.Field);
        Assert.Equal("rater 'p-009' is not listed under raters", error.Message);
        Assert.Equal("study.yaml:28:18: dyads[1].practitioner: rater 'p-009' is not listed under raters", error.ToString());
    }

    [Fact]
    public void Every_error_is_reported_at_once_in_file_order()
    {
        var yaml = With("name: Test study", "name: Test study\ncolour: blue");                                  // line 3
        yaml = With("practitioner: wai-s-practitioner", "practitioner: wai-x", yaml);                             // line 5
        yaml = With("email: p-001@example.org", "email: not-an-address", yaml);                                  // line 24
        yaml = With("arm: tvs, enrolled: 2026-03-04", "arm: tvs, enrolled: 2026-02-30", yaml);                   // line 29
        yaml = With("maxCount: 3", "maxCount: 0", yaml);                                                         // line 30
        var result = Parse(yaml);
        Assert.False(result.IsValid);
        Assert.Equal(
        [
            (3, "colour"),
            (5, "instruments.practitioner"),
            (24, "raters[0].email"),
            (29, "dyads[1].enrolled"),
            (30, "reminders.maxCount"),
        ], result.Errors.Select(e => (e.Line, e.Field)));
        Assert.Equal("'colour' is not a field of the study; the fields are: id, name, instruments, meetings, arms, sites, raters, dyads, reminders, $schema, reports, alerts, linkLifetimeDays, digests, handOver, analysis, covariates",
            result.Errors[0].Message);
        Assert.StartsWith("'wai-x' is not a shipped instrument (shipped: wai-s-client, wai-s-practitioner, wai-sr-client, wai-sr-practitioner)", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.Equal("'not-an-address' is not an email address", result.Errors[2].Message);
        Assert.Equal("'2026-02-30' is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31", result.Errors[3].Message);
        Assert.Equal("must be from 1 to 10, not 0", result.Errors[4].Message);
    }

    [Fact]
    public void Unknown_fields_in_nested_objects_are_errors_with_their_line()
    {
        var yaml = With("- { email: coord.a@example.org, language: en }", "- { email: coord.a@example.org, language: en, phone: 555 }");
        var error = SingleError(Parse(yaml));
        Assert.Equal((17, "sites[0].coordinators[0].phone"), (error.Line, error.Field));
        Assert.Equal("'phone' is not a field of a contact; the fields are: email, language", error.Message);
    }

    [Fact]
    public void Missing_required_fields_are_named_at_their_object()
    {
        var result = Parse(With("arm: ips, enrolled: 2026-03-02 }", "enrolled: 2026-03-02 }"));
        var error = SingleError(result);
        Assert.Equal((FirstDyadLine, "dyads[0].arm"), (error.Line, error.Field));
        Assert.Equal("'arm' is missing from a dyad", error.Message);

        var noReminders = Parse(With("reminders: { firstAfterDays: 3, everyDays: 7, maxCount: 3 }\n", ""));
        var missing = SingleError(noReminders);
        Assert.Equal((1, "reminders", "'reminders' is missing from the study"), (missing.Line, missing.Field, missing.Message));
    }

    [Fact]
    public void A_required_field_without_value_says_so()
    {
        var error = SingleError(Parse(With("name: Test study", "name:")));
        Assert.Equal((2, "name", "has no value"), (error.Line, error.Field, error.Message));
    }

    [Fact]
    public void Ids_follow_the_table_key_rules()
    {
        var result = Parse(With("- { id: tvs, name: TVS }", "- { id: TVS, name: TVS }"));
        var error = result.Errors[0];
        Assert.Equal((12, "arms[1].id"), (error.Line, error.Field));
        Assert.Equal(("dyads[1].arm", "arm 'tvs' is not listed under arms"), (result.Errors[1].Field, result.Errors[1].Message));
        Assert.Equal("'TVS' is not a valid arm id: use 1–63 lower-case letters, digits and hyphens, not starting or ending with a hyphen", error.Message);
    }

    [Fact]
    public void Duplicate_ids_name_the_first_line()
    {
        var yaml = With("- { id: c-001, role: client,", "- { id: p-001, role: client,");
        var result = Parse(yaml);
        var duplicate = Assert.Single(result.Errors, e => e.Field == "raters[2].id");
        Assert.Equal(25, duplicate.Line);
        Assert.Equal("rater id 'p-001' is used twice (first on line 23)", duplicate.Message);
    }

    [Fact]
    public void A_dyad_code_is_short_enough_for_its_assessment_ids()
    {
        var code = new string('d', StudyFile.MaxDyadIdLength + 1);
        var error = SingleError(Parse(With("id: d-002,", $"id: {code},")));
        Assert.Equal("dyads[1].id", error.Field);
        Assert.Contains("at most 40 characters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("p-001@example.org", true)]
    [InlineData("first.last+study@sub.example.org", true)]
    [InlineData("o'brien@example.org", true)]
    [InlineData("p-001", false)]
    [InlineData("p 001@example.org", false)]
    [InlineData("p-001@example", false)]
    [InlineData("p-001@@example.org", false)]
    [InlineData(".p@example.org", false)]
    [InlineData("p..q@example.org", false)]
    [InlineData("p.@example.org", false)]
    [InlineData("p@-example.org", false)]
    [InlineData("Name <p@example.org>", false)]
    public void Email_addresses_get_a_sane_check(string email, bool valid)
    {
        Assert.Equal(valid, StudyRules.IsEmail(email));
    }

    [Fact]
    public void Dyad_raters_must_have_the_right_role_and_site()
    {
        var wrongRole = SingleError(Parse(With("practitioner: p-002, site: site-b", "practitioner: p-002, client: p-002, site: site-b")));
        Assert.Equal(("dyads[1].client", "rater 'p-002' is a practitioner rater, not a client"), (wrongRole.Field, wrongRole.Message));

        var wrongSite = SingleError(Parse(With("practitioner: p-002, site: site-b", "practitioner: p-001, site: site-b")));
        Assert.Equal(("dyads[1].practitioner", "rater 'p-001' is at site 'site-a', not at the dyad's site 'site-b'"), (wrongSite.Field, wrongSite.Message));
    }

    [Fact]
    public void Sites_and_arms_referenced_must_exist()
    {
        var result = Parse(With("site: site-b, arm: tvs", "site: site-c, arm: sham"));
        Assert.Equal(
        [
            ("dyads[1].practitioner", "rater 'p-002' is at site 'site-b', not at the dyad's site 'site-c'"),
            ("dyads[1].site", "site 'site-c' is not listed under sites"),
            ("dyads[1].arm", "arm 'sham' is not listed under arms"),
        ], result.Errors.Select(e => (e.Field, e.Message)));

        var rater = SingleError(Parse(With("role: practitioner, site: site-b", "role: practitioner, site: site-z")));
        Assert.Equal((24, "raters[1].site", "site 'site-z' is not listed under sites"), (rater.Line, rater.Field, rater.Message));
    }

    [Fact]
    public void A_client_rates_in_one_active_dyad_only()
    {
        var yaml = With("  - { id: d-002,", "  - { id: d-003, practitioner: p-001, client: c-001, site: site-a, arm: tvs, enrolled: 2026-03-09 }\n  - { id: d-002,");
        var error = SingleError(Parse(yaml));
        Assert.Equal(("dyads[1].client", "client rater 'c-001' is already the client of dyad 'd-001'"), (error.Field, error.Message));

        var afterWithdrawal = With("enrolled: 2026-03-02 }", "enrolled: 2026-03-02, withdrawn: true }", yaml);
        Assert.True(Parse(afterWithdrawal).IsValid);
    }

    [Fact]
    public void A_rater_role_needs_an_instrument_and_a_known_role()
    {
        var yaml = With("  client: wai-s-client\n", "");
        var result = Parse(yaml);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("raters[2].role", "raters in role 'client' need an instrument: add instruments.client"), (error.Field, error.Message));

        var coach = SingleError(Parse(With("role: client,", "role: coach,")));
        Assert.Equal(("raters[2].role", "'coach' is not a rater role: use practitioner or client"), (coach.Field, coach.Message));
    }

    [Fact]
    public void A_rater_language_must_be_one_the_instrument_has()
    {
        var error = SingleError(Parse(With("email: c-001@example.org, language: en", "email: c-001@example.org, language: de-CH")));
        Assert.Equal(("raters[2].language", "language 'de-CH' is not one of the languages of instrument 'wai-s-client' (en, fr)"), (error.Field, error.Message));

        var bad = SingleError(Parse(With("email: c-001@example.org, language: en", "email: c-001@example.org, language: English")));
        Assert.Equal("'English' is not a language tag: use a BCP 47 tag such as en, fr or fr-CA", bad.Message);
    }

    [Fact]
    public void Meetings_are_numbered_in_order_with_increasing_days()
    {
        var result = Parse(With("- { number: 3, expectedDay: 28,", "- { number: 4, expectedDay: 14,"));
        Assert.Equal(
        [
            (9, "meetings[2].number", "meetings must be numbered 1, 2, 3… in order: this one should be 3, not 4"),
            (9, "meetings[2].expectedDay", "must be later than meeting 2's day (14)"),
        ], result.Errors.Select(e => (e.Line, e.Field, e.Message)));
    }

    [Fact]
    public void Sites_need_a_coordinator_and_unique_addresses()
    {
        var none = SingleError(Parse(With("      - { email: coord.b@example.org, language: fr }", "      []")));
        Assert.Equal(("sites[1].coordinators", "must list at least 1 coordinator"), (none.Field, none.Message));

        var twice = SingleError(Parse(With("      - { email: coord.b@example.org, language: fr }",
            "      - { email: coord.b@example.org, language: fr }\n      - { email: Coord.B@example.org, language: en }")));
        Assert.Equal(("sites[1].coordinators[1].email", "coordinator 'Coord.B@example.org' is listed twice (first on line 21)"), (twice.Field, twice.Message));
    }

    [Fact]
    public void Report_schedule_must_be_six_field_ncrontab()
    {
        var error = SingleError(Parse(With("schedule: \"0 0 6 * * 1\"", "schedule: \"0 6 * * 1\"")));
        Assert.Equal((31, "reports.schedule"), (error.Line, error.Field));
        Assert.StartsWith("'0 6 * * 1' is not a six-field NCRONTAB schedule", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drop: 0, cutoff: 4.0", "alerts.practitioner.drop", "must be more than 0 and at most 6, the width of the 1–7 scale of 'wai-s-practitioner', not 0")]
    [InlineData("drop: 6.5, cutoff: 4.0", "alerts.practitioner.drop", "must be more than 0 and at most 6, the width of the 1–7 scale of 'wai-s-practitioner', not 6.5")]
    [InlineData("drop: 1.0, cutoff: 1", "alerts.practitioner.cutoff", "must be above 1 and at most 7 (the scale of 'wai-s-practitioner'), not 1")]
    [InlineData("drop: 1.0, cutoff: high", "alerts.practitioner.cutoff", "must be a number such as 1 or 0.75, not 'high'")]
    [InlineData("notifyRater: true", "alerts.practitioner", "give drop, cutoff or both")]
    [InlineData("drop: 1.0, cutoff: 4.0, notifyRater: yes", "alerts.practitioner.notifyRater", "must be true or false, not 'yes'")]
    public void Alert_thresholds_are_checked_against_the_scale(string thresholds, string field, string message)
    {
        var error = SingleError(Parse(With("drop: 1.0, cutoff: 4.0, notifyRater: true", thresholds)));
        Assert.Equal((35, field, message), (error.Line, error.Field, error.Message));
    }

    [Fact]
    public void Alert_thresholds_on_the_scale_ends_are_accepted()
    {
        var study = Valid(With("drop: 1.0, cutoff: 4.0, notifyRater: true", "drop: 6, cutoff: 7"));
        Assert.Equal(new AlertThresholds(6, 7, false), study.AlertsFor("practitioner"));
    }

    [Fact]
    public void Alerts_for_a_role_without_instrument_are_refused()
    {
        var yaml = With("  client: wai-s-client\n", "");
        yaml = With("  - { id: c-001, role: client, site: site-a, email: c-001@example.org, language: en }\n", "", yaml);
        yaml = With("client: c-001, ", "", yaml);
        yaml += "  client: { cutoff: 3 }\n";
        var error = SingleError(Parse(yaml));
        Assert.Equal(("alerts.client", "there is no instrument for role 'client' under instruments, so its responses cannot alert"), (error.Field, error.Message));
    }

    [Fact]
    public void Yaml_syntax_errors_name_the_line()
    {
        var error = SingleError(Parse(With("name: Test study", "name: 'Test study")));
        Assert.Equal("", error.Field);
        Assert.StartsWith("the file is not valid YAML or JSON here", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);

        var unclosed = SingleError(Parse("id: x\nmeetings: [1, 2\nname: y\n"));
        Assert.Equal(2, unclosed.Line);
        Assert.Contains("may be left open", unclosed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_written_twice_is_refused()
    {
        var error = SingleError(Parse(With("name: Test study", "name: Test study\nname: Again")));
        Assert.Equal(3, error.Line);
        Assert.Equal("the file is not valid YAML or JSON here: 'name' appears twice in the same mapping", error.Message);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("# only a comment\n", "the file is empty")]
    [InlineData("- a\n- b\n", "must be the study: a mapping of fields (name: value), not a list")]
    [InlineData("id: a\n---\nid: b\n", "the file holds more than one YAML document ('---'): a study file is one document")]
    public void Files_that_are_not_a_study_are_refused(string text, string message)
    {
        Assert.Equal(message, SingleError(Parse(text)).Message);
    }

    [Fact]
    public void Wrong_shapes_are_named()
    {
        var result = Parse(With("arms:\n  - { id: ips, name: IPS }\n  - { id: tvs, name: TVS }", "arms: { id: ips, name: IPS }"));
        var error = Assert.Single(result.Errors, e => e.Field == "arms");
        Assert.Equal("must be a list (one '- ' line per arm), not a mapping of fields", error.Message);
    }
}
