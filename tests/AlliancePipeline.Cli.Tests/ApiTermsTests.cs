using System.Net;
using AlliancePipeline.Cli.Commands;
using AlliancePipeline.Client;

namespace AlliancePipeline.Cli.Tests;

/// <summary>The app's problem details as the command line prints them: in its option names and defaults, each error once.</summary>
public sealed class ApiTermsTests
{
    [Theory]
    [InlineData("validDays is 1 to 3650 (default 90).", "--days is 1 to 3650 (default 30).")]
    [InlineData("siteId 'x' is not a site of study 'y'.", "--site 'x' is not a site of study 'y'.")]
    [InlineData("an admin key takes no studyId or siteId.", "an admin key takes no --study or --site.")]
    [InlineData("Send {\"date\": \"yyyy-MM-dd\"}.", "Give --date as yyyy-MM-dd.")]
    [InlineData("Send {\"reason\": \"…\"}: why the rater cannot take the mailed link.", "Give --reason: why the rater cannot take the mailed link.")]
    [InlineData("\"date\" must be a date written yyyy-MM-dd.", "--date must be a date written yyyy-MM-dd.")]
    [InlineData("dyad 'd-009' is not in study 's'", "dyad 'd-009' is not in study 's'")]
    public void Api_fields_become_options(string api, string cli) => Assert.Equal(cli, ApiTerms.Translate(api));

    [Fact]
    public void An_import_s_first_error_is_not_said_twice_and_a_longer_list_is_counted()
    {
        var answer = new ApiAnswer(HttpStatusCode.BadRequest, """
            {"title":"Outcomes refused","detail":"3 line(s) refused; nothing was recorded. The first: line 2: employed must be yes or no, not 'x'. errors lists the first 2 of 3 problems.",
             "errors":[{"line":2,"message":"employed must be yes or no, not 'x'"},{"line":4,"message":"dyad 'd-009' is not in study 's'"}],"errorCount":3}
            """, "application/problem+json");
        Assert.Equal("Outcomes refused: 3 line(s) refused; nothing was recorded. The first 2 of 3 problems:\n  line 2: employed must be yes or no, not 'x'\n  line 4: dyad 'd-009' is not in study 's'",
            answer.Problem(ApiTerms.Translate).ReplaceLineEndings("\n"));
    }
}
