using System.Collections.Immutable;
using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Dyads;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace AlliancePipeline.Functions.Tests.Pages;

/// <summary>
/// The dyad page's covariate form and the outcome form's continuous outcomes (issue 18): a select of the declared levels
/// or a number within the declared range per covariate, the value recorded shown and chosen; days worked and tenure in
/// the outcome form; English and French; the console's own refusals in the page's language.
/// </summary>
public sealed class DyadPageFormTests
{
    private static readonly StudyCovariate[] Declared =
    [
        new("education", CovariateType.Categorical, ["primary", "secondary", "tertiary"]) { Labels = ImmutableLabels(("en", "Education"), ("fr", "Scolarité")) },
        new("age", CovariateType.Numeric, [], 18, 70),
        new("income", CovariateType.Numeric, []),
    ];

    private static ImmutableSortedDictionary<string, string> ImmutableLabels(params (string Language, string Text)[] labels) =>
        labels.ToImmutableSortedDictionary(l => l.Language, l => l.Text, StringComparer.Ordinal);

    private static IHtmlDocument Render(string language, DyadCovariateValues? covariates, string? error = null)
    {
        var schedule = new DyadSchedule("s", "Study", "d-001", "site-a", "Site A", "ips", new DateOnly(2026, 1, 12), false, null, null, []);
        return new HtmlParser().ParseDocument(DyadPage.Render(new DyadView(schedule, language, Error: error) { Covariates = covariates }));
    }

    private static DyadCovariateValues Recorded() =>
        new(Declared, new Dictionary<string, CovariateValue> { ["education"] = CovariateValue.OfLevel("secondary"), ["age"] = CovariateValue.OfNumber(34.5) });

    [Fact]
    public void Each_declared_covariate_has_its_field_showing_the_value_recorded()
    {
        var page = Render("en", Recorded());
        var form = page.QuerySelector("section[aria-labelledby=h-covariates] form")!;
        Assert.Equal(("post", "d-001/console/covariates"), (form.GetAttribute("method"), form.GetAttribute("action")));
        Assert.Equal("Record the covariates", page.QuerySelector("#h-covariates")!.TextContent);

        var education = (IHtmlSelectElement)page.QuerySelector("#covariate-education")!;
        Assert.Equal("education", education.Name);
        Assert.Equal(["", "primary", "secondary", "tertiary"], education.Options.Select(o => o.Value));
        Assert.Equal("secondary", education.Value);
        Assert.StartsWith("Education", page.QuerySelector("label[for=covariate-education]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("recorded: secondary", page.QuerySelector("#covariate-education-recorded")!.TextContent);

        var age = (IHtmlInputElement)page.QuerySelector("#covariate-age")!;
        Assert.Equal(("age", "number", "34.5", "18", "70"), (age.Name, age.Type, age.Value, age.GetAttribute("min"), age.GetAttribute("max")));
        Assert.Equal("recorded: 34.5", page.QuerySelector("#covariate-age-recorded")!.TextContent);
        var income = (IHtmlInputElement)page.QuerySelector("#covariate-income")!;
        Assert.Equal(("", false, false), (income.Value, income.HasAttribute("min"), income.HasAttribute("max")));
        Assert.Equal("not recorded", page.QuerySelector("#covariate-income-recorded")!.TextContent);
        Assert.Equal(3, form.QuerySelectorAll("select, input").Length);
    }

    [Fact]
    public void The_outcome_form_takes_days_worked_and_tenure_as_whole_numbers()
    {
        var page = Render("en", null);
        var form = page.QuerySelector("section[aria-labelledby=h-outcome] form")!;
        Assert.Equal("d-001/console/outcome", form.GetAttribute("action"));
        var worked = (IHtmlInputElement)form.QuerySelector("#days-worked")!;
        var tenure = (IHtmlInputElement)form.QuerySelector("#tenure-days")!;
        Assert.Equal(("daysWorked", "number", "0", "1"), (worked.Name, worked.Type, worked.GetAttribute("min"), worked.GetAttribute("step")));
        Assert.Equal(("tenureDays", "number", "0", "1"), (tenure.Name, tenure.Type, tenure.GetAttribute("min"), tenure.GetAttribute("step")));
        Assert.False(worked.IsRequired || tenure.IsRequired);
        Assert.Equal("Days worked during follow-up (any job)", page.QuerySelector("label[for=days-worked]")!.TextContent);
        // A study without covariates has no covariate form.
        Assert.Null(page.QuerySelector("#h-covariates"));
        Assert.Null(page.QuerySelector("form[action$='console/covariates']"));
    }

    [Fact]
    public void In_French_the_forms_their_labels_and_the_consoles_own_refusals_are_French()
    {
        var page = Render("fr", Recorded(), DyadConsole.DaysRefused);
        Assert.Equal("Saisir les covariables", page.QuerySelector("#h-covariates")!.TextContent);
        Assert.StartsWith("Scolarité", page.QuerySelector("label[for=covariate-education]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("saisie : secondary", page.QuerySelector("#covariate-education-recorded")!.TextContent);
        Assert.Equal("non saisie", page.QuerySelector("#covariate-income-recorded")!.TextContent);
        Assert.Equal("non saisie", ((IHtmlSelectElement)page.QuerySelector("#covariate-education")!).Options[0].Text);
        Assert.Equal("Jours travaillés pendant le suivi (tout emploi)", page.QuerySelector("label[for=days-worked]")!.TextContent);
        Assert.Equal("Jours dans l'emploi à ce jour (si en emploi)", page.QuerySelector("label[for=tenure-days]")!.TextContent);
        Assert.Equal("Non fait : Les jours travaillés et l'ancienneté sont des nombres entiers de jours, 0 ou plus, ou laissés vides.",
            page.QuerySelector("[role=alert]")!.TextContent);
        Assert.Equal("Non fait : Donnez la valeur d'au moins une covariable.", Render("fr", Recorded(), DyadConsole.CovariatesRefused).QuerySelector("[role=alert]")!.TextContent);
        Assert.Equal("Not done: Give at least one covariate's value.", Render("en", Recorded(), DyadConsole.CovariatesRefused).QuerySelector("[role=alert]")!.TextContent);
        Assert.Empty(ConsoleText.Missing);
    }
}
