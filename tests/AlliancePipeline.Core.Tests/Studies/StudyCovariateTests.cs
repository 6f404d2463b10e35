using System.Collections.Immutable;
using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

/// <summary>The study file's <c>covariates</c>, their values (CSV, one by one), and the continuous outcomes (days worked, tenure).</summary>
public class StudyCovariateTests
{
    private const string Covariates = """
        covariates:
          - name: education
            type: categorical
            levels: [primary, secondary, tertiary]
            label: { en: Education, fr: Scolarité }
          - { name: age, type: numeric, min: 18, max: 70, label: Age }
          - { name: priorWork, type: numeric }

        """;

    private static readonly DateOnly Today = new(2026, 9, 30);

    [Fact]
    public void Covariates_are_read_in_file_order_with_their_levels_range_and_labels()
    {
        var study = Valid(Yaml + Covariates);
        Assert.Equal(["education", "age", "priorWork"], study.Covariates.Select(c => c.Name));
        var education = study.FindCovariate("EDUCATION")!;
        Assert.Equal(CovariateType.Categorical, education.Type);
        Assert.Equal(["primary", "secondary", "tertiary"], education.Levels.ToArray());
        Assert.Equal(("Education", "Scolarité", "Scolarité"), (education.LabelIn("en"), education.LabelIn("fr"), education.LabelIn("fr-CA")));
        var age = study.FindCovariate("age")!;
        Assert.Equal((CovariateType.Numeric, 18.0, 70.0, "Age"), (age.Type, age.Min, age.Max, age.LabelIn("fr")));
        Assert.Equal("priorWork", study.FindCovariate("priorWork")!.LabelIn("en"));
        Assert.Empty(Valid().Covariates);
    }

    [Fact]
    public void A_changed_covariate_is_a_change_of_the_study_and_the_same_one_is_none()
    {
        var before = Valid(Yaml + Covariates);
        Assert.False(StudyChanges.Between(before, Valid(Yaml + Covariates)).HasChanges);
        var changes = StudyChanges.Between(before, Valid(Yaml + Covariates.Replace("max: 70", "max: 75", StringComparison.Ordinal)));
        Assert.Contains("covariates", changes.Changes.Single().Fields);
    }

    [Theory]
    [InlineData("covariates:\n  - { name: sex, type: categorical }\n", "covariates[0]", "categorical covariate 'sex' needs its levels")]
    [InlineData("covariates:\n  - { name: sex, type: categorical, levels: [f, m], min: 0 }\n", "covariates[0].min", "covariate 'sex' is categorical: min is for a numeric covariate")]
    [InlineData("covariates:\n  - { name: age, type: numeric, levels: [a, b] }\n", "covariates[0].levels", "covariate 'age' is numeric")]
    [InlineData("covariates:\n  - { name: age, type: numeric, min: 70, max: 18 }\n", "covariates[0].max", "max (18) of covariate 'age' is below its min (70)")]
    [InlineData("covariates:\n  - { name: sex, type: categorical, levels: [F, f] }\n", "covariates[0].levels", "level 'F' of covariate 'sex' is listed twice")]
    [InlineData("covariates:\n  - { name: age, type: numeric }\n  - { name: AGE, type: numeric }\n", "covariates[1].name", "covariate 'AGE' is already named at line")]
    [InlineData("covariates:\n  - { name: Dyad, type: numeric }\n", "covariates[0].name", "'Dyad' cannot be a covariate's name")]
    [InlineData("covariates:\n  - { name: age, type: ordinal }\n", "covariates[0].type", "'ordinal'")]
    [InlineData("covariates:\n  - { name: 2nd-job, type: numeric }\n", "covariates[0].name", "2nd-job")]
    [InlineData("covariates:\n  - { name: sex, type: categorical, levels: [f] }\n", "covariates[0].levels", "")]
    [InlineData("covariates:\n  - { name: age, type: numeric, unit: years }\n", "covariates[0].unit", "'unit' is not a field of a covariate")]
    public void A_bad_covariate_is_refused_naming_its_field(string section, string field, string says)
    {
        var error = SingleError(Parse(Yaml + section));
        Assert.Equal(field, error.Field);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_is_a_level_in_any_case_or_a_number_in_range_else_refused_naming_the_covariate_and_what_it_allows()
    {
        var study = Valid(Yaml + Covariates);
        var education = study.FindCovariate("education")!;
        Assert.Equal(CovariateValue.OfLevel("secondary"), education.Read(" Secondary ").Value);
        Assert.Equal("covariate 'education' must be one of primary, secondary, tertiary, not 'college'", education.Read("college").Problem);
        var age = study.FindCovariate("age")!;
        Assert.Equal(CovariateValue.OfNumber(42.5), age.Read("42.5").Value);
        Assert.Equal("covariate 'age' must be a number from 18 to 70, not '12'", age.Read("12").Problem);
        Assert.Equal("covariate 'age' must be a number from 18 to 70, not 'forty'", age.Read("forty").Problem);
        Assert.Equal("covariate 'priorWork' must be a number, not '1,5'", study.FindCovariate("priorWork")!.Read("1,5").Problem);
        Assert.Equal("'sex' is not a covariate of study 'test-study': its covariates are education, age, priorWork",
            CovariateInputs.Check(study, new DyadCovariates("d-001", ImmutableSortedDictionary<string, CovariateValue>.Empty.Add("sex", CovariateValue.OfLevel("f")))));
        Assert.Equal("covariate 'age' must be a number from 18 to 70, not 71",
            CovariateInputs.Check(study, new DyadCovariates("d-001", ImmutableSortedDictionary<string, CovariateValue>.Empty.Add("age", CovariateValue.OfNumber(71)))));
        Assert.Equal("dyad 'd-404' is not in study 'test-study'",
            CovariateInputs.Check(study, new DyadCovariates("d-404", ImmutableSortedDictionary<string, CovariateValue>.Empty.Add("age", CovariateValue.OfNumber(30)))));
    }

    [Fact]
    public void A_covariate_csv_takes_any_of_the_covariates_as_columns_and_names_each_bad_value_with_its_line()
    {
        var study = Valid(Yaml + Covariates);
        var good = StudyCsv.ParseCovariates("Dyad,AGE,education\nd-001,34,Tertiary\nd-002,,primary\n", study);
        Assert.True(good.IsValid, string.Join("; ", good.Errors));
        Assert.Equal(2, good.Rows.Length);
        Assert.Equal(CovariateValue.OfLevel("tertiary"), good.Rows[0].Values["education"]);
        Assert.Equal(CovariateValue.OfNumber(34), good.Rows[0].Values["age"]);
        Assert.False(good.Rows[1].Values.ContainsKey("age"));

        var bad = StudyCsv.ParseCovariates("dyad,age,education,sex\nd-001,34,tertiary,f\n", study);
        Assert.Equal("line 1: 'sex' is not a column of this file: the columns are dyad (and, if you wish, education,age,priorWork)", bad.Errors.Single().ToString());
        var values = StudyCsv.ParseCovariates("dyad,age,education\nd-001,17,college\nd-002,,\nd-404,30,\n", study);
        Assert.Equal([
            "line 2: covariate 'education' must be one of primary, secondary, tertiary, not 'college'",
            "line 2: covariate 'age' must be a number from 18 to 70, not '17'",
            "line 3: no covariate value is given for dyad 'd-002': fill in at least one of education, age, priorWork",
            "line 4: dyad 'd-404' is not in study 'test-study'"], values.Errors.Select(e => e.ToString()));
        Assert.Equal("line 1: study 'test-study' declares no covariates (add covariates: to its study file)",
            StudyCsv.ParseCovariates("dyad,age\nd-001,30\n", Valid()).Errors.Single().ToString());
    }

    [Fact]
    public void Days_worked_and_tenure_are_whole_days_within_follow_up_and_a_tenure_within_the_job()
    {
        // d-001 enrolled 2026-03-02; follow-up 182 days.
        var study = Valid(Yaml + "analysis:\n  followUp: { days: 182 }\n");
        var job = new DyadOutcome("d-001", true, new DateOnly(2026, 6, 1)) { RecordedOn = new DateOnly(2026, 8, 31), DaysWorked = 60, TenureDays = 91 };
        Assert.Null(StudyInputs.CheckOutcome(study, job, Today));
        Assert.Equal("tenureDays 92 is more than the 91 days from the job date 2026-06-01 to the day the outcome is recorded (2026-08-31)",
            StudyInputs.CheckOutcome(study, job with { TenureDays = 92 }, Today));
        Assert.Equal("daysWorked 183 is more than the study's follow-up of 182 days", StudyInputs.CheckOutcome(study, job with { DaysWorked = 183 }, Today));
        Assert.Equal("daysWorked -1 is negative: write the days as a whole number, 0 or more", StudyInputs.CheckOutcome(study, job with { DaysWorked = -1 }, Today));
        Assert.Equal("tenureDays is given but employed is no: a tenure is the job's (leave it empty)",
            StudyInputs.CheckOutcome(study, new DyadOutcome("d-001", false, null) { TenureDays = 3 }, Today));
        Assert.Null(StudyInputs.CheckOutcome(study, new DyadOutcome("d-001", false, null) { DaysWorked = 20 }, Today));
        Assert.Equal("daysWorked 4000 is more than the 3653 days of the dyad's 10 years in the study",
            StudyInputs.CheckOutcome(Valid(), new DyadOutcome("d-001", false, null) { DaysWorked = 4000 }, Today));
    }

    [Fact]
    public void An_outcome_csv_may_add_days_worked_and_tenure_and_a_bad_one_is_named_with_its_line()
    {
        var study = Valid(Yaml + "analysis:\n  followUp: { days: 182 }\n");
        var good = StudyCsv.ParseOutcomes("dyad,employed,date,recorded,daysWorked,tenureDays\nd-001,yes,2026-06-01,2026-08-31,60,91\nd-002,no,,2026-08-31,0,\n", study, Today);
        Assert.True(good.IsValid, string.Join("; ", good.Errors));
        Assert.Equal((60, 91), (good.Rows[0].DaysWorked, good.Rows[0].TenureDays));
        Assert.Equal((0, (int?)null), (good.Rows[1].DaysWorked, good.Rows[1].TenureDays));
        Assert.Null(StudyCsv.ParseOutcomes("dyad,employed,date\nd-001,yes,2026-06-01\n", study, Today).Rows[0].DaysWorked);

        var bad = StudyCsv.ParseOutcomes("dyad,employed,date,daysworked,TENUREDAYS\nd-001,yes,2026-06-01,2.5,\nd-002,no,,200,\nd-001,no,,,-3\n", study, Today);
        Assert.Equal([
            "line 2: daysWorked '2.5' is not a number of days: write a whole number, 0 or more (empty when not recorded)",
            "line 3: daysWorked 200 is more than the study's follow-up of 182 days",
            "line 4: tenureDays '-3' is not a number of days: write a whole number, 0 or more (empty when not recorded)"], bad.Errors.Select(e => e.ToString()));
    }
}
