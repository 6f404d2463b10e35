using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

public class StudyChangesTests
{
    private static StudyApplyResult Apply(StudyDefinition? applied, string yaml, IReadOnlyDictionary<string, string>? files = null) =>
        StudyFile.PrepareApply(applied, yaml, "study.yaml", p => files is not null && files.TryGetValue(p, out var t) ? t : null);

    private static string[] Lines(StudyChanges changes) => changes.Changes.Select(c => c.ToString()).ToArray();

    [Fact]
    public void First_application_adds_everything()
    {
        var result = Apply(null, Yaml);
        Assert.True(result.IsValid);
        Assert.Equal(
        [
            "added study test-study",
            "added arm ips", "added arm tvs",
            "added site site-a", "added site site-b",
            "added rater p-001", "added rater p-002", "added rater c-001",
            "added dyad d-001", "added dyad d-002",
            "added recipient research@example.org",
        ], Lines(result.Changes));
        Assert.Equal("11 added", result.Changes.Summary);
    }

    [Fact]
    public void Applying_the_same_file_again_changes_nothing()
    {
        var first = Valid();
        var again = Apply(first, Yaml);
        Assert.True(again.IsValid);
        Assert.False(again.Changes.HasChanges);
        Assert.Equal("no change", again.Changes.Summary);
        Assert.Equal("no change", again.Changes.ToString());
    }

    [Fact]
    public void Reformatting_the_file_as_json_or_reordering_coordinators_changes_nothing()
    {
        var applied = Valid(With("      - { email: coord.b@example.org, language: fr }",
            "      - { email: coord.b@example.org, language: fr }\n      - { email: assist.b@example.org, language: en }"));
        var reordered = With("      - { email: coord.b@example.org, language: fr }",
            "      - { email: assist.b@example.org, language: en }\n      - { email: coord.b@example.org, language: fr }");
        Assert.False(Apply(applied, reordered).Changes!.HasChanges);
    }

    [Fact]
    public void Edits_are_reported_with_the_fields_that_changed()
    {
        var applied = Valid();
        var yaml = With("name: Test study", "name: Renamed study");
        yaml = With("email: p-002@example.org, language: fr-CA", "email: p-002-new@example.org, language: fr", yaml);
        yaml = With("name: Site A", "name: Site A (north)", yaml);
        yaml = With("- { email: coord.a@example.org, language: en }", "- { email: coord.a2@example.org, language: en }", yaml);
        yaml = With("arm: tvs, enrolled: 2026-03-04", "arm: ips, enrolled: 2026-03-05", yaml);
        yaml = With("maxCount: 3", "maxCount: 4", yaml);
        yaml = With("drop: 1.0, cutoff: 4.0, notifyRater: true", "drop: 1.5, cutoff: 4.0, notifyRater: true", yaml);
        yaml = With("    - { email: research@example.org, language: en }", "    - { email: research@example.org, language: fr }\n    - { email: stats@example.org, language: en }", yaml);
        yaml = With("schedule: \"0 0 6 * * 1\"", "schedule: \"0 30 7 * * 1\"", yaml);
        yaml += "linkLifetimeDays: 45\ndigests: { whenNothingOverdue: true }\nhandOver: allowed\n";
        var changes = Apply(applied, yaml).Changes!;
        Assert.Equal(
        [
            "updated study test-study (name, reminders, reports.schedule, alerts.practitioner, linkLifetimeDays, digests, handOver)",
            "updated site site-a (name, coordinators)",
            "updated rater p-002 (email, language)",
            "updated dyad d-002 (arm, enrolled)",
            "updated recipient research@example.org (language)",
            "added recipient stats@example.org",
        ], Lines(changes));
        Assert.Equal("1 added, 5 updated", changes.Summary);
    }

    [Fact]
    public void Withdrawing_and_reinstating_a_dyad()
    {
        var applied = Valid();
        var withdrawnYaml = With("enrolled: 2026-03-04 }", "enrolled: 2026-03-04, withdrawn: true }");
        var withdrawn = Apply(applied, withdrawnYaml);
        Assert.Equal(["withdrawn dyad d-002"], Lines(withdrawn.Changes!));
        Assert.Equal(StudyChangeKind.Withdrawn, withdrawn.Changes!.Changes.Single().Kind);

        Assert.False(Apply(withdrawn.Definition, withdrawnYaml).Changes!.HasChanges);

        var reinstated = Apply(withdrawn.Definition, With("practitioner: p-002, site: site-b, arm: tvs", "practitioner: p-002, site: site-b, arm: ips"));
        Assert.Equal(["reinstated dyad d-002 (arm)"], Lines(reinstated.Changes!));
    }

    [Fact]
    public void A_dyad_left_out_of_the_file_is_refused_with_the_dyads_line()
    {
        var applied = Valid();
        var result = Apply(applied, With("  - { id: d-002, practitioner: p-002, site: site-b, arm: tvs, enrolled: 2026-03-04 }\n", ""));
        Assert.False(result.IsValid);
        Assert.Null(result.Definition);
        Assert.Null(result.Changes);
        var error = Assert.Single(result.Errors);
        Assert.Equal((26, "dyads"), (error.Line, error.Field));
        Assert.Equal("dyad 'd-002' was enrolled by an earlier version of this study file and cannot be removed: keep it and set withdrawn: true (its data stays)", error.Message);
    }

    [Fact]
    public void Parts_no_dyad_uses_may_be_removed()
    {
        var applied = Valid(With("  - { id: c-001, role: client, site: site-a, email: c-001@example.org, language: en }",
            "  - { id: c-001, role: client, site: site-a, email: c-001@example.org, language: en }\n  - { id: p-003, role: practitioner, site: site-a, email: p-003@example.org, language: en }"));
        var changes = Apply(applied, Yaml).Changes!;
        Assert.Equal(["removed rater p-003"], Lines(changes));
    }

    [Fact]
    public void A_file_for_another_study_is_refused()
    {
        var result = Apply(Valid(), With("id: test-study", "id: other-study"));
        var error = Assert.Single(result.Errors);
        Assert.Equal((1, "id", "this file is for study 'other-study', but it is being applied over study 'test-study'"), (error.Line, error.Field, error.Message));
    }

    [Fact]
    public void Parse_errors_are_returned_and_nothing_is_applied()
    {
        var result = Apply(Valid(), With("maxCount: 3", "maxCount: many"));
        Assert.False(result.IsValid);
        Assert.Null(result.Changes);
        Assert.Equal("reminders.maxCount", Assert.Single(result.Errors).Field);
    }

    [Fact]
    public void Instrument_changes_compare_content_not_file_names()
    {
        var json = OwnInstrument().ToJsonString();
        var files = new Dictionary<string, string> { ["a.json"] = json, ["b.json"] = json, ["c.json"] = OwnInstrument().ToJsonString().Replace("\"1.0.0\"", "\"1.0.1\"", StringComparison.Ordinal) };
        var applied = Apply(null, With("  client: wai-s-client", "  client: { file: a.json }"), files).Definition!;
        Assert.False(Apply(applied, With("  client: wai-s-client", "  client: { file: b.json }"), files).Changes!.HasChanges);
        Assert.Equal(["updated study test-study (instruments.client)"],
            Lines(Apply(applied, With("  client: wai-s-client", "  client: { file: c.json }"), files).Changes!));
        Assert.Equal(["updated study test-study (instruments.client)"], Lines(Apply(applied, Yaml).Changes!));
    }

    [Fact]
    public void Comparing_two_studies_is_a_programming_error()
    {
        var other = Valid() with { Id = "other" };
        Assert.Throws<ArgumentException>(() => StudyChanges.Between(Valid(), other));
    }
}
